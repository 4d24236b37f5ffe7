"""Secrets: placeholders are for development only."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import DEV_PSEUDONYM_KEY, DEV_SECRET_KEY, Settings

STRONG = {
    "secret_key": "s" * 32,
    "pseudonym_key": "p" * 32,
    "twilio_auth_token": "t" * 32,
    "twilio_account_sid": "AC" + "0" * 32,
    "twilio_sender": "SCAMLINE",
    "public_base_url": "https://bot.example",
}


def test_development_runs_with_no_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECRET_KEY", "PSEUDONYM_KEY", "TWILIO_AUTH_TOKEN", "ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(environment="development", _env_file=None)  # type: ignore[call-arg]
    assert settings.secret_key == DEV_SECRET_KEY and not settings.twilio_configured


@pytest.mark.parametrize("environment", ["production", "test"])
@pytest.mark.parametrize(
    ("name", "value"),
    [("secret_key", DEV_SECRET_KEY), ("pseudonym_key", DEV_PSEUDONYM_KEY), ("secret_key", "short")],
)
def test_placeholder_secrets_are_refused_outside_development(
    environment: str, name: str, value: str
) -> None:
    with pytest.raises(ValidationError, match=name.upper()):
        Settings(environment=environment, **{**STRONG, name: value})  # type: ignore[arg-type]


def test_production_needs_its_public_url() -> None:
    with pytest.raises(ValidationError, match="PUBLIC_BASE_URL"):
        Settings(environment="production", **{**STRONG, "public_base_url": ""})  # type: ignore[arg-type]
    assert Settings(environment="production", **STRONG).public_base_url  # type: ignore[arg-type]


def test_production_without_twilio_is_refused_unless_outbox_only_says_so() -> None:
    quiet = {**STRONG, "twilio_account_sid": "", "twilio_sender": ""}
    with pytest.raises(ValidationError, match="OUTBOX_ONLY"):
        Settings(environment="production", **quiet)  # type: ignore[arg-type]
    assert Settings(environment="production", outbox_only=True, **quiet).outbox_only  # type: ignore[arg-type]
