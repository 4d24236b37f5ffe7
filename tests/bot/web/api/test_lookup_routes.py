"""/api/v1: bearer tokens, number lookup in any spelling, reports newest first and paginated."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.services.api_tokens import SCOPES, create_token
from bot.services.intake import record_inbound_event
from bot.web.app import create_app
from tests.helpers import process_as_worker


def report(body: str, sender: str = "+33612345678") -> None:
    with session_scope() as session:
        event, _ = record_inbound_event(
            session, "SM" + secrets.token_hex(16), "sms", {"Body": body}, sender
        )
        process_as_worker(session, event.id)


@pytest.fixture
def client() -> TestClient:
    with session_scope() as session:
        _, token = create_token(session, "tests", SCOPES)
    return TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})


def test_without_a_token_the_answer_is_401() -> None:
    anonymous = TestClient(create_app())
    assert anonymous.get("/api/v1/numbers/0639981234").status_code == 401
    assert anonymous.get("/api/v1/reports").status_code == 401
    bad = TestClient(create_app(), headers={"Authorization": "Bearer scl_nope"})
    assert bad.get("/api/v1/reports").status_code == 401


@pytest.mark.parametrize(
    "spelling", ["0639981234", "06 39 98 12 34", "+33639981234", "0033639981234", "06.39.98.12.34"]
)
def test_a_number_is_found_by_any_spelling(client: TestClient, spelling: str) -> None:
    report("appel du 06 39 98 12 34, faux conseiller", sender="+33611111111")
    report("spam vocal 0639981234", sender="+33622222222")
    response = client.get(f"/api/v1/numbers/{spelling}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "+33639981234"
    assert body["number_type"] == "mobile"
    assert (body["report_count"], body["reporter_count"]) == (2, 2)
    assert body["channels"] == {"sms": 0, "call": 2}
    assert sum(body["families"].values()) == 2
    assert body["status"] == "new"
    assert body["first_reported_at"] <= body["last_reported_at"]


@pytest.mark.parametrize("spelling", ["+22507123456", "+225 07 12 34 56", "+225.07.12.34.56"])
def test_a_number_that_is_not_valid_is_found_as_written(client: TestClient, spelling: str) -> None:
    report("appel +22507123456")
    report("spam vocal +225 07 12 34 56", sender="+33622222222")
    body = client.get(f"/api/v1/numbers/{spelling}").json()
    assert (body["number"], body["number_type"]) == ("+22507123456", "invalid")
    assert (body["report_count"], body["reporter_count"]) == (2, 2)
    assert body["channels"] == {"sms": 0, "call": 2}


def test_sender_names_are_looked_up_upper_cased(client: TestClient) -> None:
    report("De : AMELI-INFO : votre carte vitale expire, vitale-maj.test")
    assert client.get("/api/v1/numbers/ameli-info").json()["number"] == "AMELI-INFO"


def test_a_number_never_reported_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/numbers/0639981234").status_code == 404
    assert client.get("/api/v1/numbers/%3Cscript%3E").status_code == 404


def test_reports_are_newest_first_paginated_and_filtered(client: TestClient) -> None:
    for i in range(5):
        report(f"appel du 06 39 98 12 3{i}")
    report("appel du 09 75 10 22 61")
    page = client.get("/api/v1/reports", params={"limit": 4}).json()
    ids = [item["id"] for item in page["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 4
    rest = client.get("/api/v1/reports", params={"limit": 4, "cursor": page["next_cursor"]}).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    only = client.get("/api/v1/reports", params={"number": "09 75 10 22 61"}).json()["items"]
    assert [item["reported_number"] for item in only] == ["+33975102261"]
    item = only[0]
    assert set(item) >= {
        "id",
        "source_sid",
        "received_at",
        "channel",
        "reported_number",
        "family",
        "language",
        "numbers",
        "domains",
        "reply_status",
    }
    assert item["channel"] == "call" and item["reply_status"] == "queued"
    future = (utcnow() + timedelta(hours=1)).isoformat()
    assert client.get("/api/v1/reports", params={"since": future}).json()["items"] == []


def test_healthz_and_readyz() -> None:
    anonymous = TestClient(create_app())
    assert anonymous.get("/healthz").json() == {"status": "ok"}
    ready = anonymous.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "redis": "ok"}


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": "2147483648"},  # past a 32-bit id: the query overflowed (500)
        {"since": "9999-12-31T23:59:59-23:59"},  # past year 9999 once in UTC (500)
        {"since": "0001-01-01T00:00:00+23:59"},  # before year 1 once in UTC (500)
    ],
)
def test_out_of_range_parameters_are_a_validation_error(
    client: TestClient, query: dict[str, str]
) -> None:
    response = client.get("/api/v1/reports", params=query)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)  # FastAPI's documented 422 shape


def test_a_naive_since_is_taken_as_utc(client: TestClient) -> None:
    # A timestamp without offset reached the UTC column type, which refuses naive values (500).
    report("Colis bloque, payez sur colis-frais.test")
    assert (
        len(client.get("/api/v1/reports", params={"since": "2000-01-01T00:00:00"}).json()["items"])
        == 1
    )
    assert (
        client.get("/api/v1/reports", params={"since": "2999-01-01T00:00:00"}).json()["items"] == []
    )
