"""TOTP second factor: secrets encrypted at rest, codes accepted once only, QR for enrolment."""

from __future__ import annotations

import base64
import time
from functools import lru_cache

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.settings import get_settings

ISSUER = "Scamline"
STEP_SECONDS = 30
# One step either side tolerates a phone clock a little off, no more.
VALID_WINDOW = 1


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    # A key of its own (distinct HKDF info): a leak of one encrypted column opens no other.
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"scamline totp secret"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def new_secret() -> str:
    return pyotp.random_base32()


def encrypt_secret(secret: str) -> str:
    return _fernet(get_settings().secret_key).encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str | None:
    try:
        return _fernet(get_settings().secret_key).decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=email, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (drawn here: no network, no image file)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff"))


def matching_step(
    secret: str, code: str, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step this code belongs to, if it is valid and newer than the last one used.

    Refusing a step at or before `last_step` means a code seen over a shoulder or replayed
    from a proxy log cannot be used again, even within its 30 seconds.
    """
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None
