"""/metrics is the deployment's under `scamline serve --workers 2` (as docker-compose runs it):
two real uvicorn processes take signed webhooks, and every scrape, whichever process answers
it, adds up both processes' counts, with the queue and database figures once."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from bot.simulate import signed_post
from tests.bot.web.test_metrics import sample
from tests.helpers import sms_params
from tests.processes import free_port, scamline, stop, wait_until_up

TOKEN = "metrics-token-0123456789abcdef"
BATCH = 24


def post_webhooks(base: str, count: int) -> None:
    """`count` signed SMS webhooks, six at a time, each on a new connection."""

    def post(number: int) -> int:
        params = sms_params(f"+336123{number:05d}", f"appel du 0899 10 {number % 100:02d} 37")
        return signed_post(base + "/twilio/sms", params).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert set(pool.map(post, range(count))) == {200}


def per_process(directory: Path, tmp_path: Path) -> dict[str, float]:
    """Each process's own count of received SMS, read from its files alone."""
    counts: dict[str, float] = {}
    pids = {path.stem.rsplit("_", 1)[1] for path in directory.glob("*.db")}
    for pid in pids:
        alone = tmp_path / f"pid-{pid}"
        alone.mkdir(parents=True)
        for path in directory.glob(f"*_{pid}.db"):
            shutil.copy(path, alone / path.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        text = generate_latest(registry).decode()
        counts[pid] = sample(text, 'scamline_events_received_total{kind="sms"}')
    return counts


def scrape(base: str) -> str:
    response = httpx.get(base + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return response.text


def test_two_web_processes_report_the_deployments_totals(tmp_path: Path) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_1.db").write_bytes(b"left by an earlier run")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"PROMETHEUS_MULTIPROC_DIR": str(directory), "METRICS_TOKEN": TOKEN}
    server = scamline("serve", "--port", str(port), "--workers", "2", env=env)
    try:
        wait_until_up(base + "/healthz", timeout=60)
        assert not (directory / "counter_1.db").exists()  # cleaned at start

        # Until both processes took webhooks (the kernel decides which one accepts each).
        sent = 0
        while sent < 10 * BATCH:
            post_webhooks(base, BATCH)
            sent += BATCH
            counts = per_process(directory, tmp_path / f"after-{sent}")
            if len([c for c in counts.values() if c > 0]) >= 2:
                break
        assert len([c for c in counts.values() if c > 0]) == 2, counts
        assert sum(counts.values()) == sent

        for _ in range(8):  # new connections: both processes answer some of the scrapes
            text = scrape(base)
            assert sample(text, 'scamline_events_received_total{kind="sms"}') == sent
            assert sample(text, 'scamline_webhook_seconds_count{route="sms"}') == sent
            assert sample(text, "scamline_intake_batch_size_sum") == sent
            # The collector of queue and database figures, once.
            assert text.count("# TYPE scamline_queue_depth gauge") == 1
            assert text.count('scamline_queue_depth{queue="intake"}') == 1
            assert sample(text, 'scamline_queue_depth{queue="intake"}') >= 1
            assert text.count("# TYPE scamline_unprocessed_events gauge") == 1

        assert httpx.get(base + "/metrics").status_code == 401  # METRICS_TOKEN still asked
    finally:
        printed = stop(server)
    assert "Traceback" not in printed, printed
