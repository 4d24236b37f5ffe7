"""Redis connections, queues and enqueueing. Redis carries work, never truth."""

from __future__ import annotations

from functools import lru_cache

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from bot.settings import get_settings

INTAKE_QUEUE = "intake"
REPLIES_QUEUE = "replies"
QUEUES = (INTAKE_QUEUE, REPLIES_QUEUE)

# Retries are declared per job. Intervals need the worker's scheduler.
PROCESS_RETRY = Retry(max=4, interval=[2, 10, 30, 60])
SEND_RETRY = Retry(max=6, interval=[2, 5, 15, 45, 120, 300])


@lru_cache(maxsize=4)
def _redis_for(url: str) -> Redis:
    # Short timeouts: a webhook must answer even when Redis is away.
    return Redis.from_url(
        url, socket_connect_timeout=0.5, socket_timeout=2.0, health_check_interval=30
    )


def get_redis() -> Redis:
    return _redis_for(get_settings().redis_url)


def get_queue(name: str, connection: Redis | None = None) -> Queue:
    return Queue(name, connection=connection or get_redis(), serializer=JSONSerializer)


def event_job_id(source_sid: str) -> str:
    return f"event-{source_sid}"


def reply_job_id(reply_id: int) -> str:
    return f"reply-{reply_id}"


def enqueue_unique(queue: Queue, func: str, job_id: str, arg: int, retry: Retry) -> bool:
    """Enqueue unless a live job with this id exists. Returns whether a job was enqueued.

    A job that ended (finished, failed, stopped) while the database still calls its work
    unfinished is replaced: the database, not Redis, says what remains to be done.
    """
    try:
        queue.enqueue_call(func, args=(arg,), job_id=job_id, retry=retry, unique=True)
        return True
    except DuplicateJobError:
        pass
    try:
        job = Job.fetch(job_id, connection=queue.connection, serializer=JSONSerializer)
    except Exception:
        job = None
    if job is not None and not job.is_finished and not job.is_failed and not job.is_stopped:
        return False
    if job is not None:
        job.delete()
    try:
        queue.enqueue_call(func, args=(arg,), job_id=job_id, retry=retry, unique=True)
        return True
    except DuplicateJobError:
        return False


def enqueue_event(event_id: int, source_sid: str) -> bool:
    return enqueue_unique(
        get_queue(INTAKE_QUEUE),
        "workers.jobs.process_event",
        event_job_id(source_sid),
        event_id,
        PROCESS_RETRY,
    )


def enqueue_reply(reply_id: int) -> bool:
    return enqueue_unique(
        get_queue(REPLIES_QUEUE),
        "workers.jobs.send_reply",
        reply_job_id(reply_id),
        reply_id,
        SEND_RETRY,
    )
