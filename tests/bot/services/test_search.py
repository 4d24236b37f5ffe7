"""Search by any spelling of a number, by a defanged or plain domain, and by literal text."""

from __future__ import annotations

import pytest

from bot.db.session import session_scope
from bot.services.search import QueryTooLong, like_pattern, search
from tests.factories import store_sms

pytestmark = pytest.mark.storage

PARCEL = (
    "De 06 39 98 12 34 : Votre colis est retenu, frais de 1,99€ a regler sur "
    "https://www.colis-frais.test/a?x=1 sous 48h."
)


def _ids(query: str, **kwargs: object) -> list[int]:
    with session_scope() as session:
        return search(session, query, **kwargs).report_ids  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "spelling", ["06 39 98 12 34", "+33639981234", "0033 6 39 98 12 34", "06.39.98.12.34"]
)
def test_any_spelling_of_a_number_finds_it(spelling: str) -> None:
    report_id = store_sms("+33600000001", PARCEL)
    store_sms("+33600000002", "appel 07 12 34 56 78")
    with session_scope() as session:
        found = search(session, spelling)
        assert [n.number for n in found.numbers] == ["+33639981234"]
        assert found.report_ids == [report_id]


@pytest.mark.parametrize(
    "spelling",
    [
        "colis-frais.test",
        "colis-frais[.]test",
        "hxxps://www.colis-frais[.]test/a",
        "COLIS-FRAIS.TEST",
    ],
)
def test_a_domain_is_found_defanged_or_plain(spelling: str) -> None:
    report_id = store_sms("+33600000001", PARCEL)
    with session_scope() as session:
        found = search(session, spelling, kinds=("domain",))
        assert [d.domain for d in found.domains] == ["colis-frais[.]test"]
        assert found.report_ids == [report_id]


def test_text_search_takes_percent_and_underscore_literally() -> None:
    hit = store_sms("+33600000001", "Remise de 50% sur_votre commande, code promo_2025 ici a.test")
    store_sms("+33600000002", "Remise de 50 euros sur votre commande ici b.test aujourd'hui")
    assert _ids("50%", kinds=("text",)) == [hit]
    assert _ids("%%%", kinds=("text",)) == []  # literal, not "anything"
    assert _ids("___", kinds=("text",)) == []
    assert _ids("de 50% sur", kinds=("text",)) == [hit]
    assert _ids("SUR_VOTRE", kinds=("text",)) == [hit]
    assert _ids("%", kinds=("text",)) == []
    assert _ids("sur_", kinds=("text",)) == [hit]


def test_like_pattern_escapes_wildcards_and_the_escape_itself() -> None:
    assert like_pattern("a%b_c\\d") == "%a\\%b\\_c\\\\d%"


def test_overlong_queries_are_refused() -> None:
    with session_scope() as session, pytest.raises(QueryTooLong):
        search(session, "x" * 101)


def test_a_nul_in_the_query_is_dropped_not_a_database_error() -> None:
    with session_scope() as session:
        result = search(session, "\x00colis\x00")
    assert result is not None
