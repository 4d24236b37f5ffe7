"""Gauges read at scrape time: queue depth and age, jobs failed and retried, unprocessed
events, replies by status and reports by family. Database counts are cached for a few seconds
so that a busy scraper cannot load the database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.exceptions import RedisError
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from bot.db.models import InboundEvent, Reply, Report
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.domain.statuses import EventStatus
from bot.queueing.connections import get_redis
from bot.queueing.job_metrics import job_counts
from bot.queueing.queues import QUEUES, get_queue

CACHE_SECONDS = 10.0


class OperationsCollector(Collector):
    def __init__(self) -> None:
        self._cached_at = 0.0
        self._database: dict[str, Any] = {}

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        yield from self._queues()
        yield from self._database_metrics()

    def _queues(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        depth = GaugeMetricFamily("scamline_queue_depth", "Jobs waiting", labels=["queue"])
        age = GaugeMetricFamily(
            "scamline_queue_oldest_job_age_seconds",
            "Age of the oldest waiting job",
            labels=["queue"],
        )
        failed_now = GaugeMetricFamily(
            "scamline_jobs_in_failed_registry",
            "Jobs that exhausted their retries",
            labels=["queue"],
        )
        outcomes = CounterMetricFamily(
            "scamline_jobs",
            "Job failures, by whether a retry followed",
            labels=["outcome", "queue"],
        )
        try:
            connection = get_redis()
            for name in QUEUES:
                queue = get_queue(name, connection)
                depth.add_metric([name], queue.count)
                age.add_metric([name], _oldest_age(queue.get_job_ids(0, 0), queue))
                failed_now.add_metric([name], FailedJobRegistry(queue=queue).count)
            for (outcome, name), value in sorted(job_counts(connection).items()):
                outcomes.add_metric([outcome, name], value)
        except RedisError:
            return
        yield from (depth, age, failed_now, outcomes)

    def _database_metrics(self) -> Iterator[GaugeMetricFamily]:
        if time.monotonic() - self._cached_at > CACHE_SECONDS:
            self._database = _read_database()
            self._cached_at = time.monotonic()
        data = self._database
        if not data:
            return
        pending = GaugeMetricFamily(
            "scamline_unprocessed_events", "Stored inbound events not yet processed"
        )
        pending.add_metric([], data["pending"])
        oldest = GaugeMetricFamily(
            "scamline_oldest_unprocessed_event_age_seconds", "Age of the oldest of them"
        )
        oldest.add_metric([], data["oldest"])
        replies = GaugeMetricFamily("scamline_replies", "Replies by status", labels=["status"])
        for status, count in data["replies"]:
            replies.add_metric([status], count)
        reports = GaugeMetricFamily("scamline_reports", "Reports by family", labels=["family"])
        for family, count in data["reports"]:
            reports.add_metric([family], count)
        yield from (pending, oldest, replies, reports)


def _oldest_age(job_ids: list[str], queue: Any) -> float:
    if not job_ids:
        return 0.0
    job = Job.fetch(job_ids[0], connection=queue.connection, serializer=queue.serializer)
    if job.enqueued_at is None:
        return 0.0
    enqueued = job.enqueued_at
    if enqueued.tzinfo is None:
        from datetime import UTC

        enqueued = enqueued.replace(tzinfo=UTC)
    return max(0.0, (utcnow() - enqueued).total_seconds())


def _read_database() -> dict[str, Any]:
    try:
        with session_scope() as session:
            pending, oldest = session.execute(
                select(func.count(), func.min(InboundEvent.received_at)).where(
                    InboundEvent.status == EventStatus.RECEIVED
                )
            ).one()
            replies = session.execute(
                select(Reply.status, func.count()).group_by(Reply.status)
            ).all()
            reports = session.execute(
                select(Report.family, func.count()).group_by(Report.family)
            ).all()
    except Exception:
        return {}
    age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
    return {
        "pending": int(pending),
        "oldest": max(0.0, age),
        "replies": [(s, int(c)) for s, c in replies],
        "reports": [(f, int(c)) for f, c in reports],
    }
