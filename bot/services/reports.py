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
from bot.services.dialect import insert_ignore


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


def upsert_number(session: Session, number: Number, seen_at: datetime) -> ReportedNumber:
    insert_ignore(
        session,
        ReportedNumber,
        {
            "number": number.canonical,
            "number_type": number.number_type.value,
            "country": number.country,
            "report_count": 0,
            "reporter_count": 0,
            "sms_count": 0,
            "call_count": 0,
            "first_reported_at": seen_at,
            "last_reported_at": seen_at,
            "status": "new",
        },
        "number",
    )
    return session.scalars(
        select(ReportedNumber).where(ReportedNumber.number == number.canonical).with_for_update()
    ).one()


def attach_number(session: Session, report: Report, number: Number) -> ReportedNumber:
    """Log the report against its number, counting each reporter once per number."""
    record = upsert_number(session, number, report.received_at)
    report.number_id = record.id
    new_reporter = 0
    if report.reporter_id is not None:
        linked = insert_ignore(
            session,
            NumberReporter,
            {
                "number_id": record.id,
                "reporter_id": report.reporter_id,
                "first_reported_at": report.received_at,
            },
            "number_id",
            "reporter_id",
        )
        new_reporter = 1 if linked else 0
    # The row is locked (PostgreSQL) or the database is (SQLite), so these increments are safe.
    record.report_count += 1
    record.reporter_count += new_reporter
    if report.channel == "call":
        record.call_count += 1
    else:
        record.sms_count += 1
    record.first_reported_at = min(record.first_reported_at, report.received_at)
    record.last_reported_at = max(record.last_reported_at, report.received_at)
    session.flush()
    report.number = record
    return record


def find_number(session: Session, canonical: str) -> ReportedNumber | None:
    return session.scalars(
        select(ReportedNumber).where(ReportedNumber.number == canonical)
    ).one_or_none()


def reported_at(now: datetime | None = None) -> datetime:
    return now or utcnow()
