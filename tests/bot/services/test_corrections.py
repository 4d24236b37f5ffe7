"""Analysts' corrections become masked training records while within retention."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db.models import Report
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.services.corrections import UnknownFamily, correct_family, corrected_reports
from tests.console_fixtures import seed_report

pytestmark = pytest.mark.storage

BODY = "Bonjour Marie Curie, votre colis attend. Appelez le 06 12 34 56 78 ou payez sur colis.test"


def test_a_corrected_report_is_a_masked_training_record() -> None:
    report_id = seed_report(None, BODY, family="unknown")
    with session_scope() as db:
        report = db.get(Report, report_id)
        assert report is not None
        assert correct_family(db, report, "parcel", "ana@example.org", "127.0.0.1")
        assert not correct_family(db, report, "parcel", "ana@example.org", "127.0.0.1")
    with session_scope() as db:
        records = corrected_reports(db, retention_days=90)
    assert len(records) == 1
    record = records[0]
    assert record["family"] == "parcel" and record["writer"] == "analyst"
    assert "06 12 34 56 78" not in record["body"] and "Curie" not in record["body"]
    assert "06 39 98 00 00" in record["body"] and "colis.test" in record["body"]


def test_corrections_past_retention_are_not_learned_from() -> None:
    report_id = seed_report(None, BODY, family="unknown", at=utcnow() - timedelta(days=120))
    with session_scope() as db:
        report = db.get(Report, report_id)
        assert report is not None
        correct_family(db, report, "parcel", "ana@example.org", None)
        assert corrected_reports(db, retention_days=90) == []


def test_a_family_that_does_not_exist_is_refused() -> None:
    report_id = seed_report(None, BODY)
    with session_scope() as db, pytest.raises(UnknownFamily):
        report = db.get(Report, report_id)
        assert report is not None
        correct_family(db, report, "not_a_family", "ana@example.org", None)
