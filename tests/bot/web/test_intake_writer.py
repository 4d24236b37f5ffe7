"""The intake writer: one durable INSERT and one job per batch, on the event loop, that survive a
database restart and an unreachable Redis."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from rq import Queue
from rq.job import Job
from sqlalchemy import create_engine, text

from bot.db.session import session_scope
from bot.queueing.queues import INTAKE_QUEUE, get_queue
from bot.services.intake import Inbound
from bot.web.intake_writer import IntakeLinks, store_batch, store_batch_on_loop
from tests.conftest import BACKEND, PG_BASE

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL path on the loop")

T = TypeVar("T")


def inbound() -> Inbound:
    return Inbound("SM" + secrets.token_hex(16), "sms", {"Body": "appel du 0639981234"}, None)


def on_loop(work: Callable[[IntakeLinks], Awaitable[T]], keep: bool = False) -> T:
    """Run `work` on a fresh event loop with its own links, closed at the end as on shutdown."""

    async def main() -> T:
        links = IntakeLinks()
        if keep:
            links.keep_open()
        try:
            return await work(links)
        finally:
            await links.close()

    return asyncio.run(main())


def count_events() -> int:
    with session_scope() as session:
        return int(session.scalar(text("SELECT count(*) FROM inbound_events")) or 0)


def test_a_batch_is_committed_by_one_statement_and_its_job_queued() -> None:
    items = [inbound(), inbound()]
    stored = on_loop(lambda links: store_batch_on_loop(links, items))
    assert all(s.created for s in stored) and stored[0].job_id == stored[1].job_id
    # Visible from another connection at once: nothing is left to commit.
    assert count_events() == 2
    queue: Queue = get_queue(INTAKE_QUEUE)
    assert queue.job_ids == [stored[0].job_id]
    job = queue.fetch_job(stored[0].job_id)
    assert isinstance(job, Job)
    assert job.func_name == "workers.jobs.process_events"
    assert list(job.args) == [[s.event_id for s in stored]]  # JSON: the tuple comes back a list
    assert job.retries_left == 4


def test_without_a_lifespan_a_batch_leaves_no_connection_open() -> None:
    async def work(links: IntakeLinks) -> int:
        await store_batch_on_loop(links, [inbound()])
        return len(links._idle)

    assert on_loop(work) == 0
    assert on_loop(work, keep=True) == 1


def test_a_connection_killed_by_a_database_restart_costs_no_request() -> None:
    async def work(links: IntakeLinks) -> bool:
        await store_batch_on_loop(links, [inbound()])  # the links now keep a connection
        pid = links._idle[0].info.backend_pid
        admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
        # The kept connection is dead; the writer retries on a fresh one instead of a 503.
        [stored] = await store_batch_on_loop(links, [inbound()])
        return stored.created and links._idle[0].info.backend_pid != pid

    assert on_loop(work, keep=True)
    assert count_events() == 2


def test_a_sid_posted_again_gets_the_stored_event_in_the_same_batch_and_later() -> None:
    item = inbound()
    first, again = on_loop(lambda links: store_batch_on_loop(links, [item, item]))
    assert first.created and first.pending
    assert again.event_id == first.event_id and not again.created
    [later] = on_loop(lambda links: store_batch_on_loop(links, [item]))
    assert later.event_id == first.event_id and not later.created and later.pending
    assert count_events() == 1


def test_with_redis_unreachable_the_batch_is_stored_and_left_to_the_sweeper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.settings import get_settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    get_settings.cache_clear()
    [stored] = on_loop(lambda links: store_batch_on_loop(links, [inbound()]))
    assert stored.created and stored.pending
    assert count_events() == 1


def test_the_blocking_path_stores_the_same_way() -> None:
    """SQLite's path (a session in a thread), here on PostgreSQL: same rows, same job."""
    item = inbound()
    [stored] = store_batch([item])
    assert stored.created and count_events() == 1
    assert get_queue(INTAKE_QUEUE).job_ids == [stored.job_id]
