"""`scamline run`: everything a newcomer needs, with no configuration.

Migrates the SQLite database under ./var/, uses the Redis at REDIS_URL or starts one if none
answers and `redis-server` is installed, then runs the web app and a worker until Ctrl-C.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from redis import Redis
from redis.exceptions import RedisError

from bot.db.session import migrate
from bot.settings import REPO_ROOT, get_settings


def redis_answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except RedisError:
        return False


def start_redis(url: str) -> subprocess.Popen[bytes] | None:
    parsed = urlparse(url)
    host = parsed.hostname or "127.0.0.1"
    if host not in ("localhost", "127.0.0.1", "::1"):
        return None
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    data_dir = REPO_ROOT / "var" / "redis"
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
        time.sleep(0.1)
    process.terminate()
    return None


def run_everything(host: str, port: int) -> int:
    settings = get_settings()
    migrate()
    print(f"database: {settings.database_url}")
    redis_process = None
    if not redis_answers(settings.redis_url):
        redis_process = start_redis(settings.redis_url)
        if redis_process is None:
            print(
                f"Redis does not answer at {settings.redis_url} and redis-server is not "
                "installed here. Install it (apt-get install redis-server) or set REDIS_URL."
            )
            return 1
        print(f"redis: started redis-server for {settings.redis_url} (data in var/redis)")
    else:
        print(f"redis: {settings.redis_url}")
    scamline = [sys.executable, "-m", "bot.cli"]
    web = subprocess.Popen([*scamline, "serve", "--host", host, "--port", str(port)])  # noqa: S603
    worker = subprocess.Popen([*scamline, "worker"])  # noqa: S603
    mode = "Twilio" if settings.twilio_configured else "the outbox (no Twilio account set)"
    print(f"\nScamline is running on http://{host}:{port} ; replies go to {mode}.")
    print(
        f"Try: {Path(sys.executable).parent / 'scamline'} simulate sms --from +33639981234 "
        '--body "Votre colis est en attente, frais de 1,99e : colis-frais.test"\n'
    )
    children = [web, worker]
    try:
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        if redis_process is not None:
            redis_process.terminate()
    return 0
