"""RQ job functions. Each takes an id, re-reads the database, and can run twice safely."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

from bot.db.session import session_scope
from bot.queueing.queues import enqueue_reply, enqueue_send_jobs, replies_per_send_job, send_job_ids
from bot.services import sending
from bot.services.batch_processing import handle_events
from bot.services.intake import lock_events, record_event_failure
from bot.services.processing import Outcome
from bot.settings import get_settings
from workers import in_flight

log = logging.getLogger(__name__)

Item = TypeVar("Item")


def process_event(event_id: int) -> str:
    """The job of one event (the sweeper's, and each event of a batch that failed as a whole):
    the batch job's path, with a batch of one. Calls and SMS share it; the stored kind picks."""
    try:
        with session_scope() as session:
            outcomes = handle_events(session, lock_events(session, [event_id]))
    except Exception as exc:
        # The failed transaction rolled back; count the attempt in one of its own, so that the
        # sweeper gives up on an event that fails every time instead of retrying it forever.
        record_event_failure(event_id, f"{exc.__class__.__name__}: {exc}")
        raise
    [outcome] = outcomes or [Outcome()]  # none: gone, or done already
    for reply_id in outcome.reply_ids:
        try:
            enqueue_reply(reply_id)
        except Exception:
            log.exception("could not enqueue reply %s; the sweeper will", reply_id)
    return outcome.action


class BatchIncomplete(RuntimeError):
    """Some items of a batch failed: the job raises so that RQ retries it (done ones skip)."""


def process_events(event_ids: list[int]) -> str:
    """The job of one intake batch: all its events in one transaction (`handle_events`).

    Should the batch fail as a whole (one poison event, a deadlock, the database away), each
    event is then processed on its own, in its own transaction, so that one bad event does not
    hold back the others. If some still fail, the job raises: RQ retries it with backoff, the
    events already done are skipped, and those still failing once the retries are spent are
    left to the sweeper, which gives up on them after `MAX_EVENT_ATTEMPTS`.
    """
    send_jobs = send_job_ids(replies_per_send_job())
    try:
        with session_scope() as session, session.no_autoflush:
            # No autoflush: each event's changes (its reporter's pseudonym, then its status) go
            # in one UPDATE at commit rather than one when reporters are looked up and another
            # at the end. With the database 1 ms away, every statement a batch saves is 1 ms.
            outcomes = handle_events(session, lock_events(session, event_ids), send_jobs)
    except Exception as exc:
        log.warning(
            "batch of %d events failed (%s); processing them one by one",
            len(event_ids),
            exc.__class__.__name__,
        )
        return _one_by_one(event_ids)
    batched: dict[str, list[int]] = {}
    alone: list[int] = []
    for outcome in outcomes:
        if outcome.send_job_id is not None:
            batched.setdefault(outcome.send_job_id, []).extend(outcome.reply_ids)
        else:
            alone += outcome.reply_ids
    try:
        enqueue_send_jobs(batched)
        for reply_id in alone:
            enqueue_reply(reply_id)
    except Exception:
        log.exception("could not enqueue the replies of %d events; the sweeper will", len(outcomes))
    replies = sum(len(ids) for ids in batched.values()) + len(alone)
    return f"{len(outcomes)} events, {replies} replies"


def _each(items: Sequence[Item], work: Callable[[Item], object], what: str) -> None:
    """`work` on every item, each failure logged and none holding back the others; then raise
    `BatchIncomplete` if any failed, for RQ to retry the job. (Items are logged: ids, or claims,
    whose repr leaves the phone number out.)"""
    failed: list[Item] = []
    for item in items:
        try:
            work(item)
        except Exception:
            log.exception("%s %r failed", what, item)
            failed.append(item)
    if failed:
        raise BatchIncomplete(f"{len(failed)} of {len(items)} {what}s failed: {failed[:10]!r}")


def _one_by_one(event_ids: list[int]) -> str:
    _each(event_ids, process_event, "event")
    return f"{len(event_ids)} events, one by one"


def send_reply(reply_id: int) -> str:
    """The job of a reply sent alone (the sweeper's, and a retry after a backoff)."""
    return send_replies([reply_id])


def send_replies(reply_ids: list[int]) -> str:
    """The send job of a batch's replies: handed to the worker's sends in flight
    (workers/in_flight.py), which claim them as room opens (committed as `sending`) and send
    each paced and at most once.

    The job returns once they are handed over, not once Twilio has answered: what becomes of each
    send is stored with its reply, and a send that fails is retried from there, not by RQ.
    """
    if not get_settings().twilio_configured:
        handed = sending.hand_to_outbox(reply_ids)
        return f"{handed} of {len(reply_ids)} replies to the outbox"
    claimed = in_flight.send(reply_ids)
    return f"{claimed} of {len(reply_ids)} replies handed to the sender"
