"""Retention: personal data older than RETENTION_DAYS is deleted, the per-number counts stay.

What goes: raw texts, the links between reporters and what they reported, the encrypted phone
numbers, the raw webhook parameters. What stays: each number's counts, first and last seen,
and each report's family and indicators, so trends and the blocklist keep their history.
A reporter who said STOP keeps a bare pseudonym, so that the opt-out is still honoured.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.db.models import (
    CallStatusEvent,
    DeliveryEvent,
    InboundEvent,
    NumberReporter,
    Reply,
    Report,
    Reporter,
)
from bot.db.types import utcnow


@dataclass
class PurgeResult:
    cutoff: datetime
    reports: int = 0
    events: int = 0
    links: int = 0
    replies: int = 0
    reporters_deleted: int = 0
    reporters_kept_for_opt_out: int = 0
    callbacks: int = 0

    def __str__(self) -> str:
        return (
            f"purged data older than {self.cutoff:%Y-%m-%d %H:%M} UTC: "
            f"{self.reports} report texts, "
            f"{self.events} raw events, {self.links} reporter links, {self.replies} replies, "
            f"{self.callbacks} status callbacks; {self.reporters_deleted} reporters deleted, "
            f"{self.reporters_kept_for_opt_out} kept as bare opt-outs"
        )


def _rows(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def purge_personal_data(session: Session, retention_days: int) -> PurgeResult:
    cutoff = utcnow() - timedelta(days=retention_days)
    result = PurgeResult(cutoff)
    result.reports = _rows(
        session.execute(
            update(Report)
            .where(Report.received_at < cutoff)
            .where((Report.body.is_not(None)) | (Report.reporter_id.is_not(None)))
            .values(body=None, reporter_id=None)
        )
    )
    result.events = _rows(
        session.execute(
            update(InboundEvent)
            .where(InboundEvent.received_at < cutoff, InboundEvent.status != "received")
            .where(
                (InboundEvent.from_enc.is_not(None))
                | (InboundEvent.reporter_pseudonym.is_not(None))
            )
            .values(params={}, from_enc=None, reporter_pseudonym=None)
        )
    )
    result.links = _rows(
        session.execute(delete(NumberReporter).where(NumberReporter.first_reported_at < cutoff))
    )
    result.replies = _rows(
        session.execute(
            update(Reply)
            .where(Reply.created_at < cutoff, Reply.reporter_id.is_not(None))
            .values(reporter_id=None)
        )
    )
    for model, column in (
        (DeliveryEvent, DeliveryEvent.received_at),
        (CallStatusEvent, CallStatusEvent.received_at),
    ):
        result.callbacks += _rows(session.execute(delete(model).where(column < cutoff)))
    inactive = select(Reporter.id).where(Reporter.last_seen_at < cutoff)
    result.reporters_kept_for_opt_out = _rows(
        session.execute(
            update(Reporter)
            .where(Reporter.id.in_(inactive), Reporter.opted_out.is_(True))
            .values(phone_enc=None, awaiting_report_id=None, awaiting_until=None)
        )
    )
    result.reporters_deleted = _rows(
        session.execute(
            delete(Reporter).where(Reporter.last_seen_at < cutoff, Reporter.opted_out.is_(False))
        )
    )
    return result
