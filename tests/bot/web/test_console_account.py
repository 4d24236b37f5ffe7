"""Accounts whose password or second factor changes, or that are disabled, lose every session
they had; an analyst changes their own password and second factor on /console/account."""

from __future__ import annotations

import os
import subprocess
import sys

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.db.models import AuditEntry, User
from bot.db.session import session_scope
from bot.settings import REPO_ROOT
from bot.web.app import create_app
from tests.console_fixtures import PASSWORD, csrf_of, fresh_code, login, make_user

EMAIL = "ana@example.org"
NEW = "an entirely new long passphrase"


def _code(secret: str) -> str:
    """A code the account has not spent, as if the next 30-second step had come (each code
    works once, and the sign-ins above already spent this step's and the next's)."""
    with session_scope() as session:
        user = session.scalars(select(User).where(User.email == EMAIL)).one()
        user.totp_last_step = None
    return fresh_code(EMAIL, secret)


def _session(secret: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(create_app())
    assert login(client, EMAIL, secret, password, _code(secret)).status_code == 303  # type: ignore[attr-defined]
    return client


def _signed_in(client: TestClient) -> bool:
    return client.get("/console/", follow_redirects=False).status_code == 200


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "user", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
        timeout=60,
        check=False,
    )


def test_user_reset_ends_the_sessions_and_gives_a_new_second_factor() -> None:
    secret = make_user(EMAIL)
    laptop = _session(secret)
    result = _cli("reset", EMAIL, stdin=NEW + "\n")
    assert result.returncode == 0, result.stderr
    uri = result.stdout.strip().splitlines()[-1]
    assert uri.startswith("otpauth://totp/")
    assert not _signed_in(laptop)
    new_secret = pyotp.parse_uri(uri).secret
    assert login(TestClient(create_app()), EMAIL, secret, NEW).status_code == 401  # type: ignore[attr-defined]
    assert _signed_in(_session(new_secret, NEW))


def test_user_disable_ends_the_sessions() -> None:
    laptop = _session(make_user(EMAIL))
    assert _cli("disable", EMAIL).returncode == 0
    assert not _signed_in(laptop)
    assert _cli("disable", "nobody@example.org").returncode == 2


def _post(client: TestClient, path: str, **data: str) -> None:
    token = csrf_of(client.get("/console/account").text)
    client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def test_an_analyst_changes_their_password_after_proving_both_factors() -> None:
    secret = make_user(EMAIL)
    phone, laptop = _session(secret), _session(secret)
    _post(
        laptop,
        "/console/account/password",
        current_password="wrong",
        code=_code(secret),
        new_password=NEW,
        new_password_again=NEW,
    )
    assert "mot de passe actuel ou votre code est faux" in laptop.get("/console/account").text
    assert _signed_in(phone)
    _post(
        laptop,
        "/console/account/password",
        current_password=PASSWORD,
        code=_code(secret),
        new_password=NEW,
        new_password_again=NEW,
    )
    assert "Mot de passe changé" in laptop.get("/console/account").text
    assert _signed_in(laptop)  # the session that made the change goes on
    assert not _signed_in(phone)  # every other one is over
    assert _signed_in(_session(secret, NEW))
    with session_scope() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "password_change" in actions and "account_check_failed" in actions


def test_an_analyst_enrols_a_new_second_factor() -> None:
    secret = make_user(EMAIL)
    phone, laptop = _session(secret), _session(secret)
    token = csrf_of(laptop.get("/console/account").text)
    page = laptop.post(
        "/console/account/totp",
        data={"csrf_token": token, "current_password": PASSWORD, "code": _code(secret)},
    )
    assert page.status_code == 200 and "otpauth://totp/" in page.text
    new_secret = pyotp.parse_uri(
        page.text.split('class="uri">')[1].split("<")[0].replace("&amp;", "&")
    ).secret
    assert not _signed_in(phone) and _signed_in(laptop)
    assert login(TestClient(create_app()), EMAIL, secret).status_code == 401  # type: ignore[attr-defined]
    assert _signed_in(_session(new_secret))


def test_an_admins_second_factor_reset_and_deactivation_end_the_sessions() -> None:
    analyst = _session(make_user(EMAIL))
    admin = TestClient(create_app())
    root_secret = make_user("root@example.org", "admin")
    assert login(admin, "root@example.org", root_secret).status_code == 303  # type: ignore[attr-defined]
    token = csrf_of(admin.get("/console/admin").text)
    admin.post("/console/admin/users/1/reset-totp", data={"csrf_token": token})
    assert not _signed_in(analyst)
