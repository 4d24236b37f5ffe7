"""API tokens read only what their scopes allow, within a rate limit and a daily quota."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from bot.cli import main as cli
from bot.db.session import session_scope
from bot.services.api_tokens import BLOCKLIST_READ, NUMBERS_READ, SCOPES, create_token
from bot.web.app import create_app
from tests.conftest import _reset_caches
from tests.factories import store_sms


def _client(*scopes: str) -> TestClient:
    with session_scope() as session:
        _, token = create_token(session, "t", scopes)
    return TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})


def _refused(reason: str) -> float:
    return REGISTRY.get_sample_value("scamline_api_refused_total", {"reason": reason}) or 0.0


def test_an_operators_blocklist_token_reads_nothing_else() -> None:
    store_sms("+33611111111", "appel 06 39 98 12 34")
    client = _client(BLOCKLIST_READ)
    before = _refused("scope")
    assert client.get("/api/v1/blocklist").status_code == 200
    for path in (
        "/api/v1/numbers/0639981234",
        "/api/v1/reports",
        "/api/v1/search?q=x",
        "/api/v1/campaigns",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "scope" in response.json()["detail"]
    assert _refused("scope") == before + 4


def test_reports_need_their_own_scope() -> None:
    client = _client(NUMBERS_READ)
    assert client.get("/api/v1/reports").status_code == 403
    assert _client(*SCOPES).get("/api/v1/reports").status_code == 200


def test_rapid_calls_meet_429_with_retry_after() -> None:
    client = _client(*SCOPES)
    before = _refused("rate_limit")
    answers = [client.get("/api/v1/blocklist") for _ in range(1200)]
    refused = [a for a in answers if a.status_code == 429]
    assert refused and sum(a.status_code == 200 for a in answers) >= 10
    assert all(int(a.headers["Retry-After"]) >= 1 for a in refused)
    assert _refused("rate_limit") == before + len(refused)


def test_the_daily_quota_refuses_until_tomorrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_DAILY_QUOTA", "3/day")
    _reset_caches()
    client = _client(*SCOPES)
    assert [client.get("/api/v1/blocklist").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = client.get("/api/v1/blocklist")
    assert 3600 < int(refused.headers["Retry-After"]) <= 86400
    assert "daily quota" in refused.json()["detail"]


def test_the_cli_makes_a_scoped_token_and_prints_it_last(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli(["token", "create", "operator", "--scope", "blocklist:read"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert "blocklist:read" in lines[0]
    client = TestClient(create_app(), headers={"Authorization": f"Bearer {lines[-1]}"})
    assert client.get("/api/v1/blocklist").status_code == 200
    assert client.get("/api/v1/numbers/0639981234").status_code == 403
