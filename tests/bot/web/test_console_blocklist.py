"""The console's blocklist page: what the feed publishes, domains defanged, and the CSV export
through the console, audited as an export."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.db.models import AuditEntry, Domain
from bot.db.session import session_scope
from bot.services.domains import set_domain_status
from bot.web.app import create_app
from tests.console_fixtures import signed_in
from tests.factories import number_id, set_status, store_sms

PARCEL = "De 06 39 98 12 34 : colis retenu, frais a regler sur https://colis-frais.test/p"


def _confirm_both() -> None:
    store_sms("+33611111111", PARCEL)
    set_status(number_id("+33639981234"), "confirmed_scam", note="<b>parcel fee</b>")
    with session_scope() as session:
        domain = session.scalars(select(Domain)).one()
        set_domain_status(session, domain, "confirmed_scam", "ana@example.org", "fake carrier")


def test_the_page_lists_what_the_feed_publishes_safely() -> None:
    _confirm_both()
    html = signed_in().get("/console/blocklist").text
    assert 'href="/console/numbers/+33639981234"' in html
    assert 'href="/console/domains/colis-frais%5B.%5Dtest"' in html
    assert "colis-frais.test" not in html  # defanged again on a page
    assert "&lt;b&gt;parcel fee&lt;/b&gt;" in html and "fake carrier" in html
    assert "2 entrées\u00a0: 1 numéro, 1 domaine." in html
    with session_scope() as session:
        assert "view_blocklist" in session.scalars(select(AuditEntry.action)).all()


def test_a_legitimate_verdict_removes_the_entry() -> None:
    _confirm_both()
    set_status(number_id("+33639981234"), "legitimate", note="a real carrier")
    html = signed_in().get("/console/blocklist").text
    assert "+33639981234" not in html and "1 entrée\u00a0: 0 numéro, 1 domaine." in html


def test_the_csv_export_is_the_feed_and_is_audited_as_an_export() -> None:
    _confirm_both()
    response = signed_in().get("/console/blocklist.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0] == "type,value,confirmed_at,reason"
    assert lines[1].startswith("number,+33639981234,") and lines[2].startswith(
        "domain,colis-frais.test,"
    )
    with session_scope() as session:
        export = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "blocklist_export")
        ).one()
    assert (export.actor, export.ip) == ("ana@example.org", "testclient")
    assert export.detail == {"format": "csv", "entries": 2}


def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    client = TestClient(create_app())
    for path in ("/console/blocklist", "/console/blocklist.csv", "/console/search?q=x"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/console/login"
