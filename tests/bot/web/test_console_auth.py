"""Console sign-in: both factors, single-use codes, CSRF, limits, lockout, sessions, roles."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.db.models import AuditEntry, ConsoleAlert, User
from bot.db.session import session_scope
from bot.web.app import create_app
from tests.conftest import _reset_caches
from tests.console_fixtures import PASSWORD, csrf_of, fresh_code, login, make_user, signed_in

REPO = Path(__file__).resolve().parents[3]


def test_the_password_alone_gets_nothing() -> None:
    secret = make_user()
    client = TestClient(create_app())
    for code in ("", "000000", "abcdef"):
        response = login(client, "ana@example.org", secret, code=code)
        assert response.status_code == 401  # type: ignore[attr-defined]
    page = client.get("/console/", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/console/login"
    assert client.get("/console/numbers", follow_redirects=False).status_code == 303


def test_a_code_alone_or_a_wrong_password_gets_nothing() -> None:
    secret = make_user()
    client = TestClient(create_app())
    response = login(client, "ana@example.org", secret, password="wrong password here")
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert "Échec de la connexion" in response.text  # type: ignore[attr-defined]


def test_both_factors_sign_in_and_rotate_the_session() -> None:
    secret = make_user()
    client = TestClient(create_app())
    client.get("/console/login")
    before = client.cookies.get("scamline_console")
    response = login(client, "ana@example.org", secret)
    assert response.status_code == 303  # type: ignore[attr-defined]
    after = client.cookies.get("scamline_console")
    assert after and after != before
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "Path=/console" in cookie
    assert client.get("/console/").status_code == 200


def test_a_code_cannot_be_used_twice() -> None:
    secret = make_user()
    code = fresh_code("ana@example.org", secret)
    first = login(TestClient(create_app()), "ana@example.org", secret, code=code)
    assert first.status_code == 303  # type: ignore[attr-defined]
    again = login(TestClient(create_app()), "ana@example.org", secret, code=code)
    assert again.status_code == 401  # type: ignore[attr-defined]


def test_sign_in_without_csrf_token_is_refused() -> None:
    secret = make_user()
    client = TestClient(create_app())
    client.get("/console/login")
    data = {"email": "ana@example.org", "password": PASSWORD, "code": pyotp.TOTP(secret).now()}
    assert client.post("/console/login", data=data).status_code == 403
    data["csrf_token"] = "forged"
    assert client.post("/console/login", data=data).status_code == 403


def test_forms_without_the_session_csrf_token_are_refused() -> None:
    from tests.console_fixtures import seed_report

    seed_report("0639981234", "colis")
    client = signed_in()
    url = "/console/numbers/+33639981234/status"
    assert client.post(url, data={"status": "investigating"}).status_code == 403
    assert client.post(url, data={"status": "investigating", "csrf_token": "x"}).status_code == 403
    # Another session's token is no good either.
    other = signed_in("bob@example.org")
    token = csrf_of(other.get("/console/").text)
    assert (
        client.post(url, data={"status": "investigating", "csrf_token": token}).status_code == 403
    )
    assert client.post("/console/logout", data={}).status_code == 403
    with session_scope() as session:
        assert session.scalars(select(User.email)).all()  # nothing else changed


def test_failures_past_the_account_limit_lock_the_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_LOGIN_LIMIT_PER_ACCOUNT", "3/15 minutes")
    _reset_caches()
    secret = make_user()
    client = TestClient(create_app())
    for _ in range(4):
        login(client, "ana@example.org", secret, password="wrong password here")
    with session_scope() as session:
        user = session.scalars(select(User)).one()
        assert user.locked_until is not None
        alerts = session.scalars(select(ConsoleAlert)).all()
        assert [a.kind for a in alerts] == ["account_locked"]
    # The right password and code no longer open it.
    assert login(client, "ana@example.org", secret).status_code == 401  # type: ignore[attr-defined]


def test_attempts_are_limited_per_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_LOGIN_LIMIT_PER_ADDRESS", "3/15 minutes")
    _reset_caches()
    client = TestClient(create_app())
    codes = [
        login(client, f"nobody{i}@example.org", None, code="123456").status_code  # type: ignore[attr-defined]
        for i in range(5)
    ]
    assert codes == [401, 401, 401, 429, 429]


def test_sessions_expire_when_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_SESSION_IDLE_SECONDS", "1")
    _reset_caches()
    client = signed_in()
    assert client.get("/console/", follow_redirects=False).status_code == 200
    time.sleep(2.1)
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_sessions_end_after_their_absolute_lifetime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_SESSION_ABSOLUTE_SECONDS", "1")
    _reset_caches()
    client = signed_in()
    time.sleep(1.2)
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session() -> None:
    client = signed_in()
    token = csrf_of(client.get("/console/").text)
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 200
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_a_deactivated_account_loses_access_at_once() -> None:
    client = signed_in()
    with session_scope() as session:
        session.scalars(select(User)).one().active = False
    assert client.get("/console/", follow_redirects=False).status_code == 303


def test_analysts_cannot_reach_the_admin_pages() -> None:
    client = signed_in()
    assert client.get("/console/admin").status_code == 403
    token = csrf_of(client.get("/console/").text)
    assert (
        client.post("/console/admin/tokens", data={"name": "x", "csrf_token": token}).status_code
        == 403
    )


def test_admins_create_accounts_with_a_qr_code() -> None:
    admin = signed_in("root@example.org", "admin")
    token = csrf_of(admin.get("/console/admin").text)
    page = admin.post(
        "/console/admin/users",
        data={"email": "new@example.org", "role": "analyst", "csrf_token": token},
    )
    assert page.status_code == 200
    assert "<svg" in page.text and "otpauth://totp/" in page.text
    with session_scope() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "user_create" in actions


def test_the_cli_reads_the_password_from_stdin_and_prints_the_uri_last() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "user", "create", "Cli@Example.org", "--role", "admin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    uri = result.stdout.strip().splitlines()[-1]
    assert uri.startswith("otpauth://totp/")
    secret = pyotp.parse_uri(uri).secret
    client = TestClient(create_app())
    assert login(client, "cli@example.org", secret).status_code == 303  # type: ignore[attr-defined]
    assert client.get("/console/admin").status_code == 200


def test_the_cli_refuses_a_short_password() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "user", "create", "a@example.org", "--role", "analyst"],
        input="short\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "otpauth" not in result.stdout


@pytest.mark.parametrize(
    "path",
    [
        "/console/admin/users/2147483648/reset-totp",
        "/console/admin/users/2147483648/deactivate",
        "/console/admin/tokens/2147483648/revoke",
    ],
)
def test_admin_ids_past_32_bits_are_refused_not_a_server_error(path: str) -> None:
    # Found by schemathesis: the id reached an INTEGER column and PostgreSQL refused it (500).
    admin = signed_in("root@example.org", "admin")
    token = csrf_of(admin.get("/console/admin").text)
    response = admin.post(path, data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 422
