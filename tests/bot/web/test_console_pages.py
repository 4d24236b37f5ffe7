"""Console pages: what they show, how safely, what they audit, and the view quota."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db.models import AuditEntry, ConsoleAlert, NumberStatusChange, User
from bot.db.session import session_scope
from bot.db.types import utcnow
from tests.conftest import _reset_caches
from tests.console_fixtures import HOSTILE, csrf_of, seed_report, seed_spread, signed_in
from tests.factories import store_sms

NUMBER = "+33639981234"


def test_the_overview_shows_volume_top_numbers_domains_risers_and_families() -> None:
    seed_spread(NUMBER, 6, hours=12)
    seed_report(
        "0975123456", "Votre banque: appelez", family="bank", at=utcnow() - timedelta(days=3)
    )
    page = signed_in().get("/console/")
    assert page.status_code == 200
    html = page.text
    assert "<svg" in html and "Signalements par heure" in html
    assert NUMBER in html and "+33975123456" in html
    assert "colis-0[.]test" in html  # top domains, defanged
    assert "En plus forte hausse" in html
    assert "Colis" in html and "Banque" in html  # families, in words
    assert page.headers["content-security-policy"].startswith("default-src 'none'")


def test_the_numbers_list_filters_sorts_and_pages() -> None:
    seed_spread(NUMBER, 3)
    seed_report("0975123456", "appel banque", family="bank", channel="call")
    seed_report("38455", "ancien", family="parcel", at=utcnow() - timedelta(days=20))
    client = signed_in()
    html = client.get("/console/numbers?family=bank").text
    assert "+33975123456" in html and NUMBER not in html
    html = client.get("/console/numbers?channel=call").text
    assert "+33975123456" in html and NUMBER not in html
    html = client.get("/console/numbers?number_type=short_code").text
    assert "38455" in html and NUMBER not in html
    html = client.get("/console/numbers?period=7d").text
    assert "38455" not in html and NUMBER in html
    html = client.get("/console/numbers?status=confirmed_scam").text
    assert "Aucun numéro ne correspond" in html
    html = client.get("/console/numbers?sort=reporters").text
    assert html.index(NUMBER) < html.index("+33975123456")
    html = client.get("/console/numbers?sort=last_seen").text
    assert html.index("38455") > html.index(NUMBER)
    # Junk filter values are ignored rather than trusted.
    assert client.get("/console/numbers?status=<x>&sort=drop").status_code == 200


def test_a_number_that_is_not_valid_has_its_page_and_its_filter() -> None:
    store_sms("+33611111111", "appel +22507123456, il demandait mon code")
    seed_report(NUMBER, "colis")
    client = signed_in()
    html = client.get("/console/numbers?number_type=invalid").text
    assert 'href="/console/numbers/+22507123456"' in html and NUMBER not in html
    page = client.get("/console/numbers/+22507123456")
    assert page.status_code == 200
    assert "<dd>Numéro invalide, gardé tel que reçu</dd>" in page.text
    assert "il demandait mon code" in page.text


def test_the_numbers_list_is_paginated(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.services import number_views

    monkeypatch.setattr(number_views, "PAGE_SIZE", 2)
    monkeypatch.setattr(number_views.list_numbers, "__defaults__", (2,))
    for n in ("0611111111", "0622222222", "0633333333"):
        seed_report(n, "colis")
    client = signed_in()
    first = client.get("/console/numbers?sort=last_seen").text
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/console/numbers?sort=last_seen&page=2").text
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "+33611111111" in second


def test_hostile_texts_are_escaped_defanged_and_never_clickable() -> None:
    seed_report(NUMBER, HOSTILE + "\x07\x1b[31m")
    html = signed_in().get(f"/console/numbers/{NUMBER}").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html.lower()
    assert "javascript[:]alert(1)" in html
    assert "https://colis-frais.test" not in html
    assert "hxxps://colis-frais[.]test/pay" in html
    assert 'href="hxxp' not in html and 'href="http' not in html
    assert "\u202e" not in html and "⟨U+202E⟩" in html
    assert "\x07" not in html and "\x1b" not in html
    assert '<details class="text">' in html  # the 3000-character text is folded


def test_reporters_appear_only_as_pseudonyms() -> None:
    seed_report(NUMBER, "colis", reporter="+33612345678")
    html = signed_in().get(f"/console/numbers/{NUMBER}").text
    assert "612345678" not in html and "12 34 56 78" not in html
    assert 'class="pseudonym">R-' in html


def test_reasons_and_indicators_link_to_their_own_pages() -> None:
    seed_report(
        NUMBER,
        "Rappelez le 0975123456 ou allez sur colis-frais.test",
        reasons=("asks to call back",),
    )
    client = signed_in()
    html = client.get("/console/numbers/06 39 98 12 34").text  # any spelling
    assert "asks to call back" in html
    assert 'href="/console/numbers/+33975123456"' in html
    assert 'href="/console/domains/colis-frais%5B.%5Dtest"' in html
    domain = client.get("/console/domains/colis-frais[.]test")
    assert domain.status_code == 200 and NUMBER in domain.text
    assert client.get("/console/numbers/+33100000000").status_code == 404


def test_every_view_is_audited_with_who_what_and_where() -> None:
    report_id = seed_report(NUMBER, "colis")
    client = signed_in()
    client.get(f"/console/numbers/{NUMBER}")
    client.get("/console/numbers.csv?status=new")
    with session_scope() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    view = next(e for e in entries if e.action == "view_number")
    assert (view.actor, view.target_id, view.ip) == ("ana@example.org", NUMBER, "testclient")
    assert view.detail["reports"] == [report_id]
    export = next(e for e in entries if e.action == "export_numbers")
    assert export.detail == {"filters": {"status": "new", "sort": "reporters"}, "rows": 1}


def test_the_status_workflow_records_who_what_when_and_why() -> None:
    seed_report(NUMBER, "colis")
    client = signed_in()
    token = csrf_of(client.get(f"/console/numbers/{NUMBER}").text)
    url = f"/console/numbers/{NUMBER}/status"
    client.post(url, data={"status": "investigating", "csrf_token": token})
    # A verdict without a note is refused and says why.
    refused = client.post(url, data={"status": "confirmed_scam", "csrf_token": token})
    assert "un verdict demande une note" in refused.text
    page = client.post(
        url,
        data={"status": "confirmed_scam", "note": "<b>fake parcel fee</b>", "csrf_token": token},
    )
    assert page.status_code == 200
    assert "&lt;b&gt;fake parcel fee&lt;/b&gt;" in page.text
    with session_scope() as session:
        changes = session.scalars(select(NumberStatusChange).order_by(NumberStatusChange.id)).all()
        assert [(c.from_status, c.to_status) for c in changes] == [
            ("new", "investigating"),
            ("investigating", "confirmed_scam"),
        ]
        assert changes[-1].actor == "ana@example.org"
        assert "set_status" in session.scalars(select(AuditEntry.action)).all()


def test_passing_the_view_quota_locks_views_and_alerts_the_admins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONSOLE_VIEW_QUOTA_PER_HOUR", "2")
    _reset_caches()
    for number in ("0611111111", "0622222222", "0633333333"):
        seed_report(number, "colis")
    analyst = signed_in()
    assert analyst.get("/console/numbers/+33611111111").status_code == 200
    assert analyst.get("/console/numbers/+33611111111").status_code == 200  # same: no new count
    assert analyst.get("/console/numbers/+33622222222").status_code == 200
    locked = analyst.get("/console/numbers/+33633333333")
    assert locked.status_code == 429 and "Consultations bloquées" in locked.text
    # Locked means locked: even numbers seen before, and domain pages.
    assert analyst.get("/console/numbers/+33611111111").status_code == 429
    assert analyst.get("/console/domains/x[.]test").status_code == 429

    admin = signed_in("root@example.org", "admin")
    page = admin.get("/console/admin")
    assert 'class="alert-banner"' in page.text and "ana@example.org a dépassé le quota" in page.text
    with session_scope() as session:
        user_id = session.scalars(select(User.id).where(User.email == "ana@example.org")).one()
        assert session.scalars(select(ConsoleAlert.kind)).all() == ["view_quota"]
    token = csrf_of(page.text)
    admin.post(f"/console/admin/users/{user_id}/unlock", data={"csrf_token": token})
    assert analyst.get("/console/numbers/+33611111111").status_code == 200
    assert 'class="alert-banner"' not in admin.get("/console/admin").text


def test_admins_create_and_revoke_api_tokens() -> None:
    admin = signed_in("root@example.org", "admin")
    token = csrf_of(admin.get("/console/admin").text)
    page = admin.post(
        "/console/admin/tokens",
        data={"name": "operator", "scope": ["blocklist:read"], "csrf_token": token},
    )
    assert "scl_" in page.text
    assert "blocklist:read" in admin.get("/console/admin").text
    none = admin.post("/console/admin/tokens", data={"name": "x", "csrf_token": token})
    assert none.status_code == 422  # a token with no scope would be useless: refused
    admin.post("/console/admin/tokens/1/revoke", data={"csrf_token": token})
    assert "révoqué le" in admin.get("/console/admin").text


@pytest.mark.parametrize("name", ["\x00", "ops\x00team", "tab\there", "   "])
def test_a_token_name_with_control_characters_or_nothing_visible_is_a_422(name: str) -> None:
    admin = signed_in("root@example.org", "admin")
    token = csrf_of(admin.get("/console/admin").text)
    page = admin.post("/console/admin/tokens", data={"name": name, "csrf_token": token})
    assert page.status_code == 422
    assert "scl_" not in page.text


def test_no_link_can_make_the_console_display_chosen_text() -> None:
    seed_report(NUMBER, "colis")
    client = signed_in()
    page = client.get(f"/console/numbers/{NUMBER}?error=Call+0800+123+456+to+unlock")
    assert "to unlock" not in page.text
