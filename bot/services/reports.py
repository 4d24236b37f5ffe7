"""Reports and the per-number log: counts, distinct reporters, first and last seen, channels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import InboundEvent, NumberReporter, Report, ReportedNumber
from bot.db.types import utcnow
from bot.domain.classifier import Classification
from bot.domain.indicators import Indicators
from bot.domain.numbers import Number
from bot.services.dialect import earlier_of, insert_ignore, insert_returning, later_of


def record_report(
    session: Session,
    event: InboundEvent,
    *,
    reporter_id: int | None,
    channel: str,
    body: str,
    language: str,
    indicators: Indicators,
    classification: Classification,
) -> Report:
    report = Report(
        event_id=event.id,
        source_sid=event.source_sid,
        received_at=event.received_at,
        channel=channel,
        reporter_id=reporter_id,
        body=body,
        family=classification.family,
        language=language,
        reasons=list(classification.reasons),
        acted=classification.acted,
        numbers=[n.canonical for n in indicators.numbers],
        domains=indicators.defanged_domains,
        urls=indicators.defanged_urls,
    )
    session.add(report)
    session.flush()
    return report


def count_report_on_number(
    session: Session, number: Number, seen_at: datetime, channel: str
) -> ReportedNumber:
    """Count one more report against the number, creating its row if new, in one statement.

    The upsert leaves the row locked until commit (PostgreSQL; SQLite locks the database), so
    concurrent workers never lose a count.
    """
    call = 1 if channel == "call" else 0
    record = insert_returning(
        session,
        ReportedNumber,
        {
            "number": number.canonical,
            "number_type": number.number_type.value,
            "country": number.country,
            "report_count": 1,
            "reporter_count": 0,
            "sms_count": 1 - call,
            "call_count": call,
            "first_reported_at": seen_at,
            "last_reported_at": seen_at,
            "status": "new",
        },
        "number",
        update={
            "report_count": ReportedNumber.report_count + 1,
            "sms_count": ReportedNumber.sms_count + (1 - call),
            "call_count": ReportedNumber.call_count + call,
            "first_reported_at": earlier_of(ReportedNumber.first_reported_at, seen_at),
            "last_reported_at": later_of(ReportedNumber.last_reported_at, seen_at),
        },
    )
    assert record is not None  # DO UPDATE always returns the row
    return record


def attach_number(session: Session, report: Report, number: Number) -> ReportedNumber:
    """Log the report against its number, counting each reporter once per number."""
    record = count_report_on_number(session, number, report.received_at, report.channel)
    report.number_id = record.id
    if report.reporter_id is not None and insert_ignore(
        session,
        NumberReporter,
        {
            "number_id": record.id,
            "reporter_id": report.reporter_id,
            "first_reported_at": report.received_at,
        },
        "number_id",
        "reporter_id",
    ):
        # The row is locked since the upsert, so this increment is safe.
        record.reporter_count += 1
    session.flush()
    report.number = record
    return record


def find_number(session: Session, canonical: str) -> ReportedNumber | None:
    return session.scalars(
        select(ReportedNumber).where(ReportedNumber.number == canonical)
    ).one_or_none()


def reported_at(now: datetime | None = None) -> datetime:
    return now or utcnow()
