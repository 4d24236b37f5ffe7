"""`scamline run`: everything a newcomer needs, with no configuration.

Migrates the SQLite database under ./var/, then chooses a Redis and says which one and which
database number it writes to:

- REDIS_URL set (environment or .env): that Redis (started here if it is local, silent and
  `redis-server` is installed);
- otherwise a private `redis-server` started here on a free port, data under var/redis, stopped
  with the run: a shared Redis's database 0 is never written to unasked;
- otherwise (no `redis-server`) the Redis already answering at the default URL, said loudly.

Then it runs the web app and a worker until Ctrl-C, and leaves the bot's URL in var/run.json
for `scamline simulate` (see bot.runfile).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.engine import make_url

from bot.db.session import migrate
from bot.runfile import RunInfo, read_run_info, remove_run_info, write_run_info
from bot.settings import Settings, get_settings

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def redis_answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except RedisError:
        return False


def describe_redis(url: str) -> str:
    """Which Redis and which database number, for people: no password."""
    kwargs = Redis.from_url(url).connection_pool.connection_kwargs
    where = kwargs.get("path") or f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"
    return f"{where}, database {kwargs.get('db', 0)}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(url: str, data_dir: Path) -> subprocess.Popen[bytes] | None:
    """A redis-server for `url` (a local one), durable under `data_dir`; None if impossible."""
    parsed = urlparse(url)
    if (parsed.hostname or "127.0.0.1") not in LOCAL_HOSTS:
        return None
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(  # noqa: S603 - our own binary and arguments
        [
            binary,
            "--port",
            str(parsed.port or 6379),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data_dir),
            "--logfile",
            str(data_dir / "redis.log"),
            "--appendonly",
            "yes",
            "--maxmemory-policy",
            "noeviction",
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        if redis_answers(url):
            return process
        if process.poll() is not None:
            return None
        time.sleep(0.1)
    process.terminate()
    return None


@dataclass
class RedisChoice:
    url: str
    process: subprocess.Popen[bytes] | None  # the redis-server started here, if any
    message: str  # what to tell the user


def choose_redis(settings: Settings) -> RedisChoice | None:
    """The Redis this run uses, as the module's docstring says; None (with a message printed)
    when there is none."""
    url = settings.redis_url
    data_dir = settings.var_dir / "redis"
    if "redis_url" in settings.model_fields_set:
        if redis_answers(url):
            return RedisChoice(
                url, None, f"redis: the Redis at REDIS_URL ({describe_redis(url)}), running already"
            )
        process = start_redis(url, data_dir)
        if process is None:
            print(f"redis: nothing answers at REDIS_URL ({describe_redis(url)}).")
            return None
        return RedisChoice(
            url,
            process,
            f"redis: started redis-server for REDIS_URL ({describe_redis(url)}), "
            f"data in {data_dir}",
        )
    if shutil.which("redis-server") is not None:
        private = f"redis://127.0.0.1:{free_port()}/0"
        process = start_redis(private, data_dir)
        if process is None:
            print(f"redis: redis-server did not start; see {data_dir / 'redis.log'}")
            return None
        return RedisChoice(
            private,
            process,
            f"redis: a private redis-server ({describe_redis(private)}), data in {data_dir}; "
            "it stops with this run. Set REDIS_URL to use another Redis.",
        )
    if redis_answers(url):
        return RedisChoice(
            url,
            None,
            f"redis: redis-server is not installed here, so this run uses the Redis already "
            f"running at the default REDIS_URL ({describe_redis(url)}). Anything else using "
            "that database sees Scamline's keys: set REDIS_URL (e.g. redis://localhost:6379/5) "
            "to choose another database.",
        )
    print(
        f"redis: nothing answers at {url} and redis-server is not installed here. Install it "
        "(apt-get install redis-server) or set REDIS_URL."
    )
    return None


def local_url(host: str, port: int) -> str:
    """The URL to reach a server listening on `host` from this machine."""
    if host in ("0.0.0.0", ""):  # noqa: S104 - a listening address, not a bind
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def wait_until_up(url: str, web: subprocess.Popen[bytes], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and web.poll() is None:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def run_everything(host: str, port: int) -> int:
    settings = get_settings()
    running = read_run_info(settings.var_dir)
    if running is not None and running.pid != os.getpid():
        print(
            f"scamline run is already running from {settings.var_dir} (pid {running.pid}, "
            f"{running.url}). Stop it first, or set VAR_DIR for a second one."
        )
        return 1
    migrate()
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"database: {database}")
    redis = choose_redis(settings)
    if redis is None:
        return 1
    print(redis.message)
    url = local_url(host, port)
    scamline = [sys.executable, "-m", "bot.cli"]
    # The children read REDIS_URL like every process: give them the Redis chosen here.
    env = {**os.environ, "REDIS_URL": redis.url}
    web = subprocess.Popen(  # noqa: S603
        [*scamline, "serve", "--host", host, "--port", str(port)], env=env
    )
    worker = subprocess.Popen([*scamline, "worker"], env=env)  # noqa: S603
    children = [web, worker]
    info = RunInfo(url, os.getpid(), describe_redis(redis.url), database)
    try:
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        if not wait_until_up(url, web):
            print(f"the web app did not come up on {url}")
            return 1
        write_run_info(settings.var_dir, info)
        mode = "Twilio" if settings.twilio_configured else "the outbox (no Twilio account set)"
        print(f"\nScamline is running on {url} ; replies go to {mode}.")
        print(
            f"Try: {Path(sys.executable).parent / 'scamline'} simulate sms --from +33639981234 "
            '--body "Votre colis est en attente, frais de 1,99e : colis-frais.test"\n',
            flush=True,
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        remove_run_info(settings.var_dir, info.pid)
        _stop(children)
        if redis.process is not None:
            _stop([redis.process])
    return 0
