"""More job loops per worker: WORKER_LOOPS loops in all, each taking both queues in turn.

A job loop waits on the database at every statement: with it on another machine, 1 ms away,
one loop a worker kept 65-77% of its processing rate and two keep 91-94% (bench, 2026-12-07,
2 workers on 2 cores). Sending needs no extra loop: a send job hands its replies to the
worker's sends in flight and returns (workers/in_flight.py). Before it did, a send job held its
loop for Twilio's round trip, and the extra loops were what kept sending going (57 replies a
second with one loop, Twilio 250 ms away, 82-88 with two).

Each extra loop is a `scamline worker --no-sweeper` child process (RQ's worker runs its jobs in
its main thread and wants that thread's signals), started once the worker has migrated. The
worker restarts a loop that exits unasked and stops its loops with SIGTERM (RQ's warm shutdown:
the current job ends first) when it stops itself; on Linux the kernel sends them SIGTERM should
the worker die without asking.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence

log = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 30.0
RESTART_PAUSE_SECONDS = 2.0
PARENT_VARIABLE = "SCAMLINE_LOOP_PARENT"
_PR_SET_PDEATHSIG = 1


def follow_parent() -> None:
    """In an extra loop: get SIGTERM from the kernel when the worker that started it dies, even
    by SIGKILL (Linux), and stop at once if it is already gone. Set in the child itself:
    `preexec_fn` is not safe in a parent that runs threads."""
    parent = os.environ.get(PARENT_VARIABLE)
    if not parent or not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != int(parent):
        raise SystemExit("the worker that started this job loop is gone")


def loop_command(queues: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "worker", "--queues", ",".join(queues), "--no-sweeper"]


class ExtraLoops:
    """`count` more job loops on `queues`, kept running until `stop`."""

    def __init__(self, count: int, queues: Sequence[str]) -> None:
        self.count = count
        self.command = loop_command(queues)
        self.children: list[subprocess.Popen[bytes]] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            self.children = [self._spawn() for _ in range(self.count)]
        if self.count:
            threading.Thread(target=self._watch, name="job-loops", daemon=True).start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        # WORKER_LOOPS=1: an extra loop starts no loops of its own.
        env = {**os.environ, "WORKER_LOOPS": "1", PARENT_VARIABLE: str(os.getpid())}
        # The command is this program's own, built above: nothing from outside.
        return subprocess.Popen(self.command, env=env)  # noqa: S603

    def _watch(self) -> None:
        while not self._stopping.wait(RESTART_PAUSE_SECONDS):
            with self._lock:
                for index, child in enumerate(self.children):
                    if child.poll() is not None and not self._stopping.is_set():
                        code = child.returncode
                        log.warning("job loop %s exited (%s); a new one starts", child.pid, code)
                        self.children[index] = self._spawn()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            children = list(self.children)
        for child in children:
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                log.warning("job loop %s did not stop in time; killed", child.pid)
                child.kill()
                child.wait()
