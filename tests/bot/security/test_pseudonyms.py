"""Reporters' numbers: pseudonyms are stable and keyed; the encrypted copy reads back only with
the key that wrote it, whether written by AES-GCM (now) or Fernet (before)."""

from __future__ import annotations

import base64

import pytest

from bot.security import pseudonyms
from bot.security.pseudonyms import (
    decrypt_phone,
    display_pseudonym,
    encrypt_phone,
    mask_phone,
    pseudonym,
)
from bot.settings import get_settings

PHONE = "+33639981234"


def test_the_pseudonym_is_stable_keyed_and_not_the_number() -> None:
    assert pseudonym(PHONE) == pseudonym(PHONE)
    assert pseudonym(PHONE) != pseudonym(PHONE, key="another key")
    assert PHONE[1:] not in pseudonym(PHONE) and len(pseudonym(PHONE)) == 64
    assert display_pseudonym(pseudonym(PHONE)).startswith("R-")
    assert mask_phone(PHONE) == "+336…34"


def test_a_number_is_encrypted_with_a_fresh_nonce_and_reads_back() -> None:
    first, second = encrypt_phone(PHONE), encrypt_phone(PHONE)
    assert first.startswith("g1:") and first != second
    assert PHONE not in first and PHONE[3:] not in base64.urlsafe_b64decode(first[3:]).hex()
    assert decrypt_phone(first) == decrypt_phone(second) == PHONE


def test_tokens_written_by_fernet_before_still_read() -> None:
    legacy = pseudonyms._fernet(get_settings().secret_key).encrypt(PHONE.encode()).decode()
    assert decrypt_phone(legacy) == PHONE


def test_an_altered_token_reads_as_nothing() -> None:
    token = encrypt_phone(PHONE)
    sealed = bytearray(base64.urlsafe_b64decode(token[3:]))
    sealed[-1] ^= 1
    altered = "g1:" + base64.urlsafe_b64encode(bytes(sealed)).decode()
    for bad in (altered, "g1:", "g1:!!!", "g1:" + token[3:12], "garbage", ""):
        assert decrypt_phone(bad) is None, bad


def test_a_token_does_not_read_under_another_key(monkeypatch: pytest.MonkeyPatch) -> None:
    token = encrypt_phone(PHONE)
    legacy = pseudonyms._fernet(get_settings().secret_key).encrypt(PHONE.encode()).decode()
    with monkeypatch.context() as patch:
        patch.setenv("SECRET_KEY", "another secret key, at least 32 characters long")
        get_settings.cache_clear()
        assert decrypt_phone(token) is None
        assert decrypt_phone(legacy) is None
    get_settings.cache_clear()
    assert decrypt_phone(token) == PHONE
