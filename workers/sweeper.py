"""Find work the database says is unfinished and make sure a job exists for it.

This is how a report survives Redis being down at intake, Redis losing its data, or a worker
dying mid-job: the database is the record, and the sweeper re-enqueues from it. Job ids are
unique, so a sweep never duplicates a job that is still alive.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from redis.exceptions import RedisError

from bot.db.models import InboundEvent, Reply
from bot.db.session import session_scope
from bot.queueing.connections import get_redis
from bot.queueing.queues import (
    enqueue_event,
    enqueue_reply,
    event_job_id,
    live_jobs,
    reply_job_id,
    waiting_jobs,
)
from bot.services import sweeping
from bot.services.purge import PurgeResult, purge_personal_data
from bot.settings import get_settings

log = logging.getLogger(__name__)

LOCK_KEY = "scamline:sweeper:lock"
PURGE_KEY = "scamline:purge:done-recently"


@dataclass
class SweepResult:
    events: int = 0
    replies: int = 0
    failed: int = 0


def sweep_once() -> SweepResult:
    """One pass, in one transaction: a job for each unfinished event and reply that has none."""
    due = sweeping.deadlines(get_settings())
    result = SweepResult()
    with session_scope() as session:
        _sweep_events(sweeping.unfinished_events(session, due), due.now, result)
        _sweep_replies(sweeping.unsent_replies(session, due), due.now, result)
    if result.events or result.replies or result.failed:
        log.info(
            "sweeper: re-enqueued %s events, %s replies; %s failed",
            result.events,
            result.replies,
            result.failed,
        )
    return result


def _sweep_events(events: Sequence[InboundEvent], now: datetime, result: SweepResult) -> None:
    # An event waits in a job of its own (once swept), or is carried by its intake batch's job,
    # waiting or running.
    waiting = waiting_jobs([event_job_id(event.source_sid) for event in events])
    waiting |= live_jobs(sorted({event.job_id for event in events if event.job_id}))
    for event in events:
        if sweeping.attempts_spent(event):
            sweeping.give_up(event)
            result.failed += 1
            continue
        if event_job_id(event.source_sid) in waiting or event.job_id in waiting:
            # Its job waits in the queue. The row is left alone: writing to hundreds of
            # events that workers are locking would only make both wait.
            continue
        if enqueue_event(event.id, event.source_sid):
            result.events += 1
        sweeping.mark_event_swept(event, now)


def _sweep_replies(replies: Sequence[Reply], now: datetime, result: SweepResult) -> None:
    waiting = waiting_jobs([reply_job_id(reply.id) for reply in replies])
    waiting |= live_jobs(sorted({reply.job_id for reply in replies if reply.job_id}))
    for reply in replies:
        if reply_job_id(reply.id) in waiting or reply.job_id in waiting:
            continue
        if enqueue_reply(reply.id):
            result.replies += 1
        sweeping.mark_reply_swept(reply, now)


def sweep_with_lock() -> SweepResult | None:
    """Only one sweeper at a time across all worker processes."""
    settings = get_settings()
    ttl = max(2, int(settings.sweeper_interval_seconds * 4))
    redis = get_redis()
    if not redis.set(LOCK_KEY, "1", nx=True, ex=ttl):
        return None
    try:
        return sweep_once()
    finally:
        redis.delete(LOCK_KEY)


def purge_if_due() -> PurgeResult | None:
    """The retention purge, at most once a day across all workers (the key expires daily)."""
    settings = get_settings()
    if not get_redis().set(PURGE_KEY, "1", nx=True, ex=int(settings.purge_interval_seconds)):
        return None
    with session_scope() as session:
        result = purge_personal_data(
            session, settings.retention_days, settings.audit_retention_days
        )
    log.info("retention: %s", result)
    return result


def run_forever(stop: threading.Event) -> None:
    interval = get_settings().sweeper_interval_seconds
    while not stop.is_set():
        try:
            sweep_with_lock()
            purge_if_due()
        except RedisError as exc:
            log.warning("sweeper: Redis unavailable (%s); retrying", exc.__class__.__name__)
        except Exception:
            log.exception("sweeper failed; retrying")
        stop.wait(interval)


def start_in_background() -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(stop,), name="sweeper", daemon=True)
    thread.start()
    return thread, stop
