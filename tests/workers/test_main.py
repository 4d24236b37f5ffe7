"""`scamline worker` under its supervisor: a stop signal stops it, a failure restarts it."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.processes import scamline, stop

pytestmark = pytest.mark.faults


def test_sigterm_stops_an_idle_worker_instead_of_restarting_it() -> None:
    process = scamline("worker")
    try:
        time.sleep(4)  # started, migrated, waiting for jobs
        assert process.poll() is None
        os.kill(process.pid, signal.SIGTERM)
        started = time.monotonic()
        process.wait(timeout=15)
        print(f"worker stopped {time.monotonic() - started:.1f} s after SIGTERM")
    finally:
        output = stop(process)
    assert "stopped unexpectedly" not in output
    assert process.returncode == 0


def test_a_worker_lowers_its_own_cpu_priority() -> None:
    """In a child process: `nice` cannot be undone by the process that lowered it."""
    import subprocess
    import sys

    code = (
        "import os; from workers.main import lower_priority; "
        "before = os.nice(0); lower_priority(7); print(os.nice(0) - before)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "7"


def test_a_worker_freezes_its_heap_with_the_jobs_modules_in_it() -> None:
    """In a child process: the jobs' modules are imported before the freeze, not on the first
    job, so that full collections do not walk the classifier's and processing's objects."""
    import subprocess
    import sys

    code = (
        "import gc, sys; from workers.main import run_worker; "
        "run_worker(burst=True, sweeper=False); "
        "jobs = vars(sys.modules['workers.jobs']); "
        "print(gc.get_freeze_count() > 50_000, not any(o is jobs for o in gc.get_objects()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip().splitlines()[-1] == "True True"


def _loops(count: int, timeout: float = 30) -> list[list[str]]:
    """The queues of the RQ workers registered, once there are `count` of them."""
    from rq import Worker

    from bot.queueing.connections import get_redis

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = Worker.all(connection=get_redis())
        if len(workers) == count:
            return sorted(sorted(w.queue_names()) for w in workers)
        time.sleep(0.2)
    raise AssertionError(f"not {count} workers: {len(Worker.all(connection=get_redis()))}")


def _pids_of_loops(parent: int) -> list[int]:
    import subprocess

    out = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True)
    pids = [int(p) for p in out.stdout.split()]
    return [p for p in pids if "--no-sweeper" in Path(f"/proc/{p}/cmdline").read_text()]


def test_a_worker_runs_a_second_job_loop_and_stops_it_with_itself() -> None:
    process = scamline("worker", env={"WORKER_LOOPS": "2"})
    try:
        assert _loops(2) == [["intake", "replies"], ["intake", "replies"]]
        [loop] = _pids_of_loops(process.pid)
        os.kill(process.pid, signal.SIGTERM)  # the worker alone, not its group
        process.wait(timeout=40)
        assert not Path(f"/proc/{loop}").exists()  # stopped, and reaped by the worker
    finally:
        output = stop(process)
    assert process.returncode == 0, output


def test_a_job_loop_stops_when_its_worker_is_killed() -> None:
    process = scamline("worker", env={"WORKER_LOOPS": "2"})
    try:
        _loops(2)
        [loop] = _pids_of_loops(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while Path(f"/proc/{loop}").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not Path(f"/proc/{loop}").exists()
    finally:
        stop(process)
