"""Process one stored call event in a worker: a number confirmed in the voice menu, or a call
forwarded to the bot. Same path as an SMS report: reporter, report, number, classification,
reply, all in one transaction, idempotent (an event already done is skipped, and every reply has
a unique dedupe key, so a re-run never sends twice)."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from bot.db.models import InboundEvent, Reporter
from bot.db.types import utcnow
from bot.domain import advice
from bot.domain.advice import CrowdSignal
from bot.domain.call_advice import forward_reply
from bot.domain.classifier import Classification, classify
from bot.domain.indicators import Indicators
from bot.domain.language import DEFAULT_LANGUAGE, Language, language_or_default
from bot.domain.numbers import Number, NumberType, parse_phone
from bot.domain.statuses import EventKind, EventStatus, ReplyKind
from bot.domain.voice import reporters_day, suspect_number
from bot.security.pseudonyms import decrypt_phone
from bot.services import reporters as reporter_service
from bot.services.crowd import number_signal
from bot.services.intake import lock_event
from bot.services.processing import Outcome
from bot.services.replies import queue_reply_ids
from bot.services.reports import attach_number, record_report

log = logging.getLogger(__name__)


def process_call_event(session: Session, event_id: int) -> Outcome:
    return handle_call_event(session, lock_event(session, event_id))


def handle_call_event(session: Session, event: InboundEvent | None) -> Outcome:
    """Process an event already locked by `lock_event`."""
    if event is None or event.status == EventStatus.DONE:
        return Outcome()
    event.attempts += 1
    if event.kind == EventKind.VOICE_REPORT:
        outcome = _voice_report(session, event)
    else:
        outcome = _forwarded_call(session, event)
    event.status = EventStatus.DONE
    event.processed_at = utcnow()
    event.error = None
    return outcome


def _reporter(session: Session, event: InboundEvent) -> Reporter | None:
    if event.reporter_pseudonym is None:
        return None
    phone = decrypt_phone(event.from_enc) if event.from_enc else None
    return reporter_service.get_or_create_reporter(session, event.reporter_pseudonym, phone)


def _log_call(
    session: Session, event: InboundEvent, reporter: Reporter | None, number: Number, lang: str
) -> tuple[int, Classification, CrowdSignal | None]:
    """Store a `call` report against `number`; the call has no text, only the number.

    The number is also its one indicator, as in an SMS call report (`appel 0899...`), so the
    classifier and the report's `numbers` see the same thing whichever way it was reported (the
    model reads the number as its text, as it reads an SMS of the number alone). An
    invalid number is none, as extraction finds none in a text (`appel +22507123456`).
    """
    valid = number.number_type is not NumberType.INVALID
    indicators = Indicators(numbers=[number] if valid else [])
    # Read as the SMS that sends the number alone: the model learned bare numbers, not silence.
    classification = classify(number.canonical if valid else "", indicators, number, "call")
    report = record_report(
        session,
        event,
        reporter_id=reporter.id if reporter else None,
        channel="call",
        body="",
        language=lang,
        indicators=indicators,
        classification=classification,
    )
    record = attach_number(session, report, number)
    log.info("call report %s stored: kind=%s family=%s", report.id, event.kind, report.family)
    return report.id, classification, number_signal(number, record.reporter_count, record.status)


def _queued(
    session: Session,
    key: str,
    reporter: Reporter,
    kind: str,
    body: str,
    lang: str,
    event: InboundEvent,
    report_id: int | None,
) -> list[int]:
    return queue_reply_ids(
        session,
        dedupe_key=key,
        reporter=reporter,
        kind=kind,
        body=body,
        language=lang,
        event_id=event.id,
        report_id=report_id,
    )


def _voice_report(session: Session, event: InboundEvent) -> Outcome:
    """A number typed and confirmed in the menu: the caller is the reporter, if not withheld."""
    number = parse_phone(str(event.params.get("ReportedNumber", "")))
    if number is None:
        return Outcome(action="no_number")
    lang = language_or_default(event.params.get("Language"))
    reporter = _reporter(session, event)
    report_id, classification, crowd = _log_call(session, event, reporter, number, lang)
    if reporter is None:  # withheld caller: told on the call that no SMS can follow
        return Outcome(report_id=report_id, action="voice_report_withheld")
    text = advice.report_reply(lang, classification, number, False, "call", crowd)
    key = f"event:{event.id}"
    replies = _queued(session, key, reporter, ReplyKind.ADVICE, text, lang, event, report_id)
    return Outcome(replies, report_id=report_id, action="voice_report")


def _forwarded_call(session: Session, event: InboundEvent) -> Outcome:
    """The forwarder is the reporter, `Suspect` the caller; one SMS per suspect, reporter, day."""
    suspect = suspect_number(str(event.params.get("Suspect", "")))
    reporter = _reporter(session, event)
    lang: Language = DEFAULT_LANGUAGE
    if reporter is not None and reporter.language_chosen:
        lang = language_or_default(reporter.language)
    report_id: int | None = None
    classification = Classification("unknown")
    crowd = None
    if suspect is not None:
        report_id, classification, crowd = _log_call(session, event, reporter, suspect, lang)
    else:
        log.info("forwarded call %s from a withheld number logged as an event", event.id)
    if reporter is None:
        return Outcome(report_id=report_id, action="forward_no_reporter")
    day = reporters_day(event.received_at).isoformat()
    key = f"forward:{reporter.id}:{suspect.canonical if suspect else 'withheld'}:{day}"
    text = forward_reply(lang, classification, suspect, crowd)
    replies = _queued(session, key, reporter, ReplyKind.FORWARD, text, lang, event, report_id)
    action = "forward" if suspect is not None else "forward_withheld"
    return Outcome(replies, report_id=report_id, action=action)
