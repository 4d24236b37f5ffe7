"""Console passwords: argon2id, with parameters that can be raised later (rehash on login)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 12
# A hash of a throwaway password: checking it when the e-mail is unknown makes an unknown
# account take as long as a wrong password, so timing does not reveal who has an account.
_DUMMY = "dummy-password-for-timing"


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(_DUMMY)


class PasswordTooShort(ValueError):
    def __init__(self, minimum: int) -> None:
        super().__init__(f"a password needs at least {minimum} characters")
        self.minimum = minimum


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooShort(MIN_PASSWORD_LENGTH)
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)
