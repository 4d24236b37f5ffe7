"""Redis killed in the middle of a burst, then restarted empty: webhooks keep answering 200,
every report is stored, and all are processed exactly once when Redis is back."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import func, select

from bot.db.models import InboundEvent, Reply, Report
from bot.db.session import session_scope
from bot.simulate import signed_post, sms_params
from tests.fakes.twilio_api import FakeTwilioServer
from tests.faults.conftest import RedisServer
from tests.processes import scamline, stop, web_server

pytestmark = pytest.mark.faults

BURST = 60


def counts() -> tuple[int, int, int, int]:
    with session_scope() as session:
        events = session.scalar(select(func.count()).select_from(InboundEvent)) or 0
        done = (
            session.scalar(
                select(func.count()).select_from(InboundEvent).where(InboundEvent.status == "done")
            )
            or 0
        )
        reports = session.scalar(select(func.count()).select_from(Report)) or 0
        replies = session.scalar(select(func.count()).select_from(Reply)) or 0
    return int(events), int(done), int(reports), int(replies)


def test_redis_dies_mid_burst_and_comes_back_empty(
    private_redis: RedisServer, fake_twilio: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "REDIS_URL": private_redis.url,
        "SWEEPER_INTERVAL_SECONDS": "1",
        "SWEEPER_GRACE_SECONDS": "2",
    }
    monkeypatch.setenv("REDIS_URL", private_redis.url)
    statuses: list[int] = []
    worker_process = scamline("worker", env=env)
    with web_server(env) as base:
        for i in range(BURST):
            if i == BURST // 3:
                private_redis.kill()  # mid-burst, without saving anything
            if i == 2 * BURST // 3:
                private_redis.start()  # back, empty: every queued job is gone
            sender = f"+336{10000000 + i}"
            body = f"appel du 06 39 98 {10 + i % 90:02d} 34, faux conseiller"
            params = sms_params(sender, body, "+33700000000")
            try:
                statuses.append(signed_post(base + "/twilio/sms", params).status_code)
            except httpx.HTTPError:
                statuses.append(0)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and (
            counts()[1] < BURST or len(fake_twilio.state.messages) < BURST
        ):
            time.sleep(0.5)
        time.sleep(3)  # anything duplicated would show now
        events, done, reports, replies = counts()
    worker_output = stop(worker_process)
    if done < BURST:
        print(worker_output[-5000:])
    print(
        f"sent {BURST}, answered 200: {statuses.count(200)}, stored {events}, "
        f"processed {done}, reports {reports}, replies {replies}, "
        f"SMS at the fake Twilio {len(fake_twilio.state.messages)}"
    )
    assert statuses == [200] * BURST
    assert (events, done, reports, replies) == (BURST, BURST, BURST, BURST)
    sids = [m["sid"] for m in fake_twilio.state.messages]
    recipients = [m["to"] for m in fake_twilio.state.messages]
    assert len(sids) == BURST and len(set(recipients)) == BURST  # one each, none twice
