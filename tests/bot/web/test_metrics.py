"""/metrics: webhook latency, queues, jobs, replies, reports by family, intake failures."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.web.app import create_app
from bot.web.metrics import OPERATIONS
from tests.conftest import _reset_caches
from tests.helpers import post_signed, run_worker_until_idle, sms_params


def scrape(client: TestClient) -> str:
    OPERATIONS._cached_at = 0.0  # read the database now, not the cached figures
    response = client.get("/metrics")
    assert response.status_code == 200
    return response.text


def sample(text: str, name: str) -> float:
    """The value of one sample line, e.g. `scamline_queue_depth{queue="intake"}`."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def test_metrics_follow_a_report_through_the_pipeline() -> None:
    client = TestClient(create_app())
    post_signed(client, "/twilio/sms", sms_params("+33612345678", "appel du 0899 10 25 37"))
    text = scrape(client)
    assert sample(text, 'scamline_queue_depth{queue="intake"}') == 1
    assert sample(text, "scamline_unprocessed_events") == 1
    assert 'scamline_webhook_seconds_count{route="sms"}' in text
    run_worker_until_idle()
    text = scrape(client)
    assert sample(text, 'scamline_queue_depth{queue="intake"}') == 0
    assert sample(text, "scamline_unprocessed_events") == 0
    assert sample(text, 'scamline_replies{status="outbox"}') == 1
    assert sample(text, 'scamline_reports{family="callback_premium"}') == 1


def test_database_down_at_intake_answers_503_and_is_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = TestClient(create_app())
    before = sample(scrape(client), 'scamline_intake_failures_total{reason="database"}')
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:1/test")
    _reset_caches()
    response = post_signed(client, "/twilio/sms", sms_params("+33612345678", "appel 0639981234"))
    assert response.status_code == 503  # so that Twilio calls the fallback URL
    after = sample(scrape(client), 'scamline_intake_failures_total{reason="database"}')
    assert after == before + 1
