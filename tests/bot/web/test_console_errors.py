"""Refusals on console pages are pages in the analyst's language; the API keeps JSON."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.web.app import create_app
from tests.console_fixtures import signed_in


def test_a_missing_record_is_a_page_in_french() -> None:
    client = signed_in()
    page = client.get("/console/campaigns/999")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in page.text and "Cette campagne n’existe pas" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    english = client.get("/console/numbers/+33100000000", headers={"Accept-Language": "en"})
    assert english.status_code == 404 and "This number was never reported" in english.text


def test_refusals_keep_their_status_and_say_why() -> None:
    analyst = signed_in()
    admin_only = analyst.get("/console/admin")
    assert admin_only.status_code == 403 and "Réservé aux administrateurs" in admin_only.text
    forged = analyst.post("/console/numbers/+33639981234/status", data={"status": "new"})
    assert forged.status_code == 403 and "Jeton CSRF absent ou faux" in forged.text
    unknown = analyst.get("/console/nothing-here")
    assert unknown.status_code == 404 and "Cette page n’existe pas." in unknown.text


def test_a_signed_out_visitor_is_still_sent_to_sign_in() -> None:
    response = TestClient(create_app()).get("/console/numbers", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/login"


def test_the_api_keeps_its_json_errors() -> None:
    response = TestClient(create_app()).get("/api/v1/numbers/0639981234")
    assert response.status_code == 401 and response.json()["detail"]
