"""RQ job functions. Each takes an id, re-reads the database, and can run twice safely."""

from __future__ import annotations

import logging

from bot.db.session import session_scope
from bot.services.call_processing import CALL_EVENT_KINDS, handle_call_event
from bot.services.dialect import commit_without_waiting_for_disk
from bot.services.intake import lock_event, record_event_failure
from bot.services.processing import handle_sms_event
from workers import sender
from workers.queues import enqueue_reply

log = logging.getLogger(__name__)


def process_event(event_id: int) -> str:
    try:
        with session_scope() as session:
            # Calls and SMS share the intake queue and the sweeper; the stored kind picks.
            commit_without_waiting_for_disk(session)
            event = lock_event(session, event_id)
            calls = event is not None and event.kind in CALL_EVENT_KINDS
            outcome = (handle_call_event if calls else handle_sms_event)(session, event)
    except Exception as exc:
        # The failed transaction rolled back; count the attempt in one of its own, so that the
        # sweeper gives up on an event that fails every time instead of retrying it forever.
        record_event_failure(event_id, f"{exc.__class__.__name__}: {exc}")
        raise
    for reply_id in outcome.reply_ids:
        try:
            enqueue_reply(reply_id)
        except Exception:
            log.exception("could not enqueue reply %s; the sweeper will", reply_id)
    return outcome.action


class BatchIncomplete(RuntimeError):
    """Some events of a batch failed: the job raises so that RQ retries it (done ones skip)."""


def process_events(event_ids: list[int]) -> str:
    """The job of one intake batch: each event in turn, each in its own transaction.

    An event that fails does not hold back the others; the job then raises, RQ retries it with
    backoff, and the events already done are skipped. Events still failing once the job's
    retries are spent are left to the sweeper, which retries them one by one and gives up after
    `MAX_EVENT_ATTEMPTS`.
    """
    failed: list[int] = []
    for event_id in event_ids:
        try:
            process_event(event_id)
        except Exception:
            log.exception("event %s failed", event_id)
            failed.append(event_id)
    if failed:
        raise BatchIncomplete(f"{len(failed)} of {len(event_ids)} events failed: {failed[:10]}")
    return f"{len(event_ids)} events"


def send_reply(reply_id: int) -> str:
    return sender.send_reply(reply_id)
