"""The conversation: a report, the two-step sender question, keywords, opt-out."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest
from sqlalchemy import delete, func, select, update

from bot.db.models import Reply, Report, ReportedNumber
from bot.db.session import session_scope
from bot.domain.numbers import parse_phone
from bot.services.intake import record_inbound_event
from bot.services.reports import attach_number
from bot.settings import get_settings
from tests.helpers import process_as_worker

pytestmark = pytest.mark.storage

REPORTER = "+33612345678"
FORWARDED = "Votre colis est en attente, frais de port 1,99e : colis-frais.test"


def send(body: str, sender: str = REPORTER) -> Reply | None:
    """Store one inbound SMS and process it as the worker would; return the reply it queued."""
    with session_scope() as session:
        event, _ = record_inbound_event(
            session, "SM" + secrets.token_hex(16), "sms", {"Body": body}, sender
        )
        outcome = process_as_worker(session, event.id)
        replies = [session.get(Reply, rid) for rid in outcome.reply_ids]
    return replies[0] if replies else None


def reports() -> list[Report]:
    with session_scope() as session:
        return list(session.scalars(select(Report).order_by(Report.id)).unique().all())


def number_record(canonical: str) -> ReportedNumber | None:
    with session_scope() as session:
        return session.scalars(
            select(ReportedNumber).where(ReportedNumber.number == canonical)
        ).one_or_none()


def test_a_forwarded_text_without_sender_asks_for_it() -> None:
    reply = send(FORWARDED)
    assert reply is not None
    assert "Qui vous l'a envoyé" in reply.body
    [report] = reports()
    assert report.number_id is None
    assert report.domains == ["colis-frais[.]test"]


@pytest.mark.parametrize(
    ("answer", "canonical"),
    [
        ("06 39 98 12 34", "+33639981234"),
        ("+33639981234", "+33639981234"),
        ("0033 6 39 98 12 34", "+33639981234"),
        ("06.39.98.12.34", "+33639981234"),
        ("06-39-98-12-34", "+33639981234"),
        ("38455", "38455"),
        ("AMELI-INFO", "AMELI-INFO"),
        ("ameli-info", "AMELI-INFO"),
    ],
)
def test_the_next_sms_completes_the_report(answer: str, canonical: str) -> None:
    send(FORWARDED)
    reply = send(answer)
    assert reply is not None
    assert "enregistré" in reply.body
    [report] = reports()  # attached to the pending report, no new one
    record = number_record(canonical)
    assert record is not None and report.number_id == record.id
    assert record.report_count == 1 and record.reporter_count == 1 and record.sms_count == 1


def test_a_new_scam_text_while_a_number_is_awaited_starts_a_new_report() -> None:
    send(FORWARDED)
    send("Assurance Maladie : votre carte Vitale expire, renouvelez-la sur vitale-maj.test")
    assert len(reports()) == 2
    send("06 39 98 12 34")
    first, second = reports()
    assert first.number_id is None  # abandoned: the reporter moved on
    assert second.number_id is not None


def test_a_text_that_names_its_sender_needs_no_second_step() -> None:
    reply = send("de 06 39 98 33 81 : Salut papa c'est mon nouveau numero, ecris moi sur whatsapp")
    assert reply is not None and "Qui vous" not in reply.body
    record = number_record("+33639983381")
    assert record is not None and record.report_count == 1


def test_a_call_report_logs_the_caller() -> None:
    send("appel du 09 75 10 22 61, un faux conseiller bancaire")
    record = number_record("+33975102261")
    assert record is not None and record.call_count == 1 and record.sms_count == 0


def test_distinct_reporters_are_counted_once_each() -> None:
    send("appel 06 39 98 12 34", sender="+33611111111")
    send("appel 06 39 98 12 34", sender="+33611111111")
    reply = send("spam vocal 0639981234", sender="+33622222222")
    record = number_record("+33639981234")
    assert record is not None
    assert (record.report_count, record.reporter_count) == (3, 2)
    assert reply is not None


def test_confirmation_says_how_many_people_reported_the_number() -> None:
    send("appel 06 39 98 12 34", sender="+33611111111")
    send("appel 06 39 98 12 34", sender="+33633333333")
    send(FORWARDED, sender="+33622222222")
    reply = send("06 39 98 12 34", sender="+33622222222")
    assert reply is not None and "signalé par 3 personnes" in reply.body


@pytest.mark.parametrize("stop", ["STOP", "stop", "Arrêt", "ARRET", "arret !"])
def test_stop_silences_everything_until_start(stop: str) -> None:
    assert send(stop) is None
    assert send(FORWARDED) is None
    assert len(reports()) == 1  # still logged: the report counts even if we stay silent
    with session_scope() as session:
        statuses = session.scalars(select(Reply.status)).all()
    assert statuses == ["suppressed"]
    start = send("START")
    assert start is not None
    assert send(FORWARDED) is not None


def test_keywords_are_never_stored_as_scam_content() -> None:
    for keyword in ("AIDE", "HELP", "STOP", "START", "EN", "FR"):
        send(keyword)
    assert reports() == []


def test_help_explains_how_to_report() -> None:
    reply = send("aide")
    assert reply is not None and "transférez" in reply.body.lower()


def test_english_is_answered_in_english_and_en_fr_switch() -> None:
    reply = send("I got this text, is it a scam? Your parcel is on hold, pay 2 EUR: parcel.test")
    assert reply is not None and reply.language == "en" and "report logged" in reply.body
    send("FR")
    reply = send("I got this text again: your parcel is on hold, pay 2 EUR: parcel.test")
    assert reply is not None and reply.language == "fr"


def test_replies_are_at_most_two_segments() -> None:
    for body in (FORWARDED, "06 39 98 12 34", "HELP", "x" * 3000):
        reply = send(body)
        assert reply is None or reply.segments <= 2


def test_a_long_body_is_cut_to_the_limit_and_nul_removed() -> None:
    send("a\x00b" + "x" * 10_000)
    [report] = reports()
    assert report.body is not None and "\x00" not in report.body
    assert len(report.body) == 4000


def _number_the_report(report_id: int) -> None:
    with session_scope() as session:
        number = parse_phone("09 75 10 22 61")
        assert number is not None
        attach_number(session, session.get_one(Report, report_id), number)


def _delete_the_report(report_id: int) -> None:
    with session_scope() as session:
        session.execute(update(Reply).where(Reply.report_id == report_id).values(report_id=None))
        session.execute(delete(Report).where(Report.id == report_id))


@pytest.mark.parametrize("gone", [_number_the_report, _delete_the_report])
def test_an_answer_to_a_report_no_longer_waiting_is_cut_like_any_report(
    gone: Callable[[int], None],
) -> None:
    """The awaited report was numbered or deleted meanwhile: the answer is a new report, and
    its text is cleaned as every report's is (NULs removed, cut to the limit)."""
    send(FORWARDED)
    [awaited] = reports()
    gone(awaited.id)
    # A number, then what a phone may pad a message with: the answer reads as the number alone.
    # (Intake already drops NULs from the params; processing drops them again for its own sake.)
    answer = "06 39 98 12 34" + " " * 3000 + "\x00" + " " * 1985
    assert len(answer) == 5000
    reply = send(answer)
    assert reply is not None
    new = reports()[-1]  # (SQLite may give it the deleted report's id)
    assert new.body is not None and new.body.startswith("06 39 98 12 34")
    assert len(new.body) <= get_settings().max_report_chars
    assert "\x00" not in new.body


def test_processing_twice_does_nothing_the_second_time() -> None:
    with session_scope() as session:
        event, _ = record_inbound_event(session, "SMdup", "sms", {"Body": FORWARDED}, REPORTER)
        first = process_as_worker(session, event.id)
    with session_scope() as session:
        second = process_as_worker(session, event.id)
        assert session.scalar(select(func.count()).select_from(Report)) == 1
    assert first.reply_ids and not second.reply_ids
