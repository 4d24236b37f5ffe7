"""An RQ job written in one Redis round trip, from a blocking client or from an event loop.

RQ enqueues a job in two transactions (the queue's registration, then the job). Given a
pipeline, it adds both to it instead, and the caller sends them in one. On an event loop RQ
cannot run at all (its client blocks), so it writes the job into a pipeline that is never
executed, which only records commands, and the loop's own client sends them.

What this relies on in RQ, which tests/bot/queueing/test_rq_pipeline.py holds it to:
- `Queue.enqueue_call(..., pipeline=p)` only adds commands to `p`, in a transaction (MULTI): it
  sends nothing itself and does not execute `p`;
- the one thing it would ask Redis on the way is the server's version (INFO), and it asks
  nothing once `Queue.redis_server_version` is set;
- its commands need no answer back: replayed on another client, they make the job RQ would
  have made itself.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis as AsyncRedis
from redis.client import Pipeline
from rq import Queue

from bot.settings import get_settings

Version = tuple[int, int, int]


def _enqueue_into(
    pipe: Pipeline, queue: Queue, func: str, job: dict[str, Any], version: Version | None = None
) -> None:
    if version is not None:
        queue.redis_server_version = version  # RQ's own cache: it asks no more
    queue.enqueue_call(func, **job, pipeline=pipe)


def enqueue(queue: Queue, func: str, **job: Any) -> None:
    """`queue.enqueue_call(func, **job)` in one round trip (one transaction)."""
    with queue.connection.pipeline() as pipe:
        _enqueue_into(pipe, queue, func, job)
        pipe.execute()


async def enqueue_on_loop(redis: AsyncRedis, queue: Queue, func: str, **job: Any) -> None:
    """`enqueue` from an event loop, without a thread and without one blocking call: RQ's
    commands, recorded, go to Redis in one transaction on the loop's client `redis`."""
    version = await server_version(redis)
    recorder = queue.connection.pipeline()
    _enqueue_into(recorder, queue, func, job, version)
    async with redis.pipeline(transaction=True) as pipe:
        for args, options in recorder.command_stack:
            pipe.pipeline_execute_command(*args, **options)
        await pipe.execute()


# The Redis server's version by URL, as RQ records it in each job.
_server_versions: dict[str, Version] = {}


async def server_version(redis: AsyncRedis) -> Version:
    """RQ asks for the server's version (INFO) on its first enqueue through a client, which
    would be a blocking call on the event loop: one that stalls the loop for the whole connect
    timeout of each batch while Redis is unreachable. It is asked here on the loop's client,
    once per server."""
    url = get_settings().redis_url
    version = _server_versions.get(url)
    if version is None:
        info = await redis.info("server")
        parts = [int(part) for part in str(info["redis_version"]).split(".")[:3]]
        major, minor, patch = [*parts, 0, 0, 0][:3]
        version = _server_versions[url] = (major, minor, patch)
    return version
