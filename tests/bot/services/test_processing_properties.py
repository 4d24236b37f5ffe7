"""Properties of the conversation, on the real database: whatever one reporter sends, in any
order (keywords, numbers, scam texts, garbage), processing never fails, answers each message at
most once, stays silent between STOP and START, keeps every reply within 2 segments, and never
stores a keyword as a report."""

from __future__ import annotations

import secrets

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.db.models import Reply, Report
from bot.db.session import session_scope
from bot.domain.keywords import Keyword, parse_keyword
from bot.services.intake import record_inbound_event
from tests.conftest import _empty_tables
from tests.helpers import process_as_worker

pytestmark = pytest.mark.storage

REPORTER = "+33612345678"
KEYWORDS = ["STOP", "stop", "Arrêt !", "START", "start.", "AIDE", "help", "EN", "FR", "info"]
NUMBERS = [
    "06 39 98 12 34",
    "+33639981234",
    "0033 7 00 11 22 33",
    "AMELI-INFO",
    "38455",
    "« LaPoste »",
]
SCAMS = [
    "Votre colis est en attente, frais de port 1,99e : colis-frais.test",
    "Ameli: votre carte vitale expire, renouvelez sur ameli-renouvel.test",
    "Appel du 09 75 12 34 56, faux conseiller bancaire",
    "Maman j'ai perdu mon tel, ecris moi sur WhatsApp au 07 11 22 33 44",
    "spam vocal 0899123456",
]
HOSTILE = [
    "{{7*7}}",
    "<script>alert(1)</script>",
    "\u202egnp.exe",
    "' OR 1=1 --",
    "a\x00b",
    "😀" * 80,
]
MESSAGES = st.one_of(
    st.sampled_from(KEYWORDS),
    st.sampled_from(NUMBERS),
    st.sampled_from(SCAMS),
    st.sampled_from(HOSTILE),
    st.text(max_size=200),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(MESSAGES, min_size=1, max_size=8))
def test_any_sequence_of_messages_from_one_reporter(messages: list[str]) -> None:
    _empty_tables()  # the test's fixtures run once; each example starts from empty tables
    opted_out = False
    for body in messages:
        keyword = parse_keyword(body.replace("\x00", ""))
        sid = "SM" + secrets.token_hex(16)
        with session_scope() as session:
            event, _ = record_inbound_event(session, sid, "sms", {"Body": body}, REPORTER)
            event_id = event.id
            outcome = process_as_worker(session, event_id)
        with session_scope() as session:
            replies = session.scalars(select(Reply).where(Reply.event_id == event_id)).all()
            assert len(replies) <= 1, body
            assert len(outcome.reply_ids) <= 1
            sent = [r for r in replies if r.status != "suppressed"]
            if keyword is Keyword.STOP:
                opted_out = True
                assert sent == []
            elif keyword is Keyword.START:
                opted_out = False
            elif opted_out:
                assert sent == [], f"replied after STOP: {body!r}"
            for reply in replies:
                assert reply.segments <= 2, reply.body
            stored = session.scalars(select(Report).where(Report.source_sid == sid)).all()
            if keyword is not None:
                assert stored == [], f"keyword stored as a report: {body!r}"
