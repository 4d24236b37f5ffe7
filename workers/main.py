"""`scamline worker`: an RQ worker with its scheduler (for retry intervals) and the sweeper, and
WORKER_LOOPS - 1 more job loops on the same queues (workers/job_loops.py).

RQ's worker quits when Redis fails under it mid-job. A report must not wait for a human to
restart it, so the worker is run under a small supervisor: when it stops without having been
asked to, a fresh one starts after a pause. Its Redis connection also retries each command
with exponential backoff (redis-py's own Retry), which rides out short outages by itself.
"""

from __future__ import annotations

import importlib
import logging
import os
import time
from collections.abc import Sequence

from rq import SimpleWorker
from rq.serializers import JSONSerializer
from rq.worker import DequeueStrategy

from bot.db.session import migrate
from bot.heap import freeze_startup_heap
from bot.queueing.connections import worker_redis
from bot.queueing.job_metrics import count_job_failure
from bot.queueing.liveness import start_heartbeat
from bot.queueing.queues import INTAKE_QUEUE, REPLIES_QUEUE, get_queue
from bot.settings import get_settings
from workers.in_flight import sending_in_background
from workers.job_loops import ExtraLoops, follow_parent
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


def stop_was_requested(worker: SimpleWorker) -> bool:
    """Did a signal (SIGTERM, Ctrl-C) end this worker's loop, rather than a failure?

    RQ records the time of the request whichever way it ends the loop: idle, it raises
    StopRequested at once; busy, it sets `_stop_requested` and finishes the job first. It has no
    public accessor, so both private fields are read here, and a test holds them to it.
    """
    return bool(
        getattr(worker, "_shutdown_requested_date", None) is not None
        or getattr(worker, "_stop_requested", False)
    )


def lower_priority(nice: int) -> None:
    """Run this worker below the web process's CPU priority (Unix `nice`)."""
    if nice > 0 and hasattr(os, "nice"):
        os.nice(nice)


def run_worker(
    queues: Sequence[str] = (REPLIES_QUEUE, INTAKE_QUEUE), burst: bool = False, sweeper: bool = True
) -> bool:
    follow_parent()
    settings = get_settings()
    lower_priority(settings.worker_nice)
    migrate()
    # More job loops on the same queues (workers/job_loops.py), started once migrated.
    loops = ExtraLoops(0 if burst else settings.worker_loops - 1, queues)
    loops.start()
    # The jobs' modules (processing, the classifier) are imported now rather than by RQ on the
    # first job, so that the freeze covers them too: out of the collector's full passes.
    importlib.import_module("workers.jobs")
    freeze_startup_heap()
    stop_sweeper = start_in_background()[1] if sweeper else None
    try:
        # Send jobs hand their replies to this worker's sends in flight and return at once; on
        # the way out, what was handed over is sent before the worker stops.
        with sending_in_background():
            return _work_until_stopped(queues, burst)
    finally:
        if stop_sweeper is not None:
            stop_sweeper.set()
        loops.stop()


def _work_until_stopped(queues: Sequence[str], burst: bool) -> bool:
    """RQ's work loop, started again when it stops without having been asked to."""
    worked = False
    while True:
        worker = build_worker(queues)
        heartbeat = start_heartbeat(worker.connection, worker.name)
        try:
            # Round robin between the queues: in a wave, a worker takes a send job between
            # two intake batches, so that the first reporters get their advice while the rest
            # of the backlog is still being processed (docs/operations.md).
            worked = worker.work(
                with_scheduler=True,
                burst=burst,
                logging_level="WARNING",
                dequeue_strategy=DequeueStrategy.ROUND_ROBIN,
            )
        except Exception:
            log.exception("worker %s failed", worker.name)
        finally:
            heartbeat.set()
        if burst or stop_was_requested(worker):
            return worked
        log.warning(
            "worker %s stopped unexpectedly; a new one starts in %.0f s",
            worker.name,
            RESTART_PAUSE_SECONDS,
        )
        time.sleep(RESTART_PAUSE_SECONDS)
