"""GET /api/v1/blocklist: JSON, CSV and STIX 2.1, token required, legitimate verdicts drop
out, audited."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from stix2validator import ValidationOptions, validate_string

from bot.db.models import AuditEntry
from bot.db.session import session_scope
from bot.services.api_tokens import create_token
from bot.services.domains import find_domain, set_domain_status
from bot.web.app import create_app
from tests.factories import number_id, set_status, store_sms, token

pytestmark = pytest.mark.storage

PARCEL = (
    "De 06 39 98 12 34 : Votre colis est retenu, frais de 1,99€ sur hxxps://colis-frais[.]test/a"
)


@pytest.fixture
def client() -> TestClient:
    store_sms("+33600000001", PARCEL)
    set_status(number_id("+33639981234"), "confirmed_scam", note="=fake parcel fees")
    with session_scope() as session:
        domain = find_domain(session, "colis-frais.test")
        assert domain is not None
        set_domain_status(session, domain, "confirmed_scam", "analyst@test", "phishing kit")
    return TestClient(create_app())


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {token()}"}


def test_refuses_without_a_valid_token(client: TestClient) -> None:
    assert client.get("/api/v1/blocklist").status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert client.get("/api/v1/blocklist", headers=bad).status_code == 401
    assert client.get("/api/v1/blocklist?format=csv").status_code == 401


def test_json_by_default(client: TestClient) -> None:
    response = client.get("/api/v1/blocklist", headers=_auth())
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(e["type"], e["value"], e["reason"]) for e in body["entries"]] == [
        ("number", "+33639981234", "=fake parcel fees"),
        ("domain", "colis-frais.test", "phishing kit"),  # refanged for machines
    ]
    assert all(e["confirmed_at"] for e in body["entries"])


@pytest.mark.parametrize(("query", "headers"), [("?format=csv", {}), ("", {"Accept": "text/csv"})])
def test_csv_on_request_and_safe_in_spreadsheets(
    client: TestClient, query: str, headers: dict[str, str]
) -> None:
    response = client.get("/api/v1/blocklist" + query, headers=headers | _auth())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["type", "value", "confirmed_at", "reason"]
    assert [(r[0], r[1], r[3]) for r in rows[1:]] == [
        ("number", "+33639981234", "'=fake parcel fees"),
        ("domain", "colis-frais.test", "phishing kit"),
    ]


def test_a_confirmed_caller_id_that_is_not_valid_is_listed_as_received(
    client: TestClient,
) -> None:
    store_sms("+33600000002", "appel +22507123456")
    store_sms("+33600000003", "appel 06 39 98 12 3")
    set_status(number_id("+22507123456"), "confirmed_scam", note="spoofed caller ID")
    set_status(number_id("063998123"), "confirmed_scam", note="mistyped")
    response = client.get("/api/v1/blocklist?format=csv", headers=_auth())
    rows = list(csv.reader(io.StringIO(response.text)))
    assert [r[1] for r in rows if r[0] == "number"] == [
        "+33639981234",
        "+22507123456",
        "063998123",
    ]


def test_format_json_wins_over_accept(client: TestClient) -> None:
    response = client.get("/api/v1/blocklist?format=json", headers={"Accept": "text/csv"} | _auth())
    assert response.headers["content-type"].startswith("application/json")


def test_a_legitimate_verdict_removes_the_entry(client: TestClient) -> None:
    set_status(number_id("+33639981234"), "legitimate", note="the carrier's real number")
    body = client.get("/api/v1/blocklist", headers=_auth()).json()
    assert [e["type"] for e in body["entries"]] == ["domain"]


def test_each_export_is_audited(client: TestClient) -> None:
    client.get("/api/v1/blocklist?format=csv", headers=_auth())
    with session_scope() as session:
        entry = session.scalars(select(AuditEntry)).one()
        assert entry.action == "blocklist_export" and entry.actor == "token:test"
        assert entry.detail == {"format": "csv", "entries": 2}


@pytest.mark.parametrize(
    ("query", "headers"), [("?format=stix", {}), ("", {"Accept": "application/stix+json"})]
)
def test_stix_bundle_on_request(client: TestClient, query: str, headers: dict[str, str]) -> None:
    response = client.get("/api/v1/blocklist" + query, headers=headers | _auth())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/stix+json;version=2.1"
    result = validate_string(response.text, ValidationOptions(version="2.1", strict=True))
    assert result.is_valid, result.as_dict()
    objects = response.json()["objects"]
    indicators = {o["pattern"]: o for o in objects if o["type"] == "indicator"}
    assert set(indicators) == {
        "[phone-number:value = '+33639981234']",
        "[domain-name:value = 'colis-frais.test']",  # refanged, like the other formats
    }
    number = indicators["[phone-number:value = '+33639981234']"]
    assert number["description"] == "=fake parcel fees"  # JSON, not a spreadsheet: as written
    [sighting] = [o for o in objects if o.get("sighting_of_ref") == number["id"]]
    assert sighting["count"] == 1 and sighting["first_seen"]


def test_stix_needs_the_blocklist_scope(client: TestClient) -> None:
    with session_scope() as session:
        _, numbers_only = create_token(session, "numbers", ["numbers:read"])
    response = client.get(
        "/api/v1/blocklist?format=stix", headers={"Authorization": f"Bearer {numbers_only}"}
    )
    assert response.status_code == 403
    assert client.get("/api/v1/blocklist?format=stix").status_code == 401


def test_stix_export_is_audited(client: TestClient) -> None:
    client.get("/api/v1/blocklist?format=stix", headers=_auth())
    with session_scope() as session:
        entry = session.scalars(select(AuditEntry)).one()
        assert entry.detail == {"format": "stix", "entries": 2}


def test_the_openapi_document_describes_the_stix_format(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/blocklist"]["get"]
    assert "application/stix+json" in operation["responses"]["200"]["content"]
    [parameter] = [p for p in operation["parameters"] if p["name"] == "format"]
    assert "stix" in json.dumps(parameter["schema"])
