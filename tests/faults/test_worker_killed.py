"""A worker killed with SIGKILL mid-job: the report is processed by another worker within 60 s,
exactly once, and a reply that was being sent is not sent again."""

from __future__ import annotations

import os
import secrets
import time

import pytest
from sqlalchemy import func, select, text

from bot.db.models import InboundEvent, Reply, Report
from bot.db.session import get_engine, session_scope
from bot.queueing.queues import enqueue_event
from bot.services.intake import record_inbound_event
from bot.settings import get_settings
from tests.fakes.twilio_api import FakeTwilioServer
from tests.processes import kill_group, scamline, stop

pytestmark = pytest.mark.faults

REPORTER = "+33612345678"


def store(body: str) -> tuple[int, str]:
    sid = "SM" + secrets.token_hex(16)
    with session_scope() as session:
        event, _ = record_inbound_event(session, sid, "sms", {"Body": body}, REPORTER)
        return event.id, sid


def count(model: type) -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def wait_for(predicate: object, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():  # type: ignore[operator]
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"not reached within {timeout} s")


@pytest.mark.skipif(
    not os.environ.get("SCAMLINE_TEST_DB", "postgresql").startswith("postgres"),
    reason="holds a PostgreSQL row lock to stop the worker mid-job",
)
def test_killed_while_processing_is_processed_once_by_another_worker(
    fake_twilio: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWEEPER_INTERVAL_SECONDS", "1")
    get_settings.cache_clear()
    event_id, sid = store("appel du 06 39 98 12 34, faux conseiller bancaire")
    # Hold the event's row: the worker starts the job and blocks inside its transaction.
    blocker = get_engine().connect()
    transaction = blocker.begin()
    blocker.execute(
        text("SELECT id FROM inbound_events WHERE id = :id FOR UPDATE"), {"id": event_id}
    )
    first = scamline("worker")
    enqueue_event(event_id, sid)
    time.sleep(3)  # the job is now started and waiting on the lock
    kill_group(first)
    transaction.rollback()
    blocker.close()
    killed_at = time.monotonic()

    second = scamline("worker")
    try:
        wait_for(lambda: len(fake_twilio.state.bodies_to(REPORTER)) == 1, timeout=60)
        recovered_in = time.monotonic() - killed_at
        time.sleep(2)  # anything duplicated would show up now
    finally:
        stop(second)
    print(f"recovered {recovered_in:.1f} s after the kill")
    assert recovered_in < 60
    assert count(Report) == 1 and count(Reply) == 1
    assert len(fake_twilio.state.messages) == 1
    with session_scope() as session:
        assert session.get(InboundEvent, event_id).status == "done"  # type: ignore[union-attr]


def test_killed_while_sending_is_not_sent_again(
    fake_twilio: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWEEPER_INTERVAL_SECONDS", "1")
    monkeypatch.setenv("STUCK_SENDING_SECONDS", "2")
    get_settings.cache_clear()
    # Twilio stores the message, then answers slowly: the worker dies before it learns the SID.
    fake_twilio.state.answer_delay = 30
    event_id, sid = store("appel du 06 39 98 12 34, faux conseiller bancaire")
    first = scamline("worker")
    enqueue_event(event_id, sid)
    wait_for(lambda: len(fake_twilio.state.messages) == 1, timeout=20)
    kill_group(first)
    fake_twilio.state.answer_delay = 0
    with session_scope() as session:
        reply = session.scalars(select(Reply)).one()
        assert reply.status == "sending" and reply.twilio_sid is None

    second = scamline("worker")
    try:
        wait_for(lambda: _reply_sid() is not None, timeout=60)
    finally:
        stop(second)
    assert _reply_sid() == fake_twilio.state.messages[0]["sid"]
    assert len(fake_twilio.state.messages) == 1  # found on Twilio, not sent twice


def _reply_sid() -> str | None:
    with session_scope() as session:
        return session.scalars(select(Reply.twilio_sid)).one()
