"""Which workers are alive, by a short-lived Redis key each one refreshes.

RQ only notices a dead worker's job when the job's registry entry expires (60 s and more) and a
maintenance pass runs (every 10 minutes). A worker killed with SIGKILL must not hold a report
that long, so each worker process refreshes `scamline:alive:<name>` every few seconds, and the
sweeper treats a started job whose worker has no such key as abandoned.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

ALIVE_TTL_SECONDS = 10
BEAT_EVERY_SECONDS = 2.0


def alive_key(worker_name: str) -> str:
    return f"scamline:alive:{worker_name}"


def is_alive(connection: Redis, worker_name: str | None) -> bool:
    if not worker_name:
        return False
    return bool(connection.exists(alive_key(worker_name)))


def start_heartbeat(connection: Redis, worker_name: str) -> threading.Event:
    stop = threading.Event()

    def beat() -> None:
        while not stop.is_set():
            try:
                connection.set(alive_key(worker_name), "1", ex=ALIVE_TTL_SECONDS)
            except RedisError as exc:
                log.warning("heartbeat: Redis unavailable (%s)", exc.__class__.__name__)
            stop.wait(BEAT_EVERY_SECONDS)
        with contextlib.suppress(RedisError):
            connection.delete(alive_key(worker_name))

    threading.Thread(target=beat, name="heartbeat", daemon=True).start()
    return stop
