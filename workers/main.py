"""`scamline worker`: an RQ worker with its scheduler (for retry intervals) and the sweeper.

RQ's worker quits when Redis fails under it mid-job. A report must not wait for a human to
restart it, so the worker is run under a small supervisor: when it stops without having been
asked to, a fresh one starts after a pause. Its Redis connection also retries each command
with exponential backoff (redis-py's own Retry), which rides out short outages by itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from rq import SimpleWorker
from rq.serializers import JSONSerializer

from bot.db.session import migrate
from workers.job_metrics import count_job_failure
from workers.liveness import start_heartbeat
from workers.queues import QUEUES, get_queue, worker_redis
from workers.sweeper import start_in_background

log = logging.getLogger(__name__)

RESTART_PAUSE_SECONDS = 2.0


def build_worker(queues: Sequence[str]) -> SimpleWorker:
    connection = worker_redis()
    # SimpleWorker runs jobs in this process: no fork per job, and pooled database connections.
    return SimpleWorker(
        [get_queue(name, connection) for name in queues],
        connection=connection,
        serializer=JSONSerializer,
        exception_handlers=[count_job_failure],
    )


def run_worker(queues: Sequence[str] = QUEUES, burst: bool = False, sweeper: bool = True) -> bool:
    migrate()
    stop_sweeper = start_in_background()[1] if sweeper else None
    worked = False
    try:
        while True:
            worker = build_worker(queues)
            heartbeat = start_heartbeat(worker.connection, worker.name)
            try:
                worked = worker.work(with_scheduler=True, burst=burst, logging_level="WARNING")
            except Exception:
                log.exception("worker %s failed", worker.name)
            finally:
                heartbeat.set()
            if burst or getattr(worker, "_stop_requested", False):
                return worked
            log.warning(
                "worker %s stopped unexpectedly; a new one starts in %.0f s",
                worker.name,
                RESTART_PAUSE_SECONDS,
            )
            time.sleep(RESTART_PAUSE_SECONDS)
    finally:
        if stop_sweeper is not None:
            stop_sweeper.set()
