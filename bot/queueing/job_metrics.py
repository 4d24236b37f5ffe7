"""Job failures and retries, counted in Redis so that the web process can export them.

Workers are separate processes; a Prometheus counter inside one would be invisible to /metrics.
"""

from __future__ import annotations

import contextlib
from types import TracebackType
from typing import Any, cast

from redis import Redis
from redis.exceptions import RedisError
from rq.job import Job

COUNTS_KEY = "scamline:metrics:jobs"


def count_job_failure(
    job: Job, exc_type: type[BaseException], exc_value: BaseException, tb: TracebackType | None
) -> bool:
    """RQ exception handler: `retried:<queue>` when a retry is left, else `failed:<queue>`."""
    outcome = "retried" if (job.retries_left or 0) > 0 else "failed"
    with contextlib.suppress(RedisError):  # metrics must never change what happens to the job
        job.connection.hincrby(COUNTS_KEY, f"{outcome}:{job.origin}", 1)
    return True  # let RQ's own handling (retry or failed registry) go on


def job_counts(connection: Redis) -> dict[tuple[str, str], int]:
    raw = cast(dict[Any, Any], connection.hgetall(COUNTS_KEY))
    counts: dict[tuple[str, str], int] = {}
    for field, value in raw.items():
        outcome, _, queue = field.decode().partition(":")
        counts[(outcome, queue)] = int(value)
    return counts
