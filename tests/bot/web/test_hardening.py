"""Production answers with HSTS, documents only the public API, asks scrapers for a token, and
believes X-Forwarded-For only from the proxies it was told to trust."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.db.session import session_scope
from bot.web.app import create_app
from tests.conftest import _reset_caches
from tests.console_fixtures import csrf_of

PRODUCTION = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": "s" * 32,
    "PSEUDONYM_KEY": "p" * 32,
    "TWILIO_AUTH_TOKEN": "t" * 32,
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_SENDER": "SCAMLINE",
    "PUBLIC_BASE_URL": "https://bot.example",
    "METRICS_TOKEN": "m" * 32,
}


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> TestClient:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    _reset_caches()
    return TestClient(create_app(), base_url="https://testserver")


def test_production_sets_hsts(production: TestClient) -> None:
    for path in ("/healthz", "/console/login"):
        assert production.get(path).headers["strict-transport-security"].startswith("max-age=")


def test_production_documents_only_the_public_api(production: TestClient) -> None:
    paths = production.get("/openapi.json").json()["paths"]
    assert "/api/v1/numbers/{number}" in paths and "/api/v1/blocklist" in paths
    assert not [p for p in paths if p.startswith(("/console", "/twilio", "/metrics"))]


def test_metrics_need_the_token_in_production(production: TestClient) -> None:
    assert production.get("/metrics").status_code == 401
    wrong = production.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    scrape = production.get("/metrics", headers={"Authorization": f"Bearer {'m' * 32}"})
    assert scrape.status_code == 200 and "scamline_" in scrape.text


def test_production_without_a_metrics_token_serves_none(
    production: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METRICS_TOKEN", "")
    _reset_caches()
    assert TestClient(create_app()).get("/metrics").status_code == 401


def test_development_keeps_the_metrics_open_and_no_hsts() -> None:
    client = TestClient(create_app())
    assert client.get("/metrics").status_code == 200
    assert "strict-transport-security" not in client.get("/healthz").headers


def _failed_login_ip(client: TestClient, forwarded_for: str) -> str:
    token = csrf_of(client.get("/console/login").text)
    client.post(
        "/console/login",
        data={"csrf_token": token, "email": "x@example.org", "password": "x", "code": "1"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    with session_scope() as session:
        entry = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "login_failed")
            .order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None and entry.ip is not None
        return entry.ip


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The test client's peer is "testclient": untrusted, a forged header changes nothing.
    assert _failed_login_ip(TestClient(create_app()), "203.0.113.9") == "testclient"
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "testclient,10.0.0.0/8")
    _reset_caches()
    trusted = TestClient(create_app())
    assert _failed_login_ip(trusted, "198.51.100.7, 10.1.2.3") == "198.51.100.7"
