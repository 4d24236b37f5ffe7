"""Replies to reporters: built here, sent by the sender job. At most one per dedupe key, ever."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import Reply, Reporter
from bot.db.types import utcnow
from bot.domain.segments import count_segments
from bot.domain.statuses import ReplyKind, ReplyStatus
from bot.services.abuse import RecentReplies, hold_back_reason
from bot.services.dialect import insert_ignore_into


@dataclass(frozen=True)
class ReplyDraft:
    dedupe_key: str
    reporter: Reporter
    kind: ReplyKind
    body: str
    language: str
    event_id: int | None = None
    report_id: int | None = None
    job_id: str | None = None  # the send job that will carry it, when sent in batches


def queue_replies(session: Session, drafts: Sequence[ReplyDraft]) -> dict[str, int]:
    """Store replies, at most one per dedupe key; returns the ids of those to send, by key.

    A reply that must be held back is still stored, with the reason as its status: `suppressed`
    (the reporter opted out), `rate_limited` (over the hourly budget) or `loop` (an automated
    sender answering our replies). Two statements for any number of replies: the reporters'
    recent replies, read at once (only for reporters seen before), and one insert.
    """
    if not drafts:
        return {}
    now = utcnow()
    # A reporter first seen in this transaction has had no reply yet: in a wave, where most
    # reporters are new, the read is often skipped (a round trip saved per batch).
    seen_before = [
        d.reporter.id
        for d in drafts
        if not d.reporter.opted_out and d.reporter.created_at != d.reporter.last_seen_at
    ]
    recent = RecentReplies.read_many(session, seen_before, now)
    for draft in drafts:
        recent.setdefault(draft.reporter.id, RecentReplies(0, []))
    rows: list[dict[str, Any]] = []
    for draft in drafts:
        reporter_id = draft.reporter.id
        held_back = hold_back_reason(session, draft.reporter, recent.get(reporter_id), now)
        if held_back is None and reporter_id in recent:
            # Counted against the hourly budget of the next reply to the same person.
            counted = recent[reporter_id].counted + 1
            recent[reporter_id] = dataclasses.replace(recent[reporter_id], counted=counted)
        count = count_segments(draft.body)
        rows.append(
            {
                "dedupe_key": draft.dedupe_key,
                "event_id": draft.event_id,
                "report_id": draft.report_id,
                "reporter_id": reporter_id,
                "kind": draft.kind,
                "body": draft.body,
                "language": draft.language,
                "encoding": count.encoding,
                "segments": count.segments,
                "status": held_back or ReplyStatus.QUEUED,
                "attempts": 0,
                "job_id": draft.job_id,
                "created_at": now,
                "updated_at": now,
            }
        )
    statement = insert_ignore_into(session, Reply, "dedupe_key").returning(
        Reply.id, Reply.dedupe_key, Reply.status
    )
    return {
        key: reply_id
        for reply_id, key, status in session.execute(statement, rows)
        if status == ReplyStatus.QUEUED
    }


def queue_reply(session: Session, **reply: Any) -> Reply | None:
    """Create the reply unless one with this key exists. Returns it only when it is to be sent."""
    ids = list(queue_replies(session, [ReplyDraft(**reply)]).values())
    return session.get(Reply, ids[0]) if ids else None


def queue_reply_ids(session: Session, **reply: Any) -> list[int]:
    """`queue_reply`, as the ids the job enqueues once the transaction commits."""
    return list(queue_replies(session, [ReplyDraft(**reply)]).values())
