"""Sending through the real Twilio SDK to the fake Twilio: once, paced, retried only when safe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.db.models import Reply
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.services import sending
from bot.services.intake import record_inbound_event
from bot.settings import get_settings
from tests import factories
from tests.factories import reply
from tests.fakes.twilio_api import FakeTwilioServer
from tests.helpers import process_as_worker
from workers import jobs, sender

REPORTER = "+33612345678"


def queued_reply(body: str = "appel du 06 39 98 12 34") -> int:
    return factories.queued_reply(REPORTER, body)


def send_now(reply_id: int) -> str:
    """Claim one reply and send it here, as a thread of the worker's sends in flight does."""
    claims = sending.claim_replies([reply_id])
    return sender.deliver(claims[0]) if claims else "nothing to send"


def as_a_dead_sender_left_it(reply_id: int, twilio_sid: str | None = None) -> None:
    """The row a worker that died mid-send leaves: `sending`, no SID, its lease run out."""
    with session_scope() as session:
        row = session.scalars(select(Reply).where(Reply.id == reply_id)).one()
        row.status, row.twilio_sid = "sending", twilio_sid
        row.attempt_started_at = row.attempt_started_at or utcnow()
        session.flush()
        lease = timedelta(seconds=get_settings().stuck_sending_seconds + 1)
        session.execute(
            update(Reply).where(Reply.id == reply_id).values(updated_at=utcnow() - lease)
        )


def test_a_reply_is_sent_once_and_its_sid_stored(fake_twilio: FakeTwilioServer) -> None:
    reply_id = queued_reply()
    sid = send_now(reply_id)
    assert sid.startswith("SM")
    assert send_now(reply_id) == "nothing to send"
    stored = reply(reply_id)
    # Twilio's own first state is "queued": ours says it took the message, not that it waits.
    assert stored.twilio_sid == sid and stored.status == "accepted"
    assert len(fake_twilio.state.bodies_to(REPORTER)) == 1
    assert fake_twilio.state.messages[0]["from"] == "SCAMLINE"


def test_without_credentials_the_outbox_takes_the_reply(caplog: pytest.LogCaptureFixture) -> None:
    reply_id = queued_reply()
    with caplog.at_level("INFO"):
        assert jobs.send_reply(reply_id) == "1 of 1 replies to the outbox"
    assert reply(reply_id).status == "outbox"
    assert "OUTBOX" in caplog.text and REPORTER not in caplog.text


@pytest.mark.parametrize("code", [21610, 21211, 21614])
def test_permanent_errors_are_recorded_and_never_retried(
    fake_twilio: FakeTwilioServer, code: int
) -> None:
    reply_id = queued_reply()
    fake_twilio.state.fail_next(1, 400, code)
    assert send_now(reply_id) == "failed"
    assert send_now(reply_id) == "nothing to send"
    stored = reply(reply_id)
    assert stored.status == "failed" and stored.error_code == str(code)
    assert fake_twilio.state.requests == 1


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (500, 20500), (503, 0)])
def test_busy_or_failing_twilio_raises_for_a_retry(
    fake_twilio: FakeTwilioServer, status: int, code: int
) -> None:
    reply_id = queued_reply()
    fake_twilio.state.fail_next(1, status, code)
    with pytest.raises(sender.TransientSendError):
        send_now(reply_id)
    assert reply(reply_id).status == "queued"
    assert send_now(reply_id).startswith("SM")  # the retry goes through
    assert len(fake_twilio.state.bodies_to(REPORTER)) == 1


def test_a_crash_after_twilio_accepted_is_not_sent_again(fake_twilio: FakeTwilioServer) -> None:
    """The worker died after Twilio took the message but before the SID was stored."""
    reply_id = queued_reply()
    sid = send_now(reply_id)
    as_a_dead_sender_left_it(reply_id)  # Twilio has the message; we never stored its SID
    assert send_now(reply_id) == "found already sent"
    assert reply(reply_id).twilio_sid == sid
    assert len(fake_twilio.state.bodies_to(REPORTER)) == 1


def test_a_crash_before_twilio_answered_sends_once(fake_twilio: FakeTwilioServer) -> None:
    reply_id = queued_reply()
    as_a_dead_sender_left_it(reply_id)
    assert send_now(reply_id).startswith("SM")
    assert len(fake_twilio.state.bodies_to(REPORTER)) == 1


def test_an_opted_out_reporter_gets_nothing(fake_twilio: FakeTwilioServer) -> None:
    reply_id = queued_reply()
    with session_scope() as session:
        event, _ = record_inbound_event(session, "SMstop", "sms", {"Body": "STOP"}, REPORTER)
        process_as_worker(session, event.id)
    assert send_now(reply_id) == "nothing to send"
    assert reply(reply_id).status == "suppressed"
    assert fake_twilio.state.messages == []


def test_a_worker_that_died_mid_job_leaves_no_reply_sent_twice(
    fake_twilio: FakeTwilioServer,
) -> None:
    ids = [queued_reply() for _ in range(3)]
    claims = sending.claim_replies(ids)
    sender.deliver(claims[0])  # then the worker dies: the two others stay `sending`
    assert [send_now(i) for i in ids] == ["nothing to send"] * 3  # their lease is still on
    for reply_id in ids[1:]:
        as_a_dead_sender_left_it(reply_id)
    outcomes = [send_now(i) for i in ids]
    assert outcomes[0] == "nothing to send"
    assert all(o.startswith("SM") for o in outcomes[1:])  # Twilio was asked, then they went
    assert len(fake_twilio.state.bodies_to(REPORTER)) == 3
    assert {reply(i).status for i in ids} == {"accepted"}
