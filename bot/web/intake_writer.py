"""Store webhooks and enqueue their job, in group commits shared by all requests of a process.

The request path is: verify the signature, hand the event to this writer, wait for its batch to
commit, answer. The batch's events go to Redis as one job after the commit. If the database
fails, every request of the batch answers 503 (Twilio then calls the fallback URL); if Redis
fails, the events are stored and the sweeper enqueues them later.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Sequence

import psycopg
from fastapi import HTTPException
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from bot.db.session import autocommit_connection, is_postgresql, session_scope
from bot.services.intake import Inbound, Stored, record_inbound_events, record_inbound_events_pg
from bot.web import metrics
from bot.web.group_commit import GroupCommit
from workers.queues import enqueue_event, enqueue_new_events, new_batch_job_id

log = logging.getLogger(__name__)

MAX_BATCH = 200
# Two batches in flight: one commits while the next is built; more only fight over the GIL.
MAX_FLUSHERS = 2


def store_batch(items: list[Inbound]) -> list[Stored]:
    """One durable INSERT for the batch, then one Redis round trip for its job."""
    metrics.INTAKE_BATCH_SIZE.observe(len(items))
    job_id = new_batch_job_id()
    try:
        stored = _record(items, job_id)
    except (SQLAlchemyError, psycopg.Error) as exc:
        metrics.INTAKE_FAILURES.labels(reason="database").inc(len(items))
        log.error("intake: database unavailable (%s)", exc.__class__.__name__)
        raise HTTPException(503, "storage unavailable") from exc
    enqueue_batch(stored)
    for item, event in zip(items, stored, strict=True):
        if event.created:
            metrics.EVENTS_RECEIVED.labels(kind=item.kind).inc()
    return stored


def _record(items: list[Inbound], job_id: str) -> list[Stored]:
    """The batch's one INSERT, committed by itself (PostgreSQL autocommit); again on a fresh
    connection if the pooled one had died (a database restart), which is safe: the insert is
    idempotent on the SID. SQLite, which serialises writers anyway, uses a session."""
    if not is_postgresql():
        with session_scope() as session:
            return record_inbound_events(session, items, job_id)
    try:
        with autocommit_connection() as connection:
            return record_inbound_events_pg(connection, items, job_id)
    except psycopg.OperationalError as exc:
        if not _connection_lost(exc):
            raise
    with autocommit_connection() as connection:
        return record_inbound_events_pg(connection, items, job_id)


def _connection_lost(exc: psycopg.OperationalError) -> bool:
    """A pooled connection the server had closed: worth one retry on a fresh one."""
    return exc.sqlstate is None or exc.sqlstate.startswith(("08", "57P"))


def enqueue_batch(stored: Sequence[Stored]) -> None:
    """Queue the batch's job. The events are committed already: a job lost here (the process
    dies, Redis is away) is queued by the sweeper instead."""
    jobs: dict[str, list[int]] = {}
    for s in stored:
        if s.created and s.job_id is not None:
            jobs.setdefault(s.job_id, []).append(s.event_id)
    new = [event_id for ids in jobs.values() for event_id in ids]
    # A SID Twilio posted again while its first event still waits: the careful, unique path.
    again = {s.event_id: s.source_sid for s in stored if s.pending and not s.created}
    try:
        for job_id, event_ids in jobs.items():
            enqueue_new_events(job_id, event_ids)
        for event_id, source_sid in again.items():
            enqueue_event(event_id, source_sid)
    except RedisError as exc:
        # Stored is enough: the sweeper enqueues them once Redis answers again.
        metrics.INTAKE_FAILURES.labels(reason="redis").inc(len(new) + len(again))
        log.warning(
            "intake: Redis unavailable (%s); %d events left to the sweeper",
            exc.__class__.__name__,
            len(new) + len(again),
        )


# One writer per event loop: its futures and tasks belong to that loop (tests run several).
_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, GroupCommit[Inbound, Stored]] = (
    weakref.WeakKeyDictionary()
)


def intake_writer() -> GroupCommit[Inbound, Stored]:
    loop = asyncio.get_running_loop()
    writer = _writers.get(loop)
    if writer is None:
        writer = _writers[loop] = GroupCommit(
            store_batch, max_batch=MAX_BATCH, max_flushers=MAX_FLUSHERS
        )
    return writer


async def drain_intake_writer() -> None:
    """On shutdown: let the batches in flight finish and answer."""
    writer = _writers.get(asyncio.get_running_loop())
    if writer is not None:
        await writer.drain()


async def store_inbound(item: Inbound, route: str) -> Stored:
    """Store one webhook's event (in a shared batch) and queue its job; 503 if storage fails."""
    with metrics.webhook_latency(route).time():
        return await intake_writer().submit(item)
