"""The blocklist: only confirmed numbers and domains, domains refanged, CSV safe in spreadsheets."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from bot.db.session import session_scope
from bot.services import blocklist
from bot.services.blocklist import Entry, safe_cell, to_csv
from bot.services.domains import UnknownStatus, find_domain, set_domain_status
from tests.factories import number_id, set_status, store_sms

pytestmark = pytest.mark.storage

PARCEL = "De 06 39 98 12 34 : Votre colis est retenu, frais de 1,99€ sur https://colis-frais.test/a"


def _confirm_domain(raw: str, status: str = "confirmed_scam", note: str = "phishing") -> None:
    with session_scope() as session:
        domain = find_domain(session, raw)
        assert domain is not None
        set_domain_status(session, domain, status, "analyst@test", note)


def _entries() -> list[Entry]:
    with session_scope() as session:
        return blocklist.entries(session)


def test_lists_confirmed_numbers_and_refanged_domains_with_when_and_why() -> None:
    store_sms("+33600000001", PARCEL)
    store_sms("+33600000002", "appel 07 12 34 56 78")
    assert _entries() == []
    set_status(number_id("+33639981234"), "confirmed_scam", note="fake parcel fees")
    _confirm_domain("colis-frais[.]test", note="parcel phishing kit")
    rows = _entries()
    assert [(r.type, r.value, r.reason) for r in rows] == [
        ("number", "+33639981234", "fake parcel fees"),
        ("domain", "colis-frais.test", "parcel phishing kit"),
    ]
    assert all(isinstance(r.confirmed_at, datetime) for r in rows)


def test_a_legitimate_verdict_removes_the_entry() -> None:
    store_sms("+33600000001", PARCEL)
    number = number_id("+33639981234")
    set_status(number, "confirmed_scam", note="scam")
    _confirm_domain("colis-frais.test")
    assert len(_entries()) == 2
    set_status(number, "legitimate", note="the real carrier")
    _confirm_domain("colis-frais.test", "legitimate", "the carrier's own site")
    assert _entries() == []


def test_domain_status_is_checked_and_kept_in_history() -> None:
    store_sms("+33600000001", PARCEL)
    with session_scope() as session:
        domain = find_domain(session, "colis-frais.test")
        assert domain is not None
        with pytest.raises(UnknownStatus):
            set_domain_status(session, domain, "blocked", "analyst@test", None)
        assert set_domain_status(session, domain, "investigating", "analyst@test", "look")
        assert not set_domain_status(session, domain, "investigating", "analyst@test", "again")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x.test","clic")', '\'=HYPERLINK("http://x.test","clic")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("+33639981234", "+33639981234"),  # a plain E.164 number stays usable
        ("colis-frais.test", "colis-frais.test"),
    ],
)
def test_csv_cells_cannot_run_as_formulas(value: str, expected: str) -> None:
    assert safe_cell(value) == expected


def test_csv_has_a_header_and_one_row_per_entry() -> None:
    at = datetime.fromisoformat("2026-03-01T10:00:00+00:00")
    text = to_csv(
        [
            Entry("number", "+33639981234", at, "=1+1"),
            Entry("domain", "colis-frais.test", at, 'kit, "quoted"'),
        ]
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        ["type", "value", "confirmed_at", "reason"],
        ["number", "+33639981234", "2026-03-01T10:00:00+00:00", "'=1+1"],
        ["domain", "colis-frais.test", "2026-03-01T10:00:00+00:00", 'kit, "quoted"'],
    ]
