"""Reporters' numbers: a keyed hash to count them, an encrypted copy only to reply to them."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.settings import get_settings


def pseudonym(phone: str, key: str | None = None) -> str:
    """HMAC-SHA256 of the canonical number under PSEUDONYM_KEY, hex. Stable, not reversible."""
    secret = (key or get_settings().pseudonym_key).encode()
    return hmac.new(secret, phone.encode(), hashlib.sha256).hexdigest()


def display_pseudonym(full: str) -> str:
    """What analysts see: short, stable, and not the number."""
    return "R-" + full[:10].upper()


def mask_phone(phone: str) -> str:
    """For logs: never the whole number. `+33639981234` -> `+336…34`."""
    if len(phone) <= 6:
        return "…"
    return f"{phone[:4]}…{phone[-2:]}"


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"scamline reporter phone"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_phone(phone: str) -> str:
    return _fernet(get_settings().secret_key).encrypt(phone.encode()).decode()


def decrypt_phone(token: str) -> str | None:
    try:
        return _fernet(get_settings().secret_key).decrypt(token.encode()).decode()
    except InvalidToken:
        return None
