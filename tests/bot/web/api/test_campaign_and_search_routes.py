"""GET /api/v1/campaigns, /api/v1/campaigns/{id} and /api/v1/search behind the bearer token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.web.app import create_app
from tests.factories import store_sms, token

pytestmark = pytest.mark.storage

PARCEL = (
    "De {sender} : Votre colis est retenu au centre de tri, des frais de {amount} sont a regler "
    "sur {link} sous 48h sinon retour a l'expediteur."
)


@pytest.fixture
def client() -> TestClient:
    store_sms("+33600000001", PARCEL.format(sender="06 39 98 12 34", amount="1€", link="a.test"))
    store_sms("+33600000002", PARCEL.format(sender="38455", amount="2 EUR", link="https://b.test"))
    return TestClient(create_app())


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {token()}"}


@pytest.mark.parametrize("path", ["/api/v1/campaigns", "/api/v1/campaigns/1", "/api/v1/search?q=x"])
def test_token_required(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401


def test_lists_campaigns_with_numbers_domains_and_trend(client: TestClient) -> None:
    body = client.get("/api/v1/campaigns?sort=size", headers=_auth()).json()
    assert body["next_offset"] is None
    [campaign] = body["items"]
    assert campaign["size"] == 2
    assert {n["number"] for n in campaign["numbers"]} == {"+33639981234", "38455"}
    assert {d["domain"] for d in campaign["domains"]} == {"a[.]test", "b[.]test"}
    assert campaign["trend"]["last_7d"] == 2 and campaign["trend"]["direction"] == "new"
    one = client.get(f"/api/v1/campaigns/{campaign['id']}", headers=_auth())
    assert one.json() == campaign
    assert client.get("/api/v1/campaigns/999", headers=_auth()).status_code == 404


def test_search_answers_numbers_domains_and_report_ids(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"q": "06 39 98 12 34"}, headers=_auth()).json()
    assert [n["number"] for n in body["numbers"]] == ["+33639981234"]
    assert body["report_ids"] == [1]
    body = client.get("/api/v1/search", params={"q": "b[.]test"}, headers=_auth()).json()
    assert [d["domain"] for d in body["domains"]] == ["b[.]test"] and body["report_ids"] == [2]
    body = client.get(
        "/api/v1/search", params={"q": "centre de tri", "kind": "text"}, headers=_auth()
    ).json()
    assert body["report_ids"] == [2, 1]


def test_search_refuses_overlong_queries(client: TestClient) -> None:
    response = client.get("/api/v1/search", params={"q": "x" * 101}, headers=_auth())
    assert response.status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/campaigns/2147483648",  # past a 32-bit id: the query overflowed (500)
        "/api/v1/campaigns?offset=99999999999999999999",  # past 64 bits (500)
    ],
)
def test_out_of_range_ids_and_offsets_are_a_validation_error(client: TestClient, path: str) -> None:
    response = client.get(path, headers=_auth())
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def test_a_blank_search_is_a_validation_error_of_the_documented_shape(client: TestClient) -> None:
    # It answered {"detail": "empty query"}, which the documented 422 schema does not allow.
    response = client.get("/api/v1/search", params={"q": "   "}, headers=_auth())
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "q"]
