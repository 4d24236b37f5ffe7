"""Limits on what the bot sends to one person: a reply budget per hour, and a stop on bot loops.

Both are counted in the database, not in Redis: the decision must survive a Redis restart and
come out the same when a job is re-run. Reports are always stored; only replies are held back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.db.models import InboundEvent, Reply, Reporter
from bot.db.types import utcnow
from bot.domain.statuses import HELD_BACK, ReplyStatus
from bot.settings import get_settings

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
        return cls.read_many(session, [reporter_id], now)[reporter_id]

    @classmethod
    def read_many(
        cls, session: Session, reporter_ids: Sequence[int], now: datetime
    ) -> dict[int, RecentReplies]:
        """Several reporters' recent replies, in one query."""
        if not reporter_ids:
            return {}
        rows = session.execute(
            select(Reply.reporter_id, Reply.created_at, Reply.sent_at, Reply.status).where(
                Reply.reporter_id.in_(sorted(set(reporter_ids))),
                or_(Reply.created_at > now - HOUR, Reply.sent_at > now - LOOP_WINDOW),
            )
        ).all()
        counted: Counter[int] = Counter()
        sent_at: dict[int, list[datetime]] = {}
        for reporter_id, created, sent, status in rows:
            if reporter_id is None:
                continue
            if created > now - HOUR and status not in HELD_BACK:
                counted[reporter_id] += 1
            if sent is not None and sent > now - LOOP_WINDOW:
                sent_at.setdefault(reporter_id, []).append(sent)
        return {rid: cls(counted[rid], sent_at.get(rid, [])) for rid in reporter_ids}


def looks_like_a_bot_loop(
    session: Session, reporter: Reporter, sent: list[datetime], now: datetime
) -> bool:
    """Did this sender answer our last few messages within seconds, several times running?"""
    if len(sent) < LOOP_EXCHANGES:
        return False
    # The message being answered counts: its pseudonym may still be pending in a session that
    # does not autoflush (the worker's batches). Rare enough (3 replies in 10 minutes) to flush.
    session.flush()
    received = session.scalars(
        select(InboundEvent.received_at).where(
            InboundEvent.reporter_pseudonym == reporter.pseudonym,
            InboundEvent.received_at > now - LOOP_WINDOW,
        )
    ).all()
    quick_answers = sum(1 for at in received if any(s <= at <= s + LOOP_ANSWER_DELAY for s in sent))
    return quick_answers >= LOOP_EXCHANGES


def hold_back_reason(
    session: Session,
    reporter: Reporter,
    recent: RecentReplies | None = None,
    now: datetime | None = None,
) -> str | None:
    """Why a reply to this reporter must not be sent now, or None when it may.

    `recent` may be given when read beforehand for many reporters (`RecentReplies.read_many`).
    """
    if reporter.opted_out:
        return ReplyStatus.SUPPRESSED
    now = now or utcnow()
    recent = recent or RecentReplies.read(session, reporter.id, now)
    if looks_like_a_bot_loop(session, reporter, recent.sent_at, now):
        return ReplyStatus.LOOP
    if recent.counted >= get_settings().reporter_replies_per_hour:
        return ReplyStatus.RATE_LIMITED
    return None
