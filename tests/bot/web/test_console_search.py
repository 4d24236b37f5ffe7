"""The console's search: numbers in any spelling, domains plain or defanged, text; results link
to their pages, texts stay safe, queries are audited and spend the view quota."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.db.session import session_scope
from tests.conftest import _reset_caches
from tests.console_fixtures import HOSTILE, signed_in
from tests.factories import store_sms

PARCEL = (
    "De 06 39 98 12 34 : Votre colis est retenu au centre de tri, des frais de 1,99€ sont a "
    "regler sur https://colis-frais.test/p sous 48h."
)


def _search(client: TestClient, q: str) -> str:
    response = client.get("/console/search", params={"q": q})
    assert response.status_code == 200, response.text
    return response.text


@pytest.mark.parametrize(
    "spelling",
    ["06 39 98 12 34", "0639981234", "+33 6 39 98 12 34", "0033639981234", "06.39.98.12.34"],
)
def test_a_number_is_found_in_any_spelling(spelling: str) -> None:
    store_sms("+33611111111", PARCEL)
    html = _search(signed_in(), spelling)
    assert 'href="/console/numbers/+33639981234"' in html
    assert "centre de tri" in html  # its report


@pytest.mark.parametrize(
    "spelling",
    ["colis-frais.test", "colis-frais[.]test", "hxxps://colis-frais[.]test/x", "COLIS-FRAIS.TEST"],
)
def test_a_domain_is_found_plain_or_defanged(spelling: str) -> None:
    store_sms("+33611111111", PARCEL)
    html = _search(signed_in(), spelling)
    assert 'href="/console/domains/colis-frais%5B.%5Dtest"' in html
    assert "https://colis-frais.test" not in html


def test_text_is_found_and_nothing_else_matches_by_accident() -> None:
    store_sms("+33611111111", PARCEL)
    client = signed_in()
    html = _search(client, "CENTRE DE TRI")
    assert "centre de tri" in html and "Aucun numéro ne correspond" in html
    assert "Signalements (0)" in _search(client, "100%_")  # wildcards are literal


def test_hostile_texts_and_queries_stay_escaped() -> None:
    store_sms("+33611111111", "De 06 39 98 12 34 : " + HOSTILE)
    client = signed_in()
    html = _search(client, "colis est bloque")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html.lower() and "javascript[:]alert(1)" in html
    assert "https://colis-frais.test" not in html and 'href="http' not in html
    assert "\u202e" not in html and "⟨U+202E⟩" in html
    echoed = _search(client, '"><script>alert(2)</script>')
    assert "<script>alert(2)" not in echoed
    assert 'value="&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in echoed


def test_every_query_is_audited_and_an_empty_box_is_not() -> None:
    store_sms("+33611111111", PARCEL)
    client = signed_in()
    client.get("/console/search")
    _search(client, "06 39 98 12 34")
    with session_scope() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "search")).all()
    assert (entry.actor, entry.target_type, entry.ip) == ("ana@example.org", "search", "testclient")
    assert entry.detail == {"reports": [1], "query": "06 39 98 12 34"}


def test_the_admin_reads_a_search_s_whole_query_defanged() -> None:
    """A long query is stored under a digest; the audit list shows the query itself."""
    store_sms("+33611111111", PARCEL)
    padded = "a" * 60 + ".colis-frais.test"
    _search(signed_in(), padded)
    page = signed_in("root@example.org", "admin").get("/console/admin").text
    assert f"search « {'a' * 60}[.]colis-frais[.]test »" in page
    assert "sha256:" not in page


def test_overlong_queries_are_refused_and_not_echoed() -> None:
    client = signed_in()
    response = client.get("/console/search", params={"q": "x" * 101})
    assert response.status_code == 400 and "au plus 100 caractères" in response.text
    assert "x" * 101 not in response.text


def test_searches_spend_the_view_quota_by_what_they_show(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_VIEW_QUOTA_PER_HOUR", "1")
    _reset_caches()
    store_sms("+33611111111", PARCEL)
    store_sms("+33622222222", "De 06 39 98 55 55 : autre arnaque au colis sur autre-colis.test")
    client = signed_in()
    _search(client, "centre de tri")  # shows +33639981234: 1 record
    _search(client, "Centre   de TRI")  # the same record again: free
    _search(client, "06 39 98 12 34")  # the same number, another way in: free
    locked = client.get("/console/search", params={"q": "autre arnaque"})  # 1 more: over
    assert locked.status_code == 429 and "Consultations bloquées" in locked.text
    assert "autre arnaque" not in locked.text
    assert client.get("/console/search", params={"q": "centre de tri"}).status_code == 429
    assert client.get("/console/numbers/+33639981234").status_code == 429


def test_padded_queries_do_not_pass_a_spent_quota(monkeypatch: pytest.MonkeyPatch) -> None:
    """Red team: queries padded to share a 64-character prefix searched without limit."""
    monkeypatch.setenv("CONSOLE_VIEW_QUOTA_PER_HOUR", "5")
    _reset_caches()
    for i in range(10):
        store_sms(f"+336111111{i:02d}", f"Frais de colis a regler sur https://colis-{i}.test/p")
    client = signed_in()
    # Every padded query starts with the same 64 characters, then names another domain.
    pad = "a" * 40 + "." + "b" * 30 + "."
    served = 0
    for i in range(10):
        query = f"colis-{i}.test" if i % 2 else f"{pad}colis-{i}.test"
        response = client.get("/console/search", params={"q": query})
        served += response.status_code == 200 and f"colis-{i}[.]test" in response.text
    assert served <= 5
    with session_scope() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
        queries = [
            e.detail["query"]
            for e in session.scalars(select(AuditEntry).where(AuditEntry.action == "search"))
        ]
    assert "views_locked" in actions
    assert any(len(q) > 64 for q in queries)  # the audit keeps the whole query
    with session_scope() as session:
        from bot.db.models import ConsoleAlert

        assert session.scalars(select(ConsoleAlert.kind)).all() == ["view_quota"]


def test_the_search_box_is_in_the_top_navigation() -> None:
    html = signed_in().get("/console/").text
    assert '<form method="get" action="/console/search" class="nav-search"' in html
