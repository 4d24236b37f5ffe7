"""The domain verdict on the console's domain page: CSRF, a note, history, audit, and the feed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.db.models import AuditEntry, Domain, DomainStatusChange
from bot.db.session import session_scope
from bot.web.app import create_app
from tests.console_fixtures import csrf_of, signed_in
from tests.factories import store_sms
from tests.factories import token as api_token

PAGE = "/console/domains/colis-frais[.]test"
URL = "/console/domains/colis-frais[.]test/status"


def _seed() -> None:
    store_sms(
        "+33611111111", "De 06 39 98 12 34 : colis retenu, payez sur https://colis-frais.test/p"
    )


def _status() -> str:
    with session_scope() as session:
        return session.scalars(select(Domain.status)).one()


def test_the_verdict_form_is_refused_without_the_right_csrf_token() -> None:
    _seed()
    client = signed_in()
    client.get(PAGE)
    data = {"status": "confirmed_scam", "note": "fake carrier"}
    assert client.post(URL, data=data).status_code == 403
    assert client.post(URL, data=data | {"csrf_token": "forged"}).status_code == 403
    assert _status() == "new"


def test_a_verdict_needs_a_note_and_a_known_verdict() -> None:
    _seed()
    client = signed_in()
    token = csrf_of(client.get(PAGE).text)
    refused = client.post(URL, data={"status": "confirmed_scam", "csrf_token": token})
    assert "Un verdict demande une note" in refused.text
    odd = client.post(URL, data={"status": "new", "note": "x", "csrf_token": token})
    assert "Choisissez arnaque confirmée, légitime ou écarté" in odd.text
    assert _status() == "new"
    assert (
        client.post(
            "/console/domains/never[.]test/status",
            data={"status": "dismissed", "note": "x", "csrf_token": token},
        ).status_code
        == 404
    )


def test_confirming_a_domain_puts_it_in_the_blocklist_and_legitimate_takes_it_out() -> None:
    _seed()
    client = signed_in()
    token = csrf_of(client.get(PAGE).text)
    page = client.post(
        URL, data={"status": "confirmed_scam", "note": "<i>fake carrier</i>", "csrf_token": token}
    )
    assert page.status_code == 200 and "status-confirmed_scam" in page.text
    assert "&lt;i&gt;fake carrier&lt;/i&gt;" in page.text  # the history, escaped
    api = TestClient(create_app())
    auth = {"Authorization": f"Bearer {api_token()}"}
    feed = api.get("/api/v1/blocklist", headers=auth).json()
    assert {"type": "domain", "value": "colis-frais.test"} in [
        {"type": e["type"], "value": e["value"]} for e in feed["entries"]
    ]
    assert feed["entries"][0]["reason"] == "<i>fake carrier</i>"

    client.post(URL, data={"status": "legitimate", "note": "it is real", "csrf_token": token})
    assert api.get("/api/v1/blocklist", headers=auth).json()["count"] == 0
    with session_scope() as session:
        changes = session.scalars(select(DomainStatusChange).order_by(DomainStatusChange.id)).all()
        assert [(c.from_status, c.to_status, c.actor) for c in changes] == [
            ("new", "confirmed_scam", "ana@example.org"),
            ("confirmed_scam", "legitimate", "ana@example.org"),
        ]
        audits = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "set_domain_status")
        ).all()
        assert [(a.target_id, a.detail["to"]) for a in audits] == [
            ("colis-frais[.]test", "confirmed_scam"),
            ("colis-frais[.]test", "legitimate"),
        ]
