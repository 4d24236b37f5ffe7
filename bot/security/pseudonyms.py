"""Reporters' numbers: a keyed hash to count them, an encrypted copy only to reply to them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
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


# Reporters' numbers are encrypted with AES-256-GCM: one call into OpenSSL, where Fernet (AES-CBC,
# then HMAC-SHA256, then base64 of the whole token) took 7 times as long, once per webhook on the
# request path. A token is this prefix, then base64url(nonce + ciphertext + tag); tokens without
# it are the Fernet tokens written before, and are still read.
_GCM_PREFIX = "g1:"
_NONCE_BYTES = 12
# Binds each token to its use: a token copied into another encrypted field does not decrypt there.
_ASSOCIATED_DATA = b"scamline reporter phone"


def _derive(secret_key: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        secret_key.encode()
    )


@lru_cache(maxsize=4)
def _aes_gcm(secret_key: str) -> AESGCM:
    return AESGCM(_derive(secret_key, b"scamline reporter phone aes-256-gcm"))


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(secret_key, b"scamline reporter phone")))


def encrypt_phone(phone: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _aes_gcm(get_settings().secret_key).encrypt(nonce, phone.encode(), _ASSOCIATED_DATA)
    return _GCM_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt_phone(token: str) -> str | None:
    """The number, or None for a token this key did not write (or that was altered)."""
    key = get_settings().secret_key
    try:
        if token.startswith(_GCM_PREFIX):
            sealed = base64.urlsafe_b64decode(token[len(_GCM_PREFIX) :])
            nonce, ciphertext = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
            return _aes_gcm(key).decrypt(nonce, ciphertext, _ASSOCIATED_DATA).decode()
        return _fernet(key).decrypt(token.encode()).decode()
    except (InvalidTag, InvalidToken, ValueError):
        return None
