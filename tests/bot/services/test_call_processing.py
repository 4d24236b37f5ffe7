"""Call events in the worker: a confirmed number becomes a `call` report with one advice SMS;
a forwarded call is logged for the suspect with one SMS per suspect, reporter and day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import InboundEvent, Reply, Report
from bot.db.session import session_scope
from bot.domain.statuses import EventKind
from bot.services.call_processing import process_call_event
from bot.services.intake import record_inbound_event

pytestmark = pytest.mark.storage

REPORTER = "+33611223344"


def _event(sid: str, kind: str, params: dict[str, str], reporter: str | None) -> int:
    with session_scope() as session:
        event, _ = record_inbound_event(session, sid, kind, params, reporter)
        return event.id


def _process(event_id: int) -> tuple[str, list[int]]:
    with session_scope() as session:
        outcome = process_call_event(session, event_id)
        return outcome.action, outcome.reply_ids


def _count(model: type) -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_voice_report_is_a_call_report_with_one_reply_even_when_run_twice() -> None:
    params = {"CallSid": "CA1", "ReportedNumber": "+33899123456", "Language": "en"}
    event_id = _event("CA1", EventKind.VOICE_REPORT, params, REPORTER)
    action, replies = _process(event_id)
    assert action == "voice_report" and len(replies) == 1
    assert _process(event_id) == ("skipped", [])
    with session_scope() as session:
        report = session.scalars(select(Report)).one()
        assert (report.channel, report.language, report.body) == ("call", "en", "")
        assert report.number is not None and report.number.number_type == "premium"
        # Classified like the SMS `call 0899...`: the number is the report's one indicator.
        assert (report.family, report.numbers) == ("callback_premium", ["+33899123456"])
        reply = session.scalars(select(Reply)).one()
        assert reply.body.startswith("Scamline: report logged") and reply.segments <= 2


def test_a_withheld_voice_report_is_stored_without_reporter_or_reply() -> None:
    params = {"CallSid": "CA2", "ReportedNumber": "+33639981234", "Language": "fr"}
    action, replies = _process(_event("CA2", EventKind.VOICE_REPORT, params, None))
    assert (action, replies) == ("voice_report_withheld", [])
    assert (_count(Report), _count(Reply)) == (1, 0)


def test_forwarded_calls_give_one_sms_per_suspect_and_day() -> None:
    suspect = {"Suspect": "+33972123456"}
    first = _event("CA3", EventKind.CALL_FORWARD, {"CallSid": "CA3", **suspect}, REPORTER)
    same_day = _event("CA4", EventKind.CALL_FORWARD, {"CallSid": "CA4", **suspect}, REPORTER)
    other = _event(
        "CA5", EventKind.CALL_FORWARD, {"CallSid": "CA5", "Suspect": "+33639981234"}, REPORTER
    )
    next_day = _event("CA6", EventKind.CALL_FORWARD, {"CallSid": "CA6", **suspect}, REPORTER)
    with session_scope() as session:
        event = session.get(InboundEvent, next_day)
        assert event is not None
        event.received_at = event.received_at + timedelta(days=1)
    assert len(_process(first)[1]) == 1
    assert _process(same_day) == ("forward", [])
    assert len(_process(other)[1]) == 1
    assert len(_process(next_day)[1]) == 1
    assert (_count(Report), _count(Reply)) == (4, 3)
    with session_scope() as session:
        keys = sorted(session.scalars(select(Reply.dedupe_key)))
        assert all(key.startswith("forward:") for key in keys)


def test_a_forwarded_call_from_a_caller_id_that_is_not_valid_is_logged_against_it() -> None:
    params = {"CallSid": "CA9", "Suspect": "+22507123456"}
    action, replies = _process(_event("CA9", EventKind.CALL_FORWARD, params, REPORTER))
    assert action == "forward" and len(replies) == 1
    with session_scope() as session:
        report = session.scalars(select(Report)).one()
        assert report.number is not None and report.channel == "call"
        assert (report.number.number, report.number.number_type) == ("+22507123456", "invalid")
        assert report.numbers == []  # not an indicator: extraction finds none in texts either
        assert "+22507123456" in session.scalars(select(Reply.body)).one()


def test_a_forwarded_withheld_call_is_logged_as_an_event_only() -> None:
    event_id = _event("CA7", EventKind.CALL_FORWARD, {"CallSid": "CA7", "Suspect": ""}, REPORTER)
    action, replies = _process(event_id)
    assert action == "forward_withheld" and len(replies) == 1
    assert _count(Report) == 0
    with session_scope() as session:
        event = session.get(InboundEvent, event_id)
        assert event is not None and event.status == "done"


def test_a_forwarded_call_without_reporter_is_still_logged() -> None:
    event_id = _event(
        "CA8", EventKind.CALL_FORWARD, {"CallSid": "CA8", "Suspect": "+33972123456"}, None
    )
    assert _process(event_id) == ("forward_no_reporter", [])
    assert (_count(Report), _count(Reply)) == (1, 0)
