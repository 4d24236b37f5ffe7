"""Retention: old personal data goes, per-number counts and STOP stay."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import InboundEvent, NumberReporter, Report, ReportedNumber, Reporter
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.services.intake import record_inbound_event
from bot.services.processing import process_sms_event
from bot.services.purge import purge_personal_data
from workers.sweeper import purge_if_due

pytestmark = pytest.mark.storage


def send(body: str, sender: str, days_ago: int = 0) -> None:
    with session_scope() as session:
        event, _ = record_inbound_event(
            session, "SM" + secrets.token_hex(16), "sms", {"Body": body}, sender
        )
        process_sms_event(session, event.id)
    if days_ago:
        past = utcnow() - timedelta(days=days_ago)
        with session_scope() as session:
            for model, column in (
                (InboundEvent, "received_at"),
                (Report, "received_at"),
                (NumberReporter, "first_reported_at"),
            ):
                for row in session.scalars(select(model)):
                    setattr(row, column, past)
            for reporter in session.scalars(select(Reporter)):
                reporter.last_seen_at = past


def test_old_texts_and_links_go_counts_stay() -> None:
    send("appel du 06 39 98 12 34, faux conseiller", "+33611111111", days_ago=100)
    with session_scope() as session:
        result = purge_personal_data(session, retention_days=90)
    assert result.reports == 1 and result.links == 1 and result.reporters_deleted == 1
    with session_scope() as session:
        report = session.scalars(select(Report)).one()
        assert report.body is None and report.reporter_id is None
        assert report.family and report.numbers == ["+33639981234"]
        number = session.scalars(select(ReportedNumber)).one()
        assert (number.report_count, number.reporter_count) == (1, 1)
        assert session.scalar(select(func.count()).select_from(Reporter)) == 0
        event = session.scalars(select(InboundEvent)).one()
        assert event.params == {} and event.from_enc is None


def test_recent_data_is_untouched() -> None:
    send("appel du 06 39 98 12 34", "+33611111111", days_ago=10)
    with session_scope() as session:
        result = purge_personal_data(session, retention_days=90)
    assert (result.reports, result.links, result.reporters_deleted) == (0, 0, 0)


def test_an_opt_out_survives_the_purge() -> None:
    send("STOP", "+33611111111", days_ago=100)
    with session_scope() as session:
        result = purge_personal_data(session, retention_days=90)
        assert result.reporters_kept_for_opt_out == 1
        reporter = session.scalars(select(Reporter)).one()
        assert reporter.opted_out and reporter.phone_enc is None


def test_the_worker_runs_the_purge_once_a_day() -> None:
    send("appel du 06 39 98 12 34", "+33611111111", days_ago=100)
    first = purge_if_due()
    assert first is not None and first.reports == 1
    assert purge_if_due() is None  # already done today
