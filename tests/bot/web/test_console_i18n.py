"""The console's language: French by default, English for an English browser or by the header's
switch (remembered in a cookie), and the messages made in Python in the same language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.web.app import create_app
from bot.web.console.i18n import COOKIE_NAME, accepted_language
from tests.console_fixtures import csrf_of, seed_report, signed_in

NUMBER = "+33639981234"


def test_the_sign_in_page_is_french_by_default() -> None:
    html = TestClient(create_app()).get("/console/login").text
    assert '<html lang="fr">' in html
    assert "Mot de passe" in html and "Se connecter" in html
    assert "Password" not in html


def test_an_english_browser_gets_the_console_in_english() -> None:
    client = TestClient(create_app(), headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
    page = client.get("/console/login")
    assert '<html lang="en">' in page.text and "Password" in page.text
    assert page.headers["content-language"] == "en"
    assert "Accept-Language" in page.headers["vary"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("en-US,en;q=0.9", "en"),
        ("de-DE,en;q=0.7,fr;q=0.9", "fr"),  # weighed by q, not by order
        ("fr;q=0.4,en;q=0.4", "fr"),  # a tie keeps the header's order
        ("fr-CA", "fr"),
        ("EN", "en"),
        ("en;q=0,fr;q=0.1", "fr"),  # q=0 refuses a language
        ("de, es", None),
        ("en;q=abc", None),
        ("", None),
    ],
)
def test_accept_language_is_weighed(header: str, expected: str | None) -> None:
    assert accepted_language(header) == expected


def test_the_switch_remembers_the_choice_and_comes_back_to_the_page() -> None:
    seed_report(NUMBER, "colis")
    client = signed_in()
    page = client.get(f"/console/numbers/{NUMBER}").text
    assert '<html lang="fr">' in page
    link = 'href="/console/language/en?next=/console/numbers/%2B33639981234"'
    assert link in page and 'lang="en" hreflang="en">English</a>' in page
    switched = client.get(
        "/console/language/en",
        params={"next": f"/console/numbers/{NUMBER}"},
        follow_redirects=False,
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == f"/console/numbers/{NUMBER}"
    cookie = switched.headers["set-cookie"]
    assert f"{COOKIE_NAME}=en" in cookie and "HttpOnly" in cookie and "Path=/console" in cookie
    assert "samesite=lax" in cookie.lower() and "Max-Age=" in cookie
    # The cookie wins over the browser's French.
    again = client.get(f"/console/numbers/{NUMBER}", headers={"Accept-Language": "fr"}).text
    assert '<html lang="en">' in again and "Distinct reporters" in again
    client.get("/console/language/fr")
    assert '<html lang="fr">' in client.get("/console/").text


@pytest.mark.parametrize(
    "back",
    [
        "//evil.test/console/",
        "https://evil.test/",
        "/console//evil.test",
        "/console\\evil",
        "/consolex",
        "/api/v1/reports",
        "javascript:alert(1)",
        "/console/\r\nSet-Cookie: x=1",
    ],
)
def test_the_switch_comes_back_only_to_a_console_page(back: str) -> None:
    response = TestClient(create_app()).get(
        "/console/language/en", params={"next": back}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/console/"


def test_an_unknown_language_is_a_404() -> None:
    assert TestClient(create_app()).get("/console/language/de").status_code == 404


def test_a_page_answering_a_form_has_no_switch() -> None:
    """Leaving a one-time page (a new token, a QR code) would lose what it shows."""
    admin = signed_in("root@example.org", "admin")
    token = csrf_of(admin.get("/console/admin").text)
    page = admin.post(
        "/console/admin/tokens",
        data={"name": "operator", "scope": ["blocklist:read"], "csrf_token": token},
    )
    assert "scl_" in page.text and "/console/language/" not in page.text


def test_messages_made_in_python_follow_the_language() -> None:
    seed_report(NUMBER, "colis")
    client = signed_in()
    token = csrf_of(client.get(f"/console/numbers/{NUMBER}").text)
    url = f"/console/numbers/{NUMBER}/status"
    french = client.post(url, data={"status": "confirmed_scam", "csrf_token": token})
    assert "un verdict demande une note qui dit pourquoi" in french.text
    client.get("/console/language/en")
    english = client.post(url, data={"status": "confirmed_scam", "csrf_token": token})
    assert "a verdict needs a note saying why" in english.text


def test_a_refused_transition_names_the_statuses_in_words() -> None:
    seed_report(NUMBER, "colis")
    client = signed_in()
    token = csrf_of(client.get(f"/console/numbers/{NUMBER}").text)
    url = f"/console/numbers/{NUMBER}/status"
    client.post(url, data={"status": "investigating", "csrf_token": token})
    page = client.post(url, data={"status": "new", "csrf_token": token})
    refusal = (
        "un numéro ne peut pas passer de «\u00a0En cours d’examen\u00a0» à «\u00a0Nouveau\u00a0»"
    )
    assert refusal in page.text
