"""Replies to reporters: built here, sent by the sender job. At most one per dedupe key, ever."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import Reply, Reporter
from bot.domain.segments import count_segments
from bot.services.abuse import hold_back_reason
from bot.services.dialect import insert_returning


def queue_reply(
    session: Session,
    *,
    dedupe_key: str,
    reporter: Reporter,
    kind: str,
    body: str,
    language: str,
    event_id: int | None = None,
    report_id: int | None = None,
) -> Reply | None:
    """Create the reply unless one with this key exists. Returns it only when it is to be sent.

    A reply that must be held back is still stored, with the reason as its status: `suppressed`
    (the reporter opted out), `rate_limited` (over the hourly budget) or `loop` (an automated
    sender answering our replies).
    """
    count = count_segments(body)
    held_back = hold_back_reason(session, reporter)
    values = {
        "dedupe_key": dedupe_key,
        "event_id": event_id,
        "report_id": report_id,
        "reporter_id": reporter.id,
        "kind": kind,
        "body": body,
        "language": language,
        "encoding": count.encoding,
        "segments": count.segments,
        "status": held_back or "queued",
        "attempts": 0,
    }
    reply = insert_returning(session, Reply, values, "dedupe_key")
    return reply if reply is not None and reply.status == "queued" else None


def queue_reply_ids(session: Session, **reply: Any) -> list[int]:
    """`queue_reply`, flushed, as the ids the job enqueues once the transaction commits."""
    queued = queue_reply(session, **reply)
    session.flush()
    return [queued.id] if queued is not None else []
