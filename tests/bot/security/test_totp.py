"""TOTP codes: accepted within a step either side, once only; secrets encrypted at rest."""

from __future__ import annotations

import pyotp

from bot.security.totp import decrypt_secret, encrypt_secret, matching_step, new_secret

NOW = 1_800_000_000.0


def test_a_code_is_accepted_once() -> None:
    secret = new_secret()
    code = pyotp.TOTP(secret).at(NOW)
    step = matching_step(secret, code, None, now=NOW)
    assert step == int(NOW // 30)
    assert matching_step(secret, code, step, now=NOW) is None
    assert matching_step(secret, code, step, now=NOW + 20) is None


def test_one_step_of_clock_skew_is_tolerated_not_more() -> None:
    secret = new_secret()
    assert matching_step(secret, pyotp.TOTP(secret).at(NOW - 30), None, now=NOW) is not None
    assert matching_step(secret, pyotp.TOTP(secret).at(NOW - 90), None, now=NOW) is None


def test_malformed_codes_are_refused() -> None:
    secret = new_secret()
    for code in ("", "12345", "1234567", "abcdef"):
        assert matching_step(secret, code, None, now=NOW) is None


def test_secrets_are_encrypted() -> None:
    secret = new_secret()
    token = encrypt_secret(secret)
    assert secret not in token and decrypt_secret(token) == secret
    assert decrypt_secret("garbage") is None
