"""Prometheus metrics. Kept in one module so every name is defined once.

Under `scamline serve --workers N` each web process counts its own webhooks; in prometheus-client's
multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set up by `scamline serve`) they write their values
to files there and /metrics adds up every process's, whichever process answers the scrape.
"""

from __future__ import annotations

import os
from functools import cache, lru_cache

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from bot.settings import get_settings
from bot.web.ops_metrics import OperationsCollector

WEBHOOK_LATENCY = Histogram(
    "scamline_webhook_seconds",
    "Time to store a webhook and queue its job, until it can be answered",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


@cache
def webhook_latency(route: str) -> Histogram:
    """The route's child of WEBHOOK_LATENCY, resolved once rather than on every webhook."""
    return WEBHOOK_LATENCY.labels(route=route)


EVENTS_RECEIVED = Counter("scamline_events_received_total", "New inbound events", ["kind"])


@cache
def events_received(kind: str) -> Counter:
    """The kind's child of EVENTS_RECEIVED (kinds are a handful of fixed names)."""
    return EVENTS_RECEIVED.labels(kind=kind)


INTAKE_BATCH_SIZE = Histogram(
    "scamline_intake_batch_size",
    "Webhooks stored together in one group commit",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
INTAKE_FAILURES = Counter(
    "scamline_intake_failures_total", "Webhooks that hit an unavailable dependency", ["reason"]
)

API_REFUSED = Counter(
    "scamline_api_refused_total",
    "API requests refused to a valid token: a scope it lacks, its rate limit or daily quota",
    ["reason"],
)

# Registered once per process, at import, like the metrics above.
OPERATIONS = OperationsCollector()
REGISTRY.register(OPERATIONS)


@lru_cache(maxsize=2)
def _deployment_registry(directory: str) -> CollectorRegistry:
    """Every web process's metrics from `directory`, and the queue and database figures (read
    from Redis and the database, the same whichever process reads them) once."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)
    registry.register(OPERATIONS)
    return registry


def scrape_registry() -> CollectorRegistry:
    """What /metrics serves: the deployment's metrics in multiprocess mode, else this process's."""
    directory = get_settings().prometheus_multiproc_dir
    return _deployment_registry(directory) if directory else REGISTRY


def process_exiting() -> None:
    """In multiprocess mode, drop this process's live gauges (its counters still count)."""
    directory = get_settings().prometheus_multiproc_dir
    if directory:
        mark_process_dead(os.getpid(), directory)
