"""What the sweeper reads: unfinished work past its deadlines, oldest first; what it marks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.db.models import InboundEvent, Reply
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.services import sweeping
from bot.services.intake import Inbound, record_inbound_events
from tests.factories import queued_reply

pytestmark = pytest.mark.storage


def _events(*sids: str) -> list[int]:
    with session_scope() as session:
        stored = record_inbound_events(session, [Inbound(sid, "sms", {}, None) for sid in sids])
    return [s.event_id for s in stored]


def test_unfinished_events_are_received_and_not_swept_since_the_grace() -> None:
    new, done, swept_lately, swept_long_ago = _events("SMa", "SMb", "SMc", "SMd")
    now = utcnow()
    with session_scope() as session:
        session.get_one(InboundEvent, done).status = "done"
        session.get_one(InboundEvent, swept_lately).enqueued_at = now + timedelta(seconds=1)
        session.get_one(InboundEvent, swept_long_ago).enqueued_at = now - timedelta(hours=1)
    due = sweeping.Deadlines(now=now, grace=now, stuck_sending=now)
    with session_scope() as session:
        found = sweeping.unfinished_events(session, due)
        assert [e.id for e in found] == [new, swept_long_ago]
        too_soon = sweeping.Deadlines(now, now - timedelta(days=1), now)
        assert sweeping.unfinished_events(session, too_soon) == []  # all received since


def test_an_event_out_of_attempts_is_given_up_and_the_error_kept() -> None:
    (event_id,) = _events("SMpoison")
    with session_scope() as session:
        event = session.get_one(InboundEvent, event_id)
        event.attempts, event.error = sweeping.MAX_EVENT_ATTEMPTS - 1, "RuntimeError: poison"
        assert not sweeping.attempts_spent(event)
        event.attempts += 1
        assert sweeping.attempts_spent(event)
        sweeping.give_up(event)
    with session_scope() as session:
        event = session.get_one(InboundEvent, event_id)
        assert event.status == "failed"
        assert event.error == "RuntimeError: poison gave up after repeated failures"


def test_unsent_replies_are_queued_past_the_grace_or_sending_past_the_stuck_deadline() -> None:
    queued, sending = queued_reply("+33612345678"), queued_reply("+33612345679")
    now = utcnow()
    with session_scope() as session:
        session.execute(
            update(Reply).where(Reply.id == sending).values(status="sending", updated_at=now)
        )
        session.execute(update(Reply).where(Reply.id == queued).values(updated_at=now))
    later = now + timedelta(seconds=1)
    with session_scope() as session:
        found = sweeping.unsent_replies(session, sweeping.Deadlines(later, later, now))
        assert [r.id for r in found] == [queued]  # the send may still be in flight
        found = sweeping.unsent_replies(session, sweeping.Deadlines(later, later, later))
        assert [r.id for r in found] == [queued, sending]  # its worker probably died
        found = sweeping.unsent_replies(session, sweeping.Deadlines(later, now, later))
        assert [r.id for r in found] == [sending]
