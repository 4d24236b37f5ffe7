"""What the sweeper reads and writes: work the database calls unfinished, oldest first.

The sweeper (workers/sweeper.py) makes sure a job exists for each of these; the rows are read
and marked here, in the sweeper's one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.db.models import InboundEvent, Reply
from bot.db.types import utcnow
from bot.domain.statuses import EventStatus, ReplyStatus
from bot.settings import Settings

BATCH = 500
MAX_EVENT_ATTEMPTS = 8


@dataclass(frozen=True)
class Deadlines:
    """One sweep's clock: work older than these has waited too long."""

    now: datetime
    grace: datetime  # stored or queued before this, and still waiting
    # Claimed before this without an answer: its worker probably died mid-call.
    stuck_sending: datetime


def deadlines(settings: Settings) -> Deadlines:
    now = utcnow()
    return Deadlines(
        now=now,
        grace=now - timedelta(seconds=settings.sweeper_grace_seconds),
        stuck_sending=now - timedelta(seconds=settings.stuck_sending_seconds),
    )


def unfinished_events(session: Session, due: Deadlines) -> Sequence[InboundEvent]:
    """Events still `received` past the grace, and not enqueued by a sweep since."""
    return session.scalars(
        select(InboundEvent)
        .where(
            InboundEvent.status == EventStatus.RECEIVED,
            InboundEvent.received_at < due.grace,
            or_(InboundEvent.enqueued_at.is_(None), InboundEvent.enqueued_at < due.grace),
        )
        .order_by(InboundEvent.id)
        .limit(BATCH)
    ).all()


def attempts_spent(event: InboundEvent) -> bool:
    return event.attempts >= MAX_EVENT_ATTEMPTS


def give_up(event: InboundEvent) -> None:
    """An event that failed every attempt: `failed`, never enqueued again."""
    event.status = EventStatus.FAILED
    event.error = (event.error or "") + " gave up after repeated failures"


def mark_event_swept(event: InboundEvent, now: datetime) -> None:
    """A job exists for the event now: the next sweeps leave it alone for the grace."""
    event.enqueued_at = now


def unsent_replies(session: Session, due: Deadlines) -> Sequence[Reply]:
    """Replies `queued` past the grace, or `sending` since before `stuck_sending`."""
    return session.scalars(
        select(Reply)
        .where(
            or_(
                (Reply.status == ReplyStatus.QUEUED) & (Reply.updated_at < due.grace),
                (Reply.status == ReplyStatus.SENDING) & (Reply.updated_at < due.stuck_sending),
            )
        )
        .order_by(Reply.id)
        .limit(BATCH)
    ).all()


def mark_reply_swept(reply: Reply, now: datetime) -> None:
    """A job exists for the reply now: the next sweeps leave a `queued` one alone for the grace.

    A `sending` one is left as it is: its `updated_at` is its claim's lease (see
    bot.services.sending), and a lease that moved would keep the new job from claiming it."""
    if reply.status == ReplyStatus.QUEUED:
        reply.updated_at = now
