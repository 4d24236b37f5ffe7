"""Retention: what could identify a reporter goes after RETENTION_DAYS, the audit log after
AUDIT_RETENTION_DAYS; what the product needs, which identifies no one, stays.

What goes, for whatever is older than RETENTION_DAYS (90 days by default):
- reports: the text, the link to the reporter, the numbers found in the text (`numbers`) and
  its full links (`urls`: a query string can carry a personal token, `?client=dupont42`);
- raw webhook events, once processed: their parameters (the text, Twilio's guess of the sender's
  town...), the encrypted number, the pseudonym and any error text;
- the links between reporters and the numbers they reported (`number_reporters`);
- replies, once sent or settled: their text (it can echo what the reporter typed), Twilio's
  error message (it can name the recipient), the link to the reporter, and the dedupe key,
  which names the reporter (`forward:<reporter>:...`), replaced by `purged:<reply id>`;
- delivery and call status callbacks;
- reporters not seen since: deleted, except those who said STOP, who keep a bare pseudonym (and
  their language) so that the opt-out is still honoured;
- audit log rows older than AUDIT_RETENTION_DAYS (12 months by default, the CNIL's advice for
  access logs). Until then they are kept whole, search queries included: the security team
  needs them to see who looked for what.

What stays: each reported number (the scammer's, not the reporter's) with its type, counts,
channels, first and last report, status and status history; each report's date, channel,
language, family, classification (verdict, confidence, reasons), reported number, registrable
domains (a scam site's domain identifies no one), campaign and text fingerprint (a 64-bit
simhash, from which no text can be recovered); domains and campaigns with their counts; each
reply's kind, status, segments and dates; Twilio SIDs. Events and replies still waiting to be
processed or sent are left alone, whatever their age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, Text, cast, delete, literal, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.db.models import (
    AuditEntry,
    CallStatusEvent,
    DeliveryEvent,
    InboundEvent,
    NumberReporter,
    Reply,
    Report,
    Reporter,
)
from bot.db.types import utcnow
from bot.domain.statuses import NOT_SENT_YET, EventStatus
from bot.settings import get_settings

PURGED_KEY = "purged:"


@dataclass
class PurgeResult:
    cutoff: datetime
    audit_cutoff: datetime
    reports: int = 0
    events: int = 0
    links: int = 0
    replies: int = 0
    reporters_deleted: int = 0
    reporters_kept_for_opt_out: int = 0
    callbacks: int = 0
    audit_entries: int = 0

    def __str__(self) -> str:
        return (
            f"purged data older than {self.cutoff:%Y-%m-%d %H:%M} UTC: "
            f"{self.reports} report texts, "
            f"{self.events} raw events, {self.links} reporter links, {self.replies} replies, "
            f"{self.callbacks} status callbacks; {self.reporters_deleted} reporters deleted, "
            f"{self.reporters_kept_for_opt_out} kept as bare opt-outs; "
            f"{self.audit_entries} audit entries older than {self.audit_cutoff:%Y-%m-%d %H:%M} UTC"
        )


def _rows(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _not_empty(column: InstrumentedAttribute[Any], empty: str) -> ColumnElement[bool]:
    """A JSON column holding more than `empty` (`[]`, `{}`). Compared as text: PostgreSQL's json
    type has no equality, and both databases keep the document as it was written."""
    return cast(column, Text) != empty


def purge_personal_data(
    session: Session, retention_days: int, audit_retention_days: int | None = None
) -> PurgeResult:
    """Purge what is older than `retention_days`, and audit rows older than
    `audit_retention_days` (default AUDIT_RETENTION_DAYS). Each update touches only rows that
    still hold something to purge, so a daily run rewrites only the day's share."""
    if audit_retention_days is None:
        audit_retention_days = get_settings().audit_retention_days
    now = utcnow()
    cutoff = now - timedelta(days=retention_days)
    result = PurgeResult(cutoff, now - timedelta(days=audit_retention_days))
    result.reports = _purge_reports(session, cutoff)
    result.events = _purge_events(session, cutoff)
    result.links = _rows(
        session.execute(delete(NumberReporter).where(NumberReporter.first_reported_at < cutoff))
    )
    result.replies = _purge_replies(session, cutoff)
    for model, column in (
        (DeliveryEvent, DeliveryEvent.received_at),
        (CallStatusEvent, CallStatusEvent.received_at),
    ):
        result.callbacks += _rows(session.execute(delete(model).where(column < cutoff)))
    _purge_reporters(session, cutoff, result)
    result.audit_entries = _rows(
        session.execute(delete(AuditEntry).where(AuditEntry.at < result.audit_cutoff))
    )
    return result


def _purge_reports(session: Session, cutoff: datetime) -> int:
    return _rows(
        session.execute(
            update(Report)
            .where(Report.received_at < cutoff)
            .where(
                Report.body.is_not(None)
                | Report.reporter_id.is_not(None)
                | _not_empty(Report.numbers, "[]")
                | _not_empty(Report.urls, "[]")
            )
            .values(body=None, reporter_id=None, numbers=[], urls=[])
        )
    )


def _purge_events(session: Session, cutoff: datetime) -> int:
    return _rows(
        session.execute(
            update(InboundEvent)
            .where(InboundEvent.received_at < cutoff, InboundEvent.status != EventStatus.RECEIVED)
            .where(
                InboundEvent.from_enc.is_not(None)
                | InboundEvent.reporter_pseudonym.is_not(None)
                | InboundEvent.error.is_not(None)
                | _not_empty(InboundEvent.params, "{}")
            )
            .values(params={}, from_enc=None, reporter_pseudonym=None, error=None)
        )
    )


def _purge_replies(session: Session, cutoff: datetime) -> int:
    return _rows(
        session.execute(
            update(Reply)
            .where(
                Reply.created_at < cutoff,
                # A reply not sent yet still needs its text and its reporter.
                Reply.status.not_in(NOT_SENT_YET),
                ~Reply.dedupe_key.startswith(PURGED_KEY, autoescape=True),
            )
            .values(
                body="",
                error_message=None,
                reporter_id=None,
                # Still unique, and no longer says whom the reply went to.
                dedupe_key=literal(PURGED_KEY) + cast(Reply.id, String),
            )
        )
    )


def _purge_reporters(session: Session, cutoff: datetime, result: PurgeResult) -> None:
    """Reporters unseen since the cutoff: an opted-out one is kept, bare, to keep honouring STOP."""
    inactive = select(Reporter.id).where(Reporter.last_seen_at < cutoff)
    result.reporters_kept_for_opt_out = _rows(
        session.execute(
            update(Reporter)
            .where(Reporter.id.in_(inactive), Reporter.opted_out.is_(True))
            .where(Reporter.phone_enc.is_not(None) | Reporter.awaiting_report_id.is_not(None))
            .values(phone_enc=None, awaiting_report_id=None, awaiting_until=None)
        )
    )
    result.reporters_deleted = _rows(
        session.execute(
            delete(Reporter).where(Reporter.last_seen_at < cutoff, Reporter.opted_out.is_(False))
        )
    )
