"""Queues and enqueueing: job ids, retries, and which jobs still wait or run."""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from bot.queueing import rq_pipeline
from bot.queueing.connections import get_redis
from bot.queueing.liveness import alive_key, is_alive
from bot.settings import get_settings

INTAKE_QUEUE = "intake"
REPLIES_QUEUE = "replies"
QUEUES = (INTAKE_QUEUE, REPLIES_QUEUE)

# The job functions, by the name the worker imports them by: the queues only name them, so that
# nothing under bot/ imports the workers.
PROCESS_EVENT = "workers.jobs.process_event"
PROCESS_EVENTS = "workers.jobs.process_events"
SEND_REPLY = "workers.jobs.send_reply"
SEND_REPLIES = "workers.jobs.send_replies"


def backoff(attempts: int, base: float, cap: float) -> list[int]:
    """Exponential backoff with full jitter, drawn per job so that retries of a burst spread out."""
    return [max(1, round(random.uniform(0, min(cap, base * 2**n)))) for n in range(attempts)]  # noqa: S311


# Retries are declared on each job; their intervals need the worker's scheduler.
def process_retry() -> Retry:
    return Retry(max=4, interval=backoff(4, base=2, cap=60))


def send_retry() -> Retry:
    return Retry(max=6, interval=backoff(6, base=2, cap=300))


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
    if job is not None and _is_live(job):
        return False
    if job is not None:
        # Finished, failed or abandoned by a dead worker, while the database says the work is
        # not done: drop the stale job and start again (the job itself is idempotent).
        # (A stale entry left in the started registry is skipped by RQ's cleanup: no job behind it.)
        job.delete()
    try:
        queue.enqueue_call(func, args=(arg,), job_id=job_id, retry=retry, unique=True)
        return True
    except DuplicateJobError:
        return False


# A job in one of these states will run without help: the sweeper leaves it alone.
_WAITING = {JobStatus.QUEUED.value, JobStatus.DEFERRED.value, JobStatus.SCHEDULED.value}


def waiting_jobs(job_ids: Sequence[str]) -> set[str]:
    """Which of these jobs wait in Redis to run, in one pipelined round trip.

    The sweeper asks this first so that a backlog of queued jobs costs it one round trip, not
    the unique-enqueue checks (several round trips each) that only a missing, ended or
    abandoned job needs.
    """
    if not job_ids:
        return set()
    pipe = get_redis().pipeline(transaction=False)
    for job_id in job_ids:
        pipe.hget(Job.key_for(job_id), "status")
    statuses = pipe.execute()
    return {
        job_id
        for job_id, status in zip(job_ids, statuses, strict=True)
        if status is not None and status.decode() in _WAITING
    }


def live_jobs(job_ids: Sequence[str]) -> set[str]:
    """Which of these jobs wait to run or run on a living worker: two pipelined round trips.

    For the jobs that carry batches: a reply or an event inside a batch job that a worker is
    running right now must not get a job of its own as well (two workers could then send one
    reply at the same moment).
    """
    if not job_ids:
        return set()
    redis = get_redis()
    pipe = redis.pipeline(transaction=False)
    for job_id in job_ids:
        pipe.hmget(Job.key_for(job_id), ["status", "worker_name"])
    answers = pipe.execute()
    live: set[str] = set()
    started: dict[str, str] = {}
    for job_id, (status, worker) in zip(job_ids, answers, strict=True):
        if status is None:
            continue
        if status.decode() in _WAITING:
            live.add(job_id)
        elif status.decode() == JobStatus.STARTED.value and worker:
            started[job_id] = worker.decode()
    if started:
        pipe = redis.pipeline(transaction=False)
        for worker in started.values():
            pipe.exists(alive_key(worker))
        alive = pipe.execute()
        live.update(job_id for job_id, up in zip(started, alive, strict=True) if up)
    return live


def _is_live(job: Job) -> bool:
    status = job.get_status(refresh=True)
    if status in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        return False
    if status == JobStatus.STARTED:
        return is_alive(job.connection, job.worker_name)
    return True


