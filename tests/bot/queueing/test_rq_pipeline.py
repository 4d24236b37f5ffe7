"""The RQ behaviour that bot.queueing.rq_pipeline relies on, held here: an RQ upgrade that changes
it fails these tests, not the intake in production."""

from __future__ import annotations

import asyncio

import pytest
from redis import Redis
from redis.client import Pipeline
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from bot.queueing import rq_pipeline
from bot.queueing.connections import async_redis, get_redis
from bot.settings import get_settings

FUNC = "workers.jobs.process_events"  # named, never run here


def _queue(connection: Redis | None = None) -> Queue:
    return Queue("pinned", connection=connection or get_redis(), serializer=JSONSerializer)


def _job(job_id: str) -> dict[str, object]:
    return {"args": ([1, 2],), "job_id": job_id, "retry": Retry(max=2, interval=[1, 5])}


def _version() -> tuple[int, int, int]:
    parts = [int(p) for p in str(get_redis().info("server")["redis_version"]).split(".")[:3]]
    major, minor, patch = [*parts, 0, 0, 0][:3]
    return major, minor, patch


def _sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The commands sent to Redis from now on (pipelines included), by name."""
    sent: list[str] = []
    command, execute = Redis.execute_command, Pipeline.execute
    immediate = Pipeline.immediate_execute_command

    def counted_command(self: Redis, *args: object, **options: object) -> object:
        sent.append(str(args[0]))
        return command(self, *args, **options)

    def counted_execute(self: Pipeline, *args: object, **options: object) -> object:
        sent.append("pipeline")
        return execute(self, *args, **options)

    def counted_immediate(self: Pipeline, *args: object, **options: object) -> object:
        sent.append(str(args[0]))  # a command a pipeline sends at once (after WATCH)
        return immediate(self, *args, **options)

    monkeypatch.setattr(Redis, "execute_command", counted_command)
    monkeypatch.setattr(Pipeline, "immediate_execute_command", counted_immediate)
    monkeypatch.setattr(Pipeline, "execute", counted_execute)
    return sent


def _replay(commands: list[tuple[tuple[object, ...], dict[str, object]]]) -> None:
    """Recorded commands sent in one transaction on an event loop's client."""

    async def on_loop() -> None:
        client = async_redis()
        try:
            async with client.pipeline(transaction=True) as pipe:
                for args, options in commands:
                    pipe.pipeline_execute_command(*args, **options)
                await pipe.execute()
        finally:
            await client.aclose()

    asyncio.run(on_loop())


def test_given_a_pipeline_and_the_version_rq_only_adds_commands_to_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = _queue()
    queue.redis_server_version = _version()
    recorder = get_redis().pipeline()
    sent = _sent(monkeypatch)
    queue.enqueue_call(FUNC, **_job("pinned-1"), pipeline=recorder)
    monkeypatch.undo()
    assert sent == []  # nothing sent, the pipeline not executed
    assert recorder.command_stack and recorder.explicit_transaction  # sent as one transaction
    assert get_redis().dbsize() == 0


def test_without_the_version_rq_asks_info_and_nothing_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fresh = Redis.from_url(get_settings().redis_url)  # RQ also caches the version on a client
    queue = _queue(fresh)
    sent = _sent(monkeypatch)
    queue.enqueue_call(FUNC, **_job("pinned-2"), pipeline=fresh.pipeline())
    queue.enqueue_call(FUNC, **_job("pinned-3"), pipeline=fresh.pipeline())
    monkeypatch.undo()
    assert sent == ["INFO"]  # once
    assert queue.redis_server_version == _version()


def test_rqs_commands_replayed_elsewhere_make_the_job_rq_makes() -> None:
    queue = _queue()
    queue.enqueue_call(FUNC, **_job("by-rq"))
    recorder = get_redis().pipeline()
    queue.enqueue_call(FUNC, **_job("replayed"), pipeline=recorder)
    _replay(recorder.command_stack)
    redis = get_redis()
    by_rq, replayed = (redis.hgetall(Job.key_for(i)) for i in ("by-rq", "replayed"))
    when = {b"created_at", b"enqueued_at"}
    assert {k: v for k, v in replayed.items() if k not in when} == {
        k: v for k, v in by_rq.items() if k not in when
    }
    assert set(replayed) == set(by_rq)
    assert sorted(redis.keys()) == [
        b"rq:job:by-rq",
        b"rq:job:replayed",
        b"rq:queue:pinned",
        b"rq:queues",
    ]
    assert queue.job_ids == ["by-rq", "replayed"]
    assert [q.name for q in Queue.all(connection=redis)] == ["pinned"]
    job = Job.fetch("replayed", connection=redis, serializer=JSONSerializer)
    assert job.get_status() == JobStatus.QUEUED and job.func_name == FUNC
    assert list(job.args) == [[1, 2]] and job.retries_left == 2 and job.retry_intervals == [1, 5]


def test_the_module_writes_the_job_rq_writes_in_one_round_trip_or_from_a_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queue = _queue()
    rq_pipeline.enqueue(queue, FUNC, **_job("warm-up"))  # RQ asks the version once (INFO)
    sent = _sent(monkeypatch)
    rq_pipeline.enqueue(queue, FUNC, **_job("blocking"))
    monkeypatch.undo()
    assert sent == ["pipeline"]

    async def on_loop() -> None:
        client = async_redis()
        try:
            await rq_pipeline.enqueue_on_loop(client, _queue(), FUNC, **_job("on-loop"))
        finally:
            await client.aclose()

    asyncio.run(on_loop())
    redis = get_redis()
    blocking, on_loop_ = (redis.hgetall(Job.key_for(i)) for i in ("blocking", "on-loop"))
    assert set(blocking) == set(on_loop_)
    assert blocking[b"data"] == on_loop_[b"data"] and on_loop_[b"status"] == b"queued"
    assert queue.job_ids == ["warm-up", "blocking", "on-loop"]
