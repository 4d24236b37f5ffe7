"""Limits on what the bot sends to one person: a reply budget per hour, and a stop on bot loops.

Both are counted in the database, not in Redis: the decision must survive a Redis restart and
come out the same when a job is re-run. Reports are always stored; only replies are held back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import InboundEvent, Reply, Reporter
from bot.db.types import utcnow
from bot.settings import get_settings

HELD_BACK = ("suppressed", "rate_limited", "loop")
LOOP_WINDOW = timedelta(minutes=10)
# An automated sender answers within seconds of each of our messages; a person rarely does so
# several times running.
LOOP_ANSWER_DELAY = timedelta(seconds=20)
LOOP_EXCHANGES = 3


def replies_in_last_hour(session: Session, reporter_id: int, now: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Reply)
            .where(
                Reply.reporter_id == reporter_id,
                Reply.created_at > now - timedelta(hours=1),
                Reply.status.not_in(HELD_BACK),
            )
        )
        or 0
    )


def looks_like_a_bot_loop(session: Session, reporter: Reporter, now: datetime) -> bool:
    """Did this sender answer our last few messages within seconds, several times running?"""
    sent = session.scalars(
        select(Reply.sent_at).where(
            Reply.reporter_id == reporter.id,
            Reply.sent_at.is_not(None),
            Reply.sent_at > now - LOOP_WINDOW,
        )
    ).all()
    if len(sent) < LOOP_EXCHANGES:
        return False
    received = session.scalars(
        select(InboundEvent.received_at).where(
            InboundEvent.reporter_pseudonym == reporter.pseudonym,
            InboundEvent.received_at > now - LOOP_WINDOW,
        )
    ).all()
    quick_answers = sum(
        1
        for at in received
        if any(s is not None and s <= at <= s + LOOP_ANSWER_DELAY for s in sent)
    )
    return quick_answers >= LOOP_EXCHANGES


def hold_back_reason(session: Session, reporter: Reporter) -> str | None:
    """Why a reply to this reporter must not be sent now, or None when it may."""
    if reporter.opted_out:
        return "suppressed"
    now = utcnow()
    if looks_like_a_bot_loop(session, reporter, now):
        return "loop"
    if replies_in_last_hour(session, reporter.id, now) >= get_settings().reporter_replies_per_hour:
        return "rate_limited"
    return None
