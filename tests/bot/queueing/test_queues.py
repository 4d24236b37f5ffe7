"""Enqueueing: what a job carries, and what it costs in Redis round trips."""

from __future__ import annotations

import pytest
from redis import Redis
from redis.client import Pipeline
from rq import Queue
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from bot.queueing.connections import get_redis
from bot.queueing.queues import INTAKE_QUEUE, enqueue_new_events, new_batch_job_id
from bot.settings import get_settings


def test_a_batch_job_is_queued_with_its_events_and_retries_in_one_round_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enqueue_new_events(new_batch_job_id(), [0])  # RQ asks the server's version once (INFO)
    trips: list[str] = []
    pipeline_execute, command = Pipeline.execute, Redis.execute_command

    def counted_pipeline(self: Pipeline, *args: object, **kwargs: object) -> object:
        trips.append("pipeline")
        return pipeline_execute(self, *args, **kwargs)  # type: ignore[arg-type]

    def counted_command(self: Redis, *args: object, **kwargs: object) -> object:
        trips.append(str(args[0]))
        return command(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", counted_pipeline)
    monkeypatch.setattr(Redis, "execute_command", counted_command)
    job_id = new_batch_job_id()
    enqueue_new_events(job_id, [3, 1, 2])
    assert trips == ["pipeline"]
    monkeypatch.undo()

    job = Job.fetch(job_id, connection=get_redis(), serializer=JSONSerializer)
    assert job.func_name == "workers.jobs.process_events"
    assert job.args == [[3, 1, 2]]
    assert job.retries_left == 4
    assert job.get_status() == JobStatus.QUEUED
    queue = Queue(INTAKE_QUEUE, connection=get_redis(), serializer=JSONSerializer)
    assert queue.job_ids[-1] == job_id
    assert INTAKE_QUEUE in [q.name for q in Queue.all(connection=get_redis())]


def test_an_empty_batch_queues_nothing() -> None:
    enqueue_new_events(new_batch_job_id(), [])
    assert Queue(INTAKE_QUEUE, connection=get_redis()).count == 0


def test_the_event_loops_enqueue_writes_the_same_job_as_the_blocking_one() -> None:
    import asyncio

    from bot.queueing.connections import async_redis
    from bot.queueing.queues import enqueue_new_events_async

    enqueue_new_events("events-blocking", [1, 2])

    async def on_loop() -> None:
        client = async_redis()
        try:
            await enqueue_new_events_async(client, "events-loop", [1, 2])
        finally:
            await client.aclose()

    asyncio.run(on_loop())
    queue = Queue(INTAKE_QUEUE, connection=get_redis(), serializer=JSONSerializer)
    assert queue.job_ids == ["events-blocking", "events-loop"]
    blocking, loop = (queue.fetch_job(job_id) for job_id in queue.job_ids)
    assert isinstance(blocking, Job) and isinstance(loop, Job)
    for job in (blocking, loop):
        assert job.func_name == "workers.jobs.process_events"
        assert list(job.args) == [[1, 2]]
        assert job.retries_left == 4 and job.get_status() == JobStatus.QUEUED
        assert job.origin == INTAKE_QUEUE


def test_the_event_loops_enqueue_makes_no_blocking_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not even RQ's first INFO: the blocking client may be unreachable, the job still goes."""
    import asyncio

    from bot.queueing import connections, queues, rq_pipeline

    monkeypatch.setattr(rq_pipeline, "_server_versions", {})
    connections._redis_for.cache_clear()  # a new blocking client: RQ has asked it nothing yet
    blocked: list[object] = []

    def no_blocking_call(self: Redis, *args: object, **kwargs: object) -> object:
        blocked.append(args[0])
        raise AssertionError("blocking Redis call on the event loop")

    async def on_loop() -> None:
        client = connections.async_redis()
        try:
            await queues.enqueue_new_events_async(client, "events-first", [7])
            await queues.enqueue_new_events_async(client, "events-second", [8])
        finally:
            await client.aclose()

    monkeypatch.setattr(Redis, "execute_command", no_blocking_call)
    asyncio.run(on_loop())
    monkeypatch.undo()
    assert blocked == []
    queue = Queue(INTAKE_QUEUE, connection=get_redis(), serializer=JSONSerializer)
    assert queue.job_ids == ["events-first", "events-second"]
    version = tuple(int(p) for p in get_redis().info("server")["redis_version"].split(".")[:3])
    assert rq_pipeline._server_versions == {get_settings().redis_url: version}


def test_the_jobs_named_are_the_workers_functions() -> None:
    """The queues name the job functions (RQ imports them in the worker): each name is one."""
    from rq.utils import import_attribute

    from bot.queueing import queues
    from workers import jobs

    for name in (
        queues.PROCESS_EVENT,
        queues.PROCESS_EVENTS,
        queues.SEND_REPLY,
        queues.SEND_REPLIES,
    ):
        function = import_attribute(name)
        assert callable(function) and getattr(jobs, function.__name__) is function
