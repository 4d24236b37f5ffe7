"""Start the real web app and worker as separate processes, as production runs them."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bot.settings import REPO_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scamline(
    *args: str,
    env: dict[str, str] | None = None,
    unset: tuple[str, ...] = (),
    cwd: Path = REPO_ROOT,
) -> subprocess.Popen[bytes]:
    """Start `scamline ARGS` in its own process group, its output in a temporary file.

    `env` is added to this process's environment, after removing the variables in `unset`.

    A file, not a pipe: RQ's scheduler runs in a child process that keeps a pipe open after
    its parent dies, and a full pipe would block the process writing to it.
    """
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={**{k: v for k, v in os.environ.items() if k not in unset}, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log = log  # type: ignore[attr-defined]
    return process


def kill_group(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Kill the process and its children (RQ's scheduler), as when a machine or container dies."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait()


def wait_until_up(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not come up")


def output(process: subprocess.Popen[bytes]) -> str:
    """What the process has printed so far. `pread`, not seek and read: the process shares the
    file's offset and is perhaps still writing."""
    fd = process.log.fileno()  # type: ignore[attr-defined]
    return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")


def stop(process: subprocess.Popen[bytes]) -> str:
    """Stop gracefully (SIGTERM to the group), then by force; return what it printed."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill_group(process)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # leftovers such as an orphaned scheduler
    return output(process)


@contextmanager
def web_server(env: dict[str, str] | None = None) -> Iterator[str]:
    port = free_port()
    process = scamline("serve", "--port", str(port), env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/healthz")
        yield base
    finally:
        stop(process)


@contextmanager
def worker(env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    process = scamline("worker", env=env)
    try:
        yield process
    finally:
        stop(process)
