"""Store webhooks and enqueue their job, in group commits shared by all requests of a process.

The request path is: verify the signature, hand the event to this writer, wait for its batch to
be committed and its job queued, answer. If the database fails, every request of the batch
answers 503 (Twilio then calls the fallback URL); if Redis fails, the events are stored and the
sweeper enqueues them later.

On PostgreSQL the whole flush runs on the event loop, with no thread: the batch's INSERT on the
loop's own psycopg connection, its job through the loop's own Redis client. A flusher thread
shared the GIL with the loop, and their taking turns cost the web process more CPU than the
flush's own work (bench/README.md). SQLite, which serialises writers anyway, stores through a
session in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio
import psycopg
from fastapi import HTTPException
from redis.asyncio import Redis as AsyncRedis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from bot.db.session import connect_autocommit, is_postgresql, session_scope
from bot.queueing.connections import async_redis
from bot.queueing.queues import (
    enqueue_event,
    enqueue_new_events,
    enqueue_new_events_async,
    new_batch_job_id,
)
from bot.services.intake import (
    Inbound,
    Stored,
    record_inbound_events,
    record_inbound_events_pg_async,
)
from bot.web import metrics
from bot.web.group_commit import GroupCommit

log = logging.getLogger(__name__)

MAX_BATCH = 200
# One batch in flight: the next one takes every webhook that arrived meanwhile. Each batch costs
# the loop about 600 us of CPU (one INSERT, one enqueue) whatever its size, and under load the
# loop is the bottleneck: a second flusher, overlapping the two batches' waits, only made the
# batches smaller. With 32 clients, batches of 16 instead of 11; the signed route went from
# 57-59% to 62-66% of the bare route, with the same latency at 200 requests a second
# (bench/README.md).
MAX_FLUSHERS = 1


class IntakeLinks:
    """One event loop's connections for the intake: PostgreSQL (autocommit) and Redis.

    Kept open while the app is served: its lifespan calls `keep_open()`, and closes them when it
    ends. Without a lifespan (an ASGI client that runs each request on an event loop of its own,
    as the tests' clients do) a batch opens what it needs and closes it after, since the loop may
    end with the request.
    """

    def __init__(self) -> None:
        self.keep = False
        self._idle: list[psycopg.AsyncConnection[Any]] = []  # at most one per flusher
        self._redis: AsyncRedis | None = None

    def keep_open(self) -> None:
        self.keep = True

    @asynccontextmanager
    async def postgres(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        connection = self._idle.pop() if self._idle else await connect_autocommit()
        healthy = False
        try:
            yield connection
            healthy = True
        finally:
            if healthy and self.keep and not connection.closed:
                self._idle.append(connection)
            else:
                await connection.close()

    @asynccontextmanager
    async def redis(self) -> AsyncIterator[AsyncRedis]:
        if self.keep:
            if self._redis is None:
                self._redis = async_redis()
            yield self._redis
            return
        client = async_redis()
        try:
            yield client
        finally:
            await client.aclose()

    async def forget_postgres(self) -> None:
        """Close the idle connections: after one was found dead, the others may be too."""
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    async def close(self) -> None:
        self.keep = False
        await self.forget_postgres()
        if self._redis is not None:
            client, self._redis = self._redis, None
            await client.aclose()


async def store_batch_on_loop(links: IntakeLinks, items: list[Inbound]) -> list[Stored]:
    """PostgreSQL: one durable INSERT for the batch, then one Redis round trip for its job."""
    metrics.INTAKE_BATCH_SIZE.observe(len(items))
    job_id = new_batch_job_id()
    try:
        stored = await _record_on_loop(links, items, job_id)
    except psycopg.Error as exc:
        raise _storage_unavailable(exc, len(items)) from exc
    jobs, again = _jobs_of(stored)
    try:
        async with links.redis() as redis:
            for batch_job_id, event_ids in jobs.items():
                await enqueue_new_events_async(redis, batch_job_id, event_ids)
        if again:  # rare: RQ's unique enqueue is blocking, so it runs in a thread
            await anyio.to_thread.run_sync(_enqueue_again, again)
    except RedisError as exc:
        _left_to_sweeper(exc, jobs, again)
    _count_received(items, stored)
    return stored


async def _record_on_loop(links: IntakeLinks, items: list[Inbound], job_id: str) -> list[Stored]:
    """The batch's one INSERT, committed by itself (autocommit); again on a fresh connection if
    the kept one had died (a database restart), which is safe: the insert is idempotent on the
    SID."""
    try:
        async with links.postgres() as connection:
            return await record_inbound_events_pg_async(connection, items, job_id)
    except psycopg.OperationalError as exc:
        if not _connection_lost(exc):
            raise
    await links.forget_postgres()
    async with links.postgres() as connection:
        return await record_inbound_events_pg_async(connection, items, job_id)


def store_batch(items: list[Inbound]) -> list[Stored]:
    """SQLite (or any backend, blocking): the batch in one session, then its job."""
    metrics.INTAKE_BATCH_SIZE.observe(len(items))
    job_id = new_batch_job_id()
    try:
        with session_scope() as session:
            stored = record_inbound_events(session, items, job_id)
    except (SQLAlchemyError, psycopg.Error) as exc:
        raise _storage_unavailable(exc, len(items)) from exc
    jobs, again = _jobs_of(stored)
    try:
        for batch_job_id, event_ids in jobs.items():
            enqueue_new_events(batch_job_id, event_ids)
        _enqueue_again(again)
    except RedisError as exc:
        _left_to_sweeper(exc, jobs, again)
    _count_received(items, stored)
    return stored


def _storage_unavailable(exc: Exception, count: int) -> HTTPException:
    metrics.INTAKE_FAILURES.labels(reason="database").inc(count)
    log.error("intake: database unavailable (%s)", exc.__class__.__name__)
    return HTTPException(503, "storage unavailable")


def _connection_lost(exc: psycopg.OperationalError) -> bool:
    """A connection the server had closed: worth one retry on a fresh one."""
    return exc.sqlstate is None or exc.sqlstate.startswith(("08", "57P"))


def _jobs_of(stored: Sequence[Stored]) -> tuple[dict[str, list[int]], dict[int, str]]:
    """The batch's new events by the job that carries them, and the events Twilio posted again
    while their first post still waits (they take the careful, unique path)."""
    jobs: dict[str, list[int]] = {}
    for s in stored:
        if s.created and s.job_id is not None:
            jobs.setdefault(s.job_id, []).append(s.event_id)
    again = {s.event_id: s.source_sid for s in stored if s.pending and not s.created}
    return jobs, again


def _enqueue_again(again: dict[int, str]) -> None:
    for event_id, source_sid in again.items():
        enqueue_event(event_id, source_sid)


def _left_to_sweeper(exc: RedisError, jobs: dict[str, list[int]], again: dict[int, str]) -> None:
    """The events are committed already: stored is enough, the sweeper enqueues them once
    Redis answers again (as it does for a job lost when the process dies)."""
    count = sum(len(ids) for ids in jobs.values()) + len(again)
    metrics.INTAKE_FAILURES.labels(reason="redis").inc(count)
    log.warning(
        "intake: Redis unavailable (%s); %d events left to the sweeper",
        exc.__class__.__name__,
        count,
    )


def _count_received(items: Sequence[Inbound], stored: Sequence[Stored]) -> None:
    for item, event in zip(items, stored, strict=True):
        if event.created:
            metrics.events_received(item.kind).inc()


async def _store_batch_in_thread(items: list[Inbound]) -> list[Stored]:
    return await anyio.to_thread.run_sync(store_batch, items)


@dataclass
class _LoopIntake:
    links: IntakeLinks
    writer: GroupCommit[Inbound, Stored]


# One writer per event loop: its futures, tasks and connections belong to that loop (tests run
# several).
_intakes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopIntake] = (
    weakref.WeakKeyDictionary()
)


def _loop_intake() -> _LoopIntake:
    loop = asyncio.get_running_loop()
    intake = _intakes.get(loop)
    if intake is None:
        links = IntakeLinks()
        flush = partial(store_batch_on_loop, links) if is_postgresql() else _store_batch_in_thread
        writer = GroupCommit(flush, max_batch=MAX_BATCH, max_flushers=MAX_FLUSHERS)
        intake = _intakes[loop] = _LoopIntake(links, writer)
    return intake


def intake_writer() -> GroupCommit[Inbound, Stored]:
    return _loop_intake().writer


def keep_intake_links_open() -> None:
    """On startup: this loop serves the app; its intake connections stay open until shutdown."""
    _loop_intake().links.keep_open()


async def close_intake_writer() -> None:
    """On shutdown: let the batches in flight finish and answer, then close the connections."""
    intake = _intakes.get(asyncio.get_running_loop())
    if intake is not None:
        await intake.writer.drain()
        await intake.links.close()


async def store_inbound(item: Inbound, route: str) -> Stored:
    """Store one webhook's event (in a shared batch) and queue its job; 503 if storage fails."""
    with metrics.webhook_latency(route).time():
        return await intake_writer().submit(item)
