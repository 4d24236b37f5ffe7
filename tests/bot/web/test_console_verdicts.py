"""Verdicts that say what they did: how many reporters will be told, what undoing held back,
the form showing the status now in force, the domains seen with a number offered for a
verdict, and notes shown defanged."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.db.models import AuditEntry, Domain
from bot.db.session import session_scope
from tests.console_fixtures import csrf_of, signed_in
from tests.factories import store_sms

NUMBER = "+33639981234"
PAGE = f"/console/numbers/{NUMBER}"
NBSP = "\u00a0"


def _two_reporters() -> None:
    """Two reporters of NUMBER, whose texts name a scam site and the real one; another number."""
    store_sms(
        "+33611111111", "De 06 39 98 12 34 : colis bloque, payez sur https://colis-frais.test/p"
    )
    store_sms("+33622222222", "De 06 39 98 12 34 : votre colis, voir ameli.fr ou colis-frais.test")
    store_sms("+33633333333", "De 07 12 34 56 78 : autre arnaque sur https://autre-site.test")


def _set(client: TestClient, status: str, note: str = "") -> str:
    token = csrf_of(client.get(PAGE).text)
    data = {"status": status, "note": note, "csrf_token": token}
    return client.post(f"{PAGE}/status", data=data).text


def test_a_confirmation_says_how_many_reporters_will_be_told() -> None:
    _two_reporters()
    client = signed_in()
    html = _set(client, "confirmed_scam", "fake parcel fees")
    expected = f"Statut passé à «{NBSP}Arnaque confirmée{NBSP}»{NBSP}; 2 signalants seront prévenus"
    assert f'<p class="notice" role="status">{expected} par SMS.</p>' in html
    # The form shows the status now in force, selected.
    assert (
        '<option value="confirmed_scam" selected>Arnaque confirmée (statut actuel)</option>' in html
    )
    assert client.get(PAGE).text.count('class="notice"') == 0  # said once


def test_other_changes_say_what_they_did() -> None:
    _two_reporters()
    client = signed_in()
    assert f"Statut passé à «{NBSP}En cours d’examen{NBSP}»." in _set(client, "investigating")
    assert "Statut inchangé." in _set(client, "investigating")
    _set(client, "confirmed_scam", "scam")
    undone = _set(client, "legitimate", "the real carrier")
    assert "2 SMS de confirmation pas encore partis sont retenus." in undone
    client.get("/console/language/en")
    assert "Status changed to “Investigating”." in _set(client, "investigating")


def test_notes_are_shown_defanged() -> None:
    _two_reporters()
    html = _set(signed_in(), "confirmed_scam", "same as https://colis-frais.test/pay")
    history = html[html.index('<table class="history">') :]
    assert "hxxps://colis-frais[.]test/pay" in history and "https://colis" not in history


def test_a_numbers_page_offers_to_confirm_the_domains_seen_with_it() -> None:
    _two_reporters()
    client = signed_in()
    html = client.get(PAGE).text
    form = html[html.index('class="status-form domains-confirm"') :]
    form = form[: form.index("</form>")]
    assert '<input type="checkbox" name="domain" value="colis-frais[.]test" checked>' in form
    assert '<input type="checkbox" name="domain" value="ameli[.]fr">' in form  # official: unticked
    assert "autre-site" not in form  # another number's domain
    token = csrf_of(html)
    data = {
        "note": "fake parcel site",
        "domain": ["colis-frais[.]test", "autre-site[.]test"],
        "csrf_token": token,
    }
    page = client.post(f"{PAGE}/domains", data=data).text
    assert f"1 domaine confirmé comme arnaque{NBSP}; La liste de blocage publie" in page
    with session_scope() as session:
        statuses = dict(session.execute(select(Domain.domain, Domain.status)).all())
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "set_domain_status")
        ).one()
    assert statuses["colis-frais[.]test"] == "confirmed_scam"
    assert statuses["autre-site[.]test"] == "new" and statuses["ameli[.]fr"] == "new"
    assert (audit.target_id, audit.detail["via"]) == ("colis-frais[.]test", NUMBER)
    refused = client.post(f"{PAGE}/domains", data={"note": "x", "csrf_token": token}).text
    assert "Cochez au moins un domaine" in refused
    assert client.post(f"{PAGE}/domains", data={"note": "x"}).status_code == 403  # no CSRF token


def test_a_domain_verdict_says_what_it_did_to_the_blocklist() -> None:
    _two_reporters()
    client = signed_in()
    page = "/console/domains/colis-frais[.]test"
    token = csrf_of(client.get(page).text)
    url = "/console/domains/colis-frais%5B.%5Dtest/status"
    data = {"status": "confirmed_scam", "note": "fake", "csrf_token": token}
    html = client.post(url, data=data).text
    assert (
        f"Verdict enregistré{NBSP}: «{NBSP}Arnaque confirmée{NBSP}»{NBSP}; Le domaine entre" in html
    )
    assert "Verdict inchangé." in client.post(url, data=data).text
    data["status"] = "legitimate"
    assert "Le domaine sort de la liste de blocage." in client.post(url, data=data).text
