"""Limits on what the bot sends to one person: a reply budget per hour, and a stop on bot loops.

Both are counted in the database, not in Redis: the decision must survive a Redis restart and
come out the same when a job is re-run. Reports are always stored; only replies are held back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.db.models import InboundEvent, Reply, Reporter
from bot.db.types import utcnow
from bot.settings import get_settings

HELD_BACK = ("suppressed", "rate_limited", "loop")
LOOP_WINDOW = timedelta(minutes=10)
HOUR = timedelta(hours=1)
# An automated sender answers within seconds of each of our messages; a person rarely does so
# several times running.
LOOP_ANSWER_DELAY = timedelta(seconds=20)
LOOP_EXCHANGES = 3


@dataclass(frozen=True)
class RecentReplies:
    """This reporter's replies of the last hour, read in one query."""

    counted: int  # created in the last hour and not held back: the hourly budget spent
    sent_at: list[datetime]  # sent within LOOP_WINDOW

    @classmethod
    def read(cls, session: Session, reporter_id: int, now: datetime) -> RecentReplies:
        rows = session.execute(
            select(Reply.created_at, Reply.sent_at, Reply.status).where(
                Reply.reporter_id == reporter_id,
                or_(Reply.created_at > now - HOUR, Reply.sent_at > now - LOOP_WINDOW),
            )
        ).all()
        return cls(
            counted=sum(
                1 for created, _, status in rows if created > now - HOUR and status not in HELD_BACK
            ),
            sent_at=[sent for _, sent, _ in rows if sent is not None and sent > now - LOOP_WINDOW],
        )


def looks_like_a_bot_loop(
    session: Session, reporter: Reporter, sent: list[datetime], now: datetime
) -> bool:
    """Did this sender answer our last few messages within seconds, several times running?"""
    if len(sent) < LOOP_EXCHANGES:
        return False
    received = session.scalars(
        select(InboundEvent.received_at).where(
            InboundEvent.reporter_pseudonym == reporter.pseudonym,
            InboundEvent.received_at > now - LOOP_WINDOW,
        )
    ).all()
    quick_answers = sum(1 for at in received if any(s <= at <= s + LOOP_ANSWER_DELAY for s in sent))
    return quick_answers >= LOOP_EXCHANGES


def hold_back_reason(session: Session, reporter: Reporter) -> str | None:
    """Why a reply to this reporter must not be sent now, or None when it may."""
    if reporter.opted_out:
        return "suppressed"
    now = utcnow()
    recent = RecentReplies.read(session, reporter.id, now)
    if looks_like_a_bot_loop(session, reporter, recent.sent_at, now):
        return "loop"
    if recent.counted >= get_settings().reporter_replies_per_hour:
        return "rate_limited"
    return None
