"""record_inbound_events: one statement for a batch, each SID stored once, nothing personal kept
in clear, and each post told whether it created its event."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.db.models import InboundEvent
from bot.db.session import session_scope
from bot.security.pseudonyms import decrypt_phone, pseudonym
from bot.services.intake import (
    Inbound,
    lock_event,
    lock_events,
    record_inbound_event,
    record_inbound_events,
)

pytestmark = pytest.mark.storage


def _sms(sid: str, body: str = "colis retenu", phone: str | None = "+33639981234") -> Inbound:
    return Inbound(sid, "sms", {"MessageSid": sid, "Body": body, "From": phone or ""}, phone)


def test_a_batch_is_stored_in_order_with_one_result_each() -> None:
    items = [_sms(f"SM{i:032d}") for i in range(5)]
    with session_scope() as session:
        stored = record_inbound_events(session, items)
    assert [s.source_sid for s in stored] == [i.source_sid for i in items]
    assert all(s.created and s.pending for s in stored)
    assert len({s.event_id for s in stored}) == 5
    with session_scope() as session:
        events = session.scalars(select(InboundEvent).order_by(InboundEvent.id)).all()
        assert [e.source_sid for e in events] == [i.source_sid for i in items]
        assert all("From" not in e.params and e.from_enc for e in events)
        assert all(e.status == "received" and e.attempts == 0 for e in events)


def test_a_sid_twice_in_one_batch_is_stored_once_and_created_once() -> None:
    with session_scope() as session:
        stored = record_inbound_events(session, [_sms("SMaaa"), _sms("SMbbb"), _sms("SMaaa")])
    assert [s.created for s in stored] == [True, True, False]
    assert stored[0].event_id == stored[2].event_id
    assert stored[2].pending is False  # the first post already queues it
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 2


def test_a_sid_already_held_is_not_created_and_says_whether_it_still_waits() -> None:
    with session_scope() as session:
        record_inbound_events(session, [_sms("SMold"), _sms("SMdone")])
    with session_scope() as session:
        query = select(InboundEvent).where(InboundEvent.source_sid == "SMdone")
        session.scalars(query).one().status = "done"
    with session_scope() as session:
        stored = record_inbound_events(session, [_sms("SMold"), _sms("SMdone"), _sms("SMnew")])
    assert [(s.created, s.pending) for s in stored] == [(False, True), (False, False), (True, True)]


def test_the_first_post_of_a_sid_wins_and_a_retry_changes_nothing() -> None:
    with session_scope() as session:
        record_inbound_events(session, [_sms("SMx", body="first")])
    with session_scope() as session:
        event, created = record_inbound_event(session, "SMx", "sms", {"Body": "second"}, None)
        assert created is False
        assert event.params["Body"] == "first"


def test_a_withheld_reporter_is_stored_without_pseudonym() -> None:
    with session_scope() as session:
        (stored,) = record_inbound_events(session, [_sms("SManon", phone=None)])
        event = session.get_one(InboundEvent, stored.event_id)
        assert event.reporter_pseudonym is None and event.from_enc is None


def test_the_number_is_stored_as_posted_and_the_worker_makes_it_canonical() -> None:
    with session_scope() as session:
        stored = record_inbound_events(
            session, [_sms("SMspaced", phone="+33 6 39 98 12 34"), _sms("SMe164")]
        )
    with session_scope() as session:
        events = [session.get_one(InboundEvent, s.event_id) for s in stored]
        assert all(e.reporter_pseudonym is None for e in events)  # not on the request path
        assert decrypt_phone(events[0].from_enc or "") == "+33 6 39 98 12 34"
    with session_scope() as session:
        spaced, e164 = lock_events(session, [s.event_id for s in stored])
        # One reporter, however Twilio spelled the number; the copy kept is the canonical one.
        assert spaced.reporter_pseudonym == e164.reporter_pseudonym == pseudonym("+33639981234")
        assert decrypt_phone(spaced.from_enc or "") == "+33639981234"
    with session_scope() as session:
        assert session.get_one(InboundEvent, stored[0].event_id).reporter_pseudonym is not None


def test_a_reporter_is_identified_once_and_an_address_that_is_no_number_is_kept() -> None:
    with session_scope() as session:
        (stored,) = record_inbound_events(session, [_sms("SMclient", phone="client:alice")])
    with session_scope() as session:
        event = lock_event(session, stored.event_id)
        assert event is not None and event.reporter_pseudonym == pseudonym("client:alice")
        event.reporter_pseudonym = "kept"
    with session_scope() as session:
        event = lock_event(session, stored.event_id)
        assert event is not None and event.reporter_pseudonym == "kept"


def test_a_number_the_key_cannot_read_leaves_the_event_without_reporter() -> None:
    with session_scope() as session:
        (stored,) = record_inbound_events(session, [_sms("SMlost")])
        unreadable = "g1:" + "A" * 40
        session.get_one(InboundEvent, stored.event_id).from_enc = unreadable
        (ok,) = record_inbound_events(session, [_sms("SMok")])
    with session_scope() as session:
        lost, readable = lock_events(session, [stored.event_id, ok.event_id])
        assert lost.reporter_pseudonym is None and lost.from_enc == unreadable
        assert readable.reporter_pseudonym == pseudonym("+33639981234")


def test_an_empty_batch_touches_nothing() -> None:
    with session_scope() as session:
        assert record_inbound_events(session, []) == []
