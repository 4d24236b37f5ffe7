"""A reply budget per reporter, and no endless conversation with an automated sender."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import InboundEvent, Reply, Report
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.services.intake import record_inbound_event
from bot.settings import get_settings
from tests.helpers import process_as_worker

pytestmark = pytest.mark.storage

REPORTER = "+33612345678"


def send(body: str, sender: str = REPORTER) -> list[int]:
    with session_scope() as session:
        event, _ = record_inbound_event(
            session, "SM" + secrets.token_hex(16), "sms", {"Body": body}, sender
        )
        return process_as_worker(session, event.id).reply_ids


def statuses() -> list[str]:
    with session_scope() as session:
        return list(session.scalars(select(Reply.status).order_by(Reply.id)).all())


def test_past_the_hourly_budget_reports_are_stored_but_replies_held_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REPORTER_REPLIES_PER_HOUR", "3")
    get_settings.cache_clear()
    for i in range(5):
        send(f"appel du 06 39 98 12 3{i}")
    assert statuses() == ["queued"] * 3 + ["rate_limited"] * 2
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 5
    # Another reporter is not affected.
    assert send("appel du 06 39 98 12 34", sender="+33699999999")


def test_an_automated_sender_answering_our_replies_is_stopped() -> None:
    """Each of its messages arrives seconds after our reply: after a few, we stop answering."""
    for i in range(6):
        ids = send(f"Auto-reply: your message was received ({i}). Call 06 39 98 12 3{i}")
        with session_scope() as session:
            for reply in session.scalars(select(Reply).where(Reply.id.in_(ids))):
                reply.status, reply.sent_at = "sent", utcnow() - timedelta(seconds=2)
            # Its answer comes right after our reply.
            for event in session.scalars(select(InboundEvent)):
                event.received_at = utcnow()
    assert "loop" in statuses()
    assert statuses().count("sent") <= 4


def test_a_person_reporting_a_few_scams_is_not_mistaken_for_a_loop() -> None:
    for i in range(4):
        ids = send(f"appel du 06 39 98 12 3{i}")
        with session_scope() as session:
            for reply in session.scalars(select(Reply).where(Reply.id.in_(ids))):
                # Our reply went out minutes before their next report.
                reply.status, reply.sent_at = "sent", utcnow() - timedelta(minutes=3 * (4 - i))
    assert "loop" not in statuses()
