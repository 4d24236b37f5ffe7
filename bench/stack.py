"""The stack under test, private to one benchmark run: Redis, a PostgreSQL schema, processes.

Nothing shared is touched: Redis is a private `redis-server` on a free port, the database is a
schema created (and dropped) in the test database, and every process runs in its own session so
that it can be stopped with its children (RQ's scheduler) by process group.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from redis import Redis
from sqlalchemy import create_engine, text

from bot.settings import REPO_ROOT

PG_BASE = os.environ.get("SCAMLINE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Process:
    """A child process in its own process group, its output in a file under the run directory."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logdir: Path) -> None:
        self.name = name
        self.log_path = logdir / f"{name}.log"
        self.log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            args,
            cwd=REPO_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self, timeout: float = 10.0) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)  # an orphaned scheduler child
        self.log.close()


class Stack:
    def __init__(self, keep_logs: bool = False) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="scamline-bench-"))
        self.keep_logs = keep_logs
        self.schema = f"bench_run_{os.getpid()}"
        self.database_url = f"{PG_BASE}?options=-csearch_path%3D{self.schema}"
        self.redis_port = free_port()
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.web_port = free_port()
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.processes: list[Process] = []
        self.web: Process | None = None
        self.workers: list[Process] = []
        self.admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
        self.env: dict[str, str] = {}

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self, base_env: dict[str, str]) -> None:
        redis = Process(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--maxmemory-policy",
                "noeviction",
            ],
            dict(os.environ),
            self.dir,
        )
        self.processes.append(redis)
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        self.env = {
            **os.environ,
            **base_env,
            "PYTHONPATH": str(REPO_ROOT),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "PUBLIC_BASE_URL": self.web_url,
        }
        deadline = time.monotonic() + 10
        while True:
            try:
                Redis.from_url(self.redis_url).ping()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        self.admin.dispose()
        if not self.keep_logs:
            shutil.rmtree(self.dir, ignore_errors=True)

    def spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> Process:
        process = Process(name, args, {**self.env, **(env or {})}, self.dir)
        self.processes.append(process)
        return process

    def start_web(self) -> None:
        # The production server stack (`scamline serve`: uvicorn, its default loop and parser,
        # one process, no proxy headers), serving the production app plus the bare route.
        self.web = self.spawn(
            "web",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.web_port),
                "--log-level",
                "warning",
                "--no-proxy-headers",
                "--no-access-log",
            ],
        )
        wait_http(self.web_url + "/healthz")

    def start_workers(
        self, count: int, env: dict[str, str] | None = None, queues: str = ""
    ) -> None:
        args = [sys.executable, "-m", "bot.cli", "worker"]
        args += ["--queues", queues] if queues else []
        for _ in range(count):
            n = len([p for p in self.processes if p.name.startswith("worker")])
            self.workers.append(self.spawn(f"worker{n}", args, env))
        redis = Redis.from_url(self.redis_url)
        deadline = time.monotonic() + 30
        while len(redis.smembers("rq:workers")) < count:
            if time.monotonic() > deadline:
                raise TimeoutError("workers did not register")
            time.sleep(0.05)

    def stop_workers(self) -> None:
        for process in self.workers:
            process.stop()
            self.processes.remove(process)
        self.workers = []
        redis = Redis.from_url(self.redis_url)
        deadline = time.monotonic() + 10
        while redis.smembers("rq:workers") and time.monotonic() < deadline:
            time.sleep(0.05)


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not come up")
