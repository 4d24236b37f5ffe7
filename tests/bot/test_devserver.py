"""`scamline run` (what `make run` starts), as a newcomer runs it: no configuration, its own
Redis on a free port, the web app on the port asked, its URL left for `scamline simulate`."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from redis import Redis

from bot.devserver import choose_redis, redis_answers, run_everything
from bot.runfile import RunInfo, read_run_info, write_run_info
from bot.settings import get_settings
from tests.processes import free_port, output, scamline, stop

# What a newcomer's shell would not have; the tests' own settings are not theirs either.
NOT_A_NEWCOMERS = (
    "ENVIRONMENT",
    "DATABASE_URL",
    "REDIS_URL",
    "PUBLIC_BASE_URL",
    "SCAMLINE_URL",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_SENDER",
    "TWILIO_MESSAGING_SERVICE_SID",
    "SECRET_KEY",
    "PSEUDONYM_KEY",
)


@dataclass
class DevRun:
    process: subprocess.Popen[bytes]
    port: int
    var_dir: Path
    env: dict[str, str]


def wait_for_output(process: subprocess.Popen[bytes], text: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        printed = output(process)
        if text in printed:
            return printed
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not printed; got:\n{output(process)}")


def start_run(var_dir: Path, port: int, env: dict[str, str] | None = None) -> DevRun:
    env = {"VAR_DIR": str(var_dir), "DATABASE_URL": f"sqlite:///{var_dir / 'db.sqlite'}"} | (
        env or {}
    )
    process = scamline("run", "--port", str(port), env=env, unset=NOT_A_NEWCOMERS, cwd=var_dir)
    wait_for_output(process, "Scamline is running")
    return DevRun(process, port, var_dir, env)


@pytest.fixture(scope="module")
def dev_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevRun]:
    run = start_run(tmp_path_factory.mktemp("var"), free_port())
    try:
        yield run
    finally:
        stop(run.process)


def private_redis_port(printed: str) -> int:
    found = re.search(r"redis: a private redis-server \(127\.0\.0\.1:(\d+), database 0\)", printed)
    assert found, printed
    return int(found.group(1))


def test_run_serves_on_the_port_asked(dev_run: DevRun) -> None:
    response = httpx.get(f"http://127.0.0.1:{dev_run.port}/readyz", timeout=5)
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_run_starts_a_private_redis_and_says_which(dev_run: DevRun) -> None:
    port = private_redis_port(output(dev_run.process))
    assert port != 6379
    assert (dev_run.var_dir / "redis").is_dir()
    private = Redis(host="127.0.0.1", port=port)
    # The worker registered itself there: the children use the private Redis.
    deadline = time.monotonic() + 30
    while not private.smembers("rq:workers") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert private.smembers("rq:workers")


def test_run_leaves_its_url_for_simulate(dev_run: DevRun) -> None:
    info = read_run_info(dev_run.var_dir)
    assert info is not None
    assert info.url == f"http://127.0.0.1:{dev_run.port}"
    assert info.redis.endswith("database 0")


def test_simulate_finds_the_bot_that_run_started(dev_run: DevRun) -> None:
    simulate = scamline(
        "simulate",
        "sms",
        "--from",
        "+33639981234",
        "--body",
        "Votre colis est en attente, frais de 1,99e : colis-frais.test",
        env=dev_run.env,
        unset=NOT_A_NEWCOMERS,
        cwd=dev_run.var_dir,
    )
    simulate.wait(timeout=60)
    printed = stop(simulate)
    assert f"POST http://127.0.0.1:{dev_run.port}/twilio/sms -> 200" in printed
    assert "reply (outbox, GSM-7" in printed


def test_run_stops_its_redis_and_removes_its_url(tmp_path: Path) -> None:
    run = start_run(tmp_path, free_port())
    port = private_redis_port(output(run.process))
    stop(run.process)
    assert not redis_answers(f"redis://127.0.0.1:{port}/0")
    assert read_run_info(tmp_path) is None and not (tmp_path / "run.json").exists()


def test_run_uses_redis_url_when_set_and_names_its_database(tmp_path: Path) -> None:
    url = get_settings().redis_url  # the tests' own database number on the machine's Redis
    number = url.rsplit("/", 1)[1]
    run = start_run(tmp_path, free_port(), {"REDIS_URL": url})
    try:
        printed = output(run.process)
    finally:
        stop(run.process)
    assert re.search(rf"redis: the Redis at REDIS_URL \(\S+:\d+, database {number}\)", printed)
    assert "private" not in printed


def test_without_redis_server_a_running_default_redis_is_named_loudly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    default = "redis://localhost:6379/0"
    if not redis_answers(default):
        pytest.skip("no Redis at the default URL on this machine")
    monkeypatch.delenv("REDIS_URL")
    monkeypatch.setenv("PATH", str(tmp_path))  # no redis-server to start
    get_settings.cache_clear()
    choice = choose_redis(get_settings())
    assert choice is not None and choice.process is None and choice.url == default
    assert "redis-server is not installed" in choice.message
    assert "localhost:6379, database 0" in choice.message


def test_a_second_run_from_the_same_var_dir_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    write_run_info(tmp_path, RunInfo("http://127.0.0.1:8000", os.getppid(), "", ""))
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    assert run_everything("127.0.0.1", free_port()) == 1
    assert "already running" in capsys.readouterr().out
