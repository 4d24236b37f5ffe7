"""The tables. Reporters' phone numbers never appear in clear: a keyed hash counts them, and an
encrypted copy exists only where the bot must reply."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.db.types import UTCDateTime, utcnow
from bot.domain.language import DEFAULT_LANGUAGE
from bot.domain.statuses import EventStatus, ReplyStatus, VettingStatus


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Reporter(Base):
    __tablename__ = "reporters"

    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    phone_enc: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default=DEFAULT_LANGUAGE)
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None]
    # The report that waits for its sender number; no foreign key, to keep the two tables acyclic.
    awaiting_report_id: Mapped[int | None] = mapped_column(Integer)
    awaiting_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboundEvent(Base):
    """What Twilio posted, as received, unique on its SID. The `From` number is kept encrypted."""

    __tablename__ = "inbound_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_sid: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # EventKind
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reporter_pseudonym: Mapped[str | None] = mapped_column(String(64))
    from_enc: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.RECEIVED)
    enqueued_at: Mapped[datetime | None]
    # The RQ job that carries it: one job per intake batch (see bot.queueing.queues). The sweeper
    # leaves an event alone while that job waits in the queue.
    job_id: Mapped[str | None] = mapped_column(String(64))
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_inbound_events_status_received", "status", "received_at"),)


class ReportedNumber(Base):
    __tablename__ = "numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    number_type: Mapped[str] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(4))
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    reporter_count: Mapped[int] = mapped_column(Integer, default=0)
    sms_count: Mapped[int] = mapped_column(Integer, default=0)
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    first_reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_reported_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(20), default=VettingStatus.NEW, index=True)
    status_changed_at: Mapped[datetime | None]
    status_reason: Mapped[str | None] = mapped_column(Text)


class NumberReporter(Base):
    """Who reported which number: the link that makes `reporter_count` distinct. Purged with age."""

    __tablename__ = "number_reporters"

    number_id: Mapped[int] = mapped_column(
        ForeignKey("numbers.id", ondelete="CASCADE"), primary_key=True
    )
    reporter_id: Mapped[int] = mapped_column(
        ForeignKey("reporters.id", ondelete="CASCADE"), primary_key=True
    )
    first_reported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("inbound_events.id"), unique=True)
    source_sid: Mapped[str] = mapped_column(String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(8))  # sms, call
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporters.id", ondelete="SET NULL"), index=True
    )
    number_id: Mapped[int | None] = mapped_column(ForeignKey("numbers.id"), index=True)
    body: Mapped[str | None] = mapped_column(Text)
    family: Mapped[str] = mapped_column(String(32), default="unknown", index=True)
    language: Mapped[str] = mapped_column(String(8), default=DEFAULT_LANGUAGE)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    numbers: Mapped[list[Any]] = mapped_column(default=list)
    domains: Mapped[list[Any]] = mapped_column(default=list)  # defanged
    urls: Mapped[list[Any]] = mapped_column(default=list)  # defanged
    acted: Mapped[bool] = mapped_column(Boolean, default=False)
    # The learned classifier's probability of its top family, its verdict (scam, uncertain,
    # genuine_signs) and that top family, kept when an analyst corrects `family`.
    confidence: Mapped[float | None] = mapped_column(Float)
    verdict: Mapped[str | None] = mapped_column(String(16))
    predicted_family: Mapped[str | None] = mapped_column(String(32))
    family_corrected_by: Mapped[str | None] = mapped_column(String(254))
    family_corrected_at: Mapped[datetime | None] = mapped_column(index=True)
    simhash: Mapped[int | None] = mapped_column(BigInteger)
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)

    number: Mapped[ReportedNumber | None] = relationship(lazy="joined")
    # The first reply answers the report; a later one may confirm its sender number.
    replies: Mapped[list[Reply]] = relationship(
        back_populates="report", lazy="selectin", order_by="Reply.id"
    )


class Reply(Base):
    """One SMS to a reporter. `dedupe_key` makes "at most once" a database fact."""

    __tablename__ = "replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_events.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporters.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(24))  # ReplyKind
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default=DEFAULT_LANGUAGE)
    encoding: Mapped[str] = mapped_column(String(8))
    segments: Mapped[int] = mapped_column(Integer)
    # queued (by us), sending, accepted (by Twilio), sent, delivered, undelivered, failed, outbox,
    # suppressed, rate_limited, loop
    status: Mapped[str] = mapped_column(String(16), default=ReplyStatus.QUEUED, index=True)
    twilio_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The send job that carries it when replies are sent in batches (see bot.queueing.queues).
    job_id: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    attempt_started_at: Mapped[datetime | None]
    error_code: Mapped[str | None] = mapped_column(String(16))
    error_message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    report: Mapped[Report | None] = relationship(back_populates="replies")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Space-separated: what the token may read (bot.services.api_tokens.SCOPES).
    scopes: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    totp_secret_enc: Mapped[str] = mapped_column(Text)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(16))  # analyst, admin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the account passed its hourly view quota; only an admin clears it.
    views_locked_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # Sessions opened before this instant are over: set when the password or the second factor
    # changes, or the account is deactivated.
    sessions_valid_after: Mapped[datetime | None]


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    # The view quota counts one actor's recent views: this keeps that count an index range scan.
    __table_args__ = (Index("ix_audit_log_actor_action_at", "actor", "action", "at"),)


class NumberStatusChange(Base):
    __tablename__ = "number_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    number_id: Mapped[int] = mapped_column(ForeignKey("numbers.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(254))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class DeliveryEvent(Base):
    """Twilio status callbacks, stored once each, whatever order they come in."""

    __tablename__ = "delivery_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (UniqueConstraint("sid", "status", name="uq_delivery_events_sid_status"),)


class CallStatusEvent(Base):
    """Twilio call status callbacks, one row per call and state, whatever order they come in."""

    __tablename__ = "call_status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))
    duration: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        UniqueConstraint("call_sid", "status", name="uq_call_status_events_sid_status"),
    )


class Campaign(Base):
    """Reports of one scam template. Counters are kept here so that lists need no aggregation."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int] = mapped_column(Integer, default=0, index=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    family: Mapped[str] = mapped_column(String(32), default="unknown")
    sample_report_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CampaignSimhashBand(Base):
    """One 16-bit band of one distinct fingerprint of a campaign: the index that finds candidates.

    Keyed on (band_no, band_value, simhash), so a fingerprint belongs to one campaign and a
    campaign whose copies all normalise alike keeps one fingerprint, however large it grows.
    """

    __tablename__ = "campaign_simhash_bands"

    band_no: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    band_value: Mapped[int] = mapped_column(Integer, primary_key=True)
    simhash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )


