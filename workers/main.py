"""`scamline worker`: an RQ worker with its scheduler (for retry intervals) and the sweeper."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from rq import SimpleWorker
from rq.serializers import JSONSerializer

from bot.db.session import migrate
from workers.job_metrics import count_job_failure
from workers.liveness import start_heartbeat
from workers.queues import QUEUES, get_queue, get_redis
from workers.sweeper import start_in_background

log = logging.getLogger(__name__)


def run_worker(queues: Sequence[str] = QUEUES, burst: bool = False, sweeper: bool = True) -> bool:
    migrate()
    connection = get_redis()
    # SimpleWorker runs jobs in this process: no fork per job, and pooled database connections.
    worker = SimpleWorker(
        [get_queue(name, connection) for name in queues],
        connection=connection,
        serializer=JSONSerializer,
        exception_handlers=[count_job_failure],
    )
    heartbeat = start_heartbeat(connection, worker.name)
    stop = None
    if sweeper:
        _, stop = start_in_background()
    try:
        return worker.work(with_scheduler=True, burst=burst, logging_level="WARNING")
    finally:
        heartbeat.set()
        if stop is not None:
            stop.set()
