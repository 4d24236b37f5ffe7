"""The directory of prometheus-client's multiprocess mode, made ready by `scamline serve` before
any web process starts (see bot.web.metrics).

prometheus-client reads PROMETHEUS_MULTIPROC_DIR once, when imported, so the variable is put in
this process's environment here, for the web processes that uvicorn starts (or this one, with a
single worker). The directory is emptied of the last run's files: a restart starts the counters
again, as Prometheus expects, rather than adding a dead deployment's counts to the new one's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.settings import get_settings

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def clean(directory: Path) -> None:
    """Remove the metrics files a previous run left (only those: the directory is the user's)."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


@contextmanager
def prepared_metrics_dir(workers: int) -> Iterator[Path | None]:
    """PROMETHEUS_MULTIPROC_DIR as configured, or a temporary one (removed afterwards) when
    several workers serve and none is configured; None when one process serves alone."""
    configured = get_settings().prometheus_multiproc_dir
    if not configured and workers <= 1:
        yield None
        return
    directory = Path(configured or tempfile.mkdtemp(prefix="scamline-metrics-"))
    clean(directory)
    os.environ[VARIABLE] = str(directory)
    get_settings.cache_clear()  # the app reads it through the settings
    try:
        yield directory
    finally:
        if not configured:
            shutil.rmtree(directory, ignore_errors=True)