class Domain(Base):
    """A registrable domain seen in reports, stored defanged like everywhere else."""

    __tablename__ = "domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(512), unique=True)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(20), default=VettingStatus.NEW, index=True)
    status_changed_at: Mapped[datetime | None]
    status_reason: Mapped[str | None] = mapped_column(Text)


class ReportDomain(Base):
    """Which report names which domain: search and campaign pages join on it."""

    __tablename__ = "report_domains"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    domain_id: Mapped[int] = mapped_column(
        ForeignKey("domains.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class DomainStatusChange(Base):
    __tablename__ = "domain_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(254))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class ConsoleAlert(Base):
    """Something the admins must see on the console, such as an account that hit its quota."""

    __tablename__ = "console_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(32))  # view_quota, account_locked
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(254))


# Console read paths: the numbers list sorts (with the id tie-break, so that ORDER BY reads
# the index backwards), the family filter, the number timeline. Declared here so that the
# models and migration 0200_console agree.
Index("ix_numbers_reporter_count", ReportedNumber.reporter_count, ReportedNumber.id)
Index("ix_numbers_report_count", ReportedNumber.report_count, ReportedNumber.id)
Index("ix_reports_number_family", Report.number_id, Report.family)
Index("ix_reports_number_received", Report.number_id, Report.received_at)
