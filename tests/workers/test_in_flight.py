"""A worker's sends in flight: the job loop hands replies over and goes on, and whatever becomes of
a send, the reply's row says what happens next."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from rq.registry import ScheduledJobRegistry

from bot.queueing.queues import REPLIES_QUEUE, get_queue
from bot.services import sending
from bot.settings import get_settings
from tests import factories
from tests.factories import reply
from tests.fakes.twilio_api import FakeTwilioServer
from workers import in_flight, jobs, sender, twilio_client

REPORTER = "+33612345678"


def queued_replies(count: int) -> list[int]:
    return [factories.queued_reply(f"+3361234{i:04d}") for i in range(count)]


def scheduled_in(reply_id: int) -> float:
    """In how many seconds the reply's own job is due (it must be scheduled)."""
    registry = ScheduledJobRegistry(queue=get_queue(REPLIES_QUEUE))
    due = registry.get_scheduled_time(f"reply-{reply_id}")
    return (due.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds()


def test_in_a_worker_a_send_job_returns_before_twilio_answers(
    fake_twilio: FakeTwilioServer,
) -> None:
    ids = queued_replies(4)
    fake_twilio.state.answer_delay = 0.5
    with in_flight.sending_in_background():
        started = time.monotonic()
        assert jobs.send_replies(ids) == "4 of 4 replies handed to the sender"
        handed_in = time.monotonic() - started
        assert {reply(i).status for i in ids} == {"sending"}
    # On the way out, the worker waited for what it had handed over.
    assert handed_in < 0.4
    assert {reply(i).status for i in ids} == {"accepted"}
    assert len(fake_twilio.state.messages) == 4


def test_a_worker_claims_no_more_than_its_room(
    fake_twilio: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDER_CONCURRENCY", "2")
    monkeypatch.setenv("SENDER_RATE_PER_SECOND", "100")
    get_settings.cache_clear()
    ids = queued_replies(6)
    fake_twilio.state.answer_delay = 0.4
    handed = threading.Event()
    with in_flight.sending_in_background():
        job = threading.Thread(target=lambda: (jobs.send_replies(ids), handed.set()))
        job.start()
        # Room for 4 claims (twice the width): 2 in flight and 2 waiting; the job waits for room
        # for the last 2, and they are not claimed meanwhile.
        assert not handed.wait(0.25)
        assert sorted(reply(i).status for i in ids) == ["queued"] * 2 + ["sending"] * 4
        assert handed.wait(5)
    assert len(fake_twilio.state.messages) == 6


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (503, 0)])
def test_turned_away_for_now_the_reply_waits_for_its_own_job_after_a_backoff(
    fake_twilio: FakeTwilioServer, status: int, code: int
) -> None:
    [reply_id] = queued_replies(1)
    fake_twilio.state.fail_next(1, status, code)
    jobs.send_replies([reply_id])
    assert reply(reply_id).status == "queued"
    assert 0 < scheduled_in(reply_id) <= 4  # the first backoff: up to 4 s
    assert jobs.send_reply(reply_id) == "1 of 1 replies handed to the sender"
    assert reply(reply_id).status == "accepted"
    assert len(fake_twilio.state.messages) == 1


def test_with_no_answer_the_retry_waits_for_the_lease_then_asks_twilio_first(
    fake_twilio: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(twilio_client, "REQUEST_TIMEOUT_SECONDS", 0.2)
    [reply_id] = queued_replies(1)
    fake_twilio.state.answer_delay = 1.0  # Twilio takes the message; its answer comes too late
    jobs.send_replies([reply_id])
    assert reply(reply_id).status == "sending" and reply(reply_id).twilio_sid is None
    assert scheduled_in(reply_id) >= get_settings().stuck_sending_seconds - 1
    # Due too early (or run by a second job), the claim is still another sender's lease.
    assert jobs.send_reply(reply_id) == "0 of 1 replies handed to the sender"
    monkeypatch.setenv("STUCK_SENDING_SECONDS", "0")
    get_settings.cache_clear()
    fake_twilio.state.answer_delay = 0.0
    jobs.send_reply(reply_id)
    assert reply(reply_id).status == "sent"  # found at Twilio, not sent again
    assert len(fake_twilio.state.messages) == 1


def test_a_claim_taken_over_while_waiting_for_the_pacer_is_not_sent(
    fake_twilio: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    [reply_id] = queued_replies(1)
    [first] = sending.claim_replies([reply_id])
    monkeypatch.setenv("STUCK_SENDING_SECONDS", "0")
    get_settings.cache_clear()
    [second] = sending.claim_replies([reply_id])  # the first's lease ran out: the sweeper's job
    assert second.attempt == first.attempt + 1
    with pytest.raises(sender.ClaimLost):
        sender.deliver(first)
    assert sender.deliver(second).startswith("SM")
    assert len(fake_twilio.state.messages) == 1
