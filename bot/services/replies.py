"""Replies to reporters: built here, sent by the sender job. At most one per dedupe key, ever."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.db.models import Reply, Reporter
from bot.domain.segments import count_segments
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
    """Create the reply unless one with this key exists. Returns it only when newly created.

    An opted-out reporter gets nothing: the reply is stored as `suppressed`, never sent.
    """
    count = count_segments(body)
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
        "status": "suppressed" if reporter.opted_out else "queued",
        "attempts": 0,
    }
    reply = insert_returning(session, Reply, values, "dedupe_key")
    return reply if reply is not None and reply.status == "queued" else None