def enqueue_event(event_id: int, source_sid: str) -> bool:
    return enqueue_unique(
        get_queue(INTAKE_QUEUE),
        PROCESS_EVENT,
        event_job_id(source_sid),
        event_id,
        process_retry(),
    )


def new_batch_job_id() -> str:
    """The id of the job that will carry a batch of events, chosen before they are stored."""
    return f"events-{uuid.uuid4().hex}"


def enqueue_new_events(job_id: str, event_ids: Sequence[int]) -> None:
    """One job for a batch of events just created: one Redis round trip, one job to run.

    Per-job costs (creating the job, and in the worker fetching it, its registries and its
    result) are paid once per batch instead of once per report. Only for events this process has
    just inserted with this `job_id`: no other job can hold them yet.
    """
    if event_ids:
        rq_pipeline.enqueue(get_queue(INTAKE_QUEUE), **_new_events_job(job_id, event_ids))


async def enqueue_new_events_async(
    redis: AsyncRedis, job_id: str, event_ids: Sequence[int]
) -> None:
    """`enqueue_new_events` from an event loop, on its own client, without a thread."""
    if event_ids:
        job = _new_events_job(job_id, event_ids)
        await rq_pipeline.enqueue_on_loop(redis, get_queue(INTAKE_QUEUE), **job)


def _new_events_job(job_id: str, event_ids: Sequence[int]) -> dict[str, Any]:
    return {
        "func": PROCESS_EVENTS,
        "args": (list(event_ids),),
        "job_id": job_id,
        "retry": process_retry(),
    }


def enqueue_reply(reply_id: int) -> bool:
    return enqueue_unique(
        get_queue(REPLIES_QUEUE),
        SEND_REPLY,
        reply_job_id(reply_id),
        reply_id,
        send_retry(),
    )


def send_retry_delay(attempt: int) -> float:
    """How long a reply Twilio turned away for now (429, 5xx) waits before its next attempt:
    exponential in its attempts, with full jitter, 1 s to 5 minutes."""
    return max(1.0, random.uniform(0, min(300.0, 2.0 * 2 ** min(attempt, 16))))  # noqa: S311


def enqueue_reply_in(reply_id: int, delay_seconds: float) -> None:
    """The reply's own job, run by a worker's scheduler after `delay_seconds`. (The sweeper
    leaves a reply whose job is scheduled alone, and gives it one should this job be lost.)"""
    get_queue(REPLIES_QUEUE).enqueue_in(
        timedelta(seconds=delay_seconds),
        SEND_REPLY,
        reply_id,
        job_id=reply_job_id(reply_id),
        retry=send_retry(),
    )


def send_job_ids(replies_per_job: int) -> Iterator[str]:
    """Names for the send jobs of a batch's replies, `replies_per_job` replies to a job.

    Drawn before the replies are stored, so that each reply row names its job (the sweeper
    leaves a reply alone while that job waits).
    """
    base = f"replies-{uuid.uuid4().hex}"
    size = max(1, replies_per_job)
    for index in itertools.count():
        yield f"{base}-{index // size}"


def replies_per_send_job() -> int:
    """About a second of sending per job: a worker paced by the sender comes back to the intake
    queue at least once a second. Without Twilio (the outbox), nothing paces: a batch's replies
    go in one job, one transaction."""
    settings = get_settings()
    if not settings.twilio_configured:
        return 200
    return max(1, min(100, int(settings.sender_rate_per_second)))


def enqueue_send_jobs(jobs: Mapping[str, Sequence[int]]) -> None:
    """The send jobs of replies just created (job id: reply ids), in one pipelined round trip.

    No job can exist yet for replies this transaction created, so the unique check is skipped.
    """
    if not jobs:
        return
    get_queue(REPLIES_QUEUE).enqueue_many(
        [
            Queue.prepare_data(
                SEND_REPLIES,
                args=(list(reply_ids),),
                job_id=job_id,
                retry=send_retry(),
            )
            for job_id, reply_ids in jobs.items()
            if reply_ids
        ]
    )
