"""Sending with Twilio 250 ms away: workers keep many messages in flight, within the pacer, and a
worker killed mid-flight loses none and sends none twice."""

from __future__ import annotations

import secrets
import time

import pytest
from sqlalchemy import func, select

from bot.db.models import Reply
from bot.db.session import session_scope
from bot.queueing.queues import enqueue_send_jobs, send_job_ids
from bot.services.intake import record_inbound_event
from bot.settings import get_settings
from tests.fakes.twilio_api import FakeTwilioServer
from tests.helpers import process_as_worker
from tests.processes import kill_group, scamline, stop

pytestmark = pytest.mark.faults

LATENCY = 0.25


def queued_replies(count: int) -> list[int]:
    """`count` replies waiting to be sent, to `count` different people."""
    ids: list[int] = []
    with session_scope() as session:
        for i in range(count):
            event, _ = record_inbound_event(
                session,
                "SM" + secrets.token_hex(16),
                "sms",
                {"Body": f"appel du 06 39 98 {i // 100:02d} {i % 100:02d}, faux conseiller"},
                f"+3361{i:07d}",
            )
            ids += process_as_worker(session, event.id).reply_ids
    return ids


def enqueue(ids: list[int], per_job: int = 100) -> None:
    """Send jobs of `per_job` replies, as processing makes them (one job id a reply)."""
    jobs: dict[str, list[int]] = {}
    for reply_id, job_id in zip(ids, send_job_ids(per_job), strict=False):
        jobs.setdefault(job_id, []).append(reply_id)
    enqueue_send_jobs(jobs)


def sent() -> int:
    with session_scope() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Reply).where(Reply.twilio_sid.is_not(None))
            )
            or 0
        )


def wait_until(predicate: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"not reached within {timeout} s")


def _exactly_once(fake: FakeTwilioServer, count: int) -> None:
    messages = fake.state.messages
    assert len(messages) == count
    assert len({m["to"] for m in messages}) == count  # one message per person: no duplicate
    with session_scope() as session:
        sids = set(session.scalars(select(Reply.twilio_sid)))
    assert sids == {m["sid"] for m in messages}


def test_with_twilio_250_ms_away_two_workers_send_at_the_rate(
    fake_twilio: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDER_RATE_PER_SECOND", "100")
    get_settings.cache_clear()
    ids = queued_replies(600)
    fake_twilio.state.answer_delay = LATENCY
    workers = [scamline("worker", "--queues", "replies", "--no-sweeper") for _ in range(2)]
    try:
        enqueue(ids)
        wait_until(lambda: sent() == 600, timeout=60)
    finally:
        for worker in workers:
            stop(worker)
    created = sorted(m["date_created"].timestamp() for m in fake_twilio.state.messages)
    rate = (len(created) - 1) / (created[-1] - created[0])
    print(f"600 replies at {rate:.1f}/s with Twilio {LATENCY * 1000:.0f} ms away")
    assert rate >= 80
    assert fake_twilio.state.rejected_for_rate == 0
    _exactly_once(fake_twilio, 600)


def test_a_worker_killed_mid_flight_loses_none_and_sends_none_twice(
    fake_twilio: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDER_RATE_PER_SECOND", "100")
    monkeypatch.setenv("SWEEPER_INTERVAL_SECONDS", "1")
    monkeypatch.setenv("STUCK_SENDING_SECONDS", "2")
    get_settings.cache_clear()
    ids = queued_replies(200)
    fake_twilio.state.answer_delay = 2.0  # Twilio has them, we have not heard back yet
    first = scamline("worker", "--queues", "replies", "--no-sweeper")
    enqueue(ids, per_job=200)
    wait_until(lambda: len(fake_twilio.state.messages) >= 20, timeout=30)
    kill_group(first)  # with messages in flight: stored at Twilio, their SIDs never learnt
    in_flight = len(fake_twilio.state.messages) - sent()
    assert in_flight > 1
    fake_twilio.state.answer_delay = 0.0
    second = scamline("worker")  # with the sweeper: it finds the stuck replies
    try:
        wait_until(lambda: sent() == 200, timeout=90)
    finally:
        stop(second)
    print(f"{in_flight} messages were in flight when the worker died")
    _exactly_once(fake_twilio, 200)
