"""The one fake Twilio answers as late as it is told, enforces its rate, and tells the benchmark
what it took and refused (`GET /fake/stats`)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilioServer, FakeTwilioState


@pytest.fixture
def late_fake() -> Iterator[FakeTwilioServer]:
    server = FakeTwilioServer(FakeTwilioState(max_per_second=1, answer_delay=0.25)).start()
    yield server
    server.stop()


def _send(server: FakeTwilioServer, to: str) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        data={"To": to, "From": "SCAMLINE", "Body": "Bonjour."},
        auth=(ACCOUNT_SID, AUTH_TOKEN),
        timeout=5,
    )


def test_answers_late_refuses_past_its_rate_and_says_so(late_fake: FakeTwilioServer) -> None:
    started = time.monotonic()
    assert _send(late_fake, "+33612345678").status_code == 201
    assert time.monotonic() - started >= 0.25
    assert _send(late_fake, "+33612345679").status_code == 429
    stats = httpx.get(f"{late_fake.base_url}/fake/stats", timeout=5).json()
    assert stats["requests"] == 2 and stats["rejected_for_rate"] == 1
    assert stats["to"] == ["+33612345678"] and len(stats["created"]) == 1
    assert stats["started"] <= stats["created"][0] <= time.time()
