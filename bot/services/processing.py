"""Process one stored inbound SMS: keywords, the two-step conversation, a new report, a reply.

Runs in a worker, inside one transaction. It is idempotent: an event already done is skipped,
and every reply is keyed on its event, so a re-run never sends anything twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot.db.models import InboundEvent, Report, Reporter
from bot.db.types import utcnow
from bot.domain import advice
from bot.domain.classifier import classify
from bot.domain.keywords import Keyword, parse_keyword
from bot.domain.language import Language, detect_language
from bot.domain.numbers import Number
from bot.domain.report_text import read_report, sender_answer
from bot.prompts import render
from bot.security.pseudonyms import decrypt_phone
from bot.services import reporters as reporter_service
from bot.services.campaigns import assign_campaign
from bot.services.domains import record_report_domains
from bot.services.intake import lock_event
from bot.services.replies import queue_reply_ids
from bot.services.reports import attach_number, record_report
from bot.settings import get_settings

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What processing decided, for the job to act on after commit."""

    reply_ids: list[int] = field(default_factory=list)
    report_id: int | None = None
    action: str = "skipped"


def clean_body(raw: str, limit: int) -> str:
    """Keep the text as sent, minus NULs (which PostgreSQL refuses), cut to the size limit."""
    return raw.replace("\x00", "")[:limit]


def process_sms_event(session: Session, event_id: int) -> Outcome:
    return handle_sms_event(session, lock_event(session, event_id))


def handle_sms_event(session: Session, event: InboundEvent | None) -> Outcome:
    """Process an event already locked by `lock_event`."""
    if event is None or event.status == "done":
        return Outcome()
    outcome = _handle(session, event)
    # Counted with the outcome, in the same UPDATE: a failed attempt rolls back either way.
    event.attempts += 1
    event.status = "done"
    event.processed_at = utcnow()
    event.error = None
    return outcome


def _handle(session: Session, event: InboundEvent) -> Outcome:
    settings = get_settings()
    phone = decrypt_phone(event.from_enc) if event.from_enc else None
    if event.reporter_pseudonym is None:
        return Outcome(action="no_reporter")
    reporter = reporter_service.get_or_create_reporter(session, event.reporter_pseudonym, phone)
    body = clean_body(str(event.params.get("Body", "")), settings.max_report_chars)

    keyword = parse_keyword(body)
    if keyword is not None:
        return _handle_keyword(session, event, reporter, keyword)

    awaited = reporter_service.awaited_report_id(reporter)
    if awaited is not None:
        answer = sender_answer(body)
        if answer is not None:
            return _complete_report(session, event, reporter, awaited, answer)

    return _new_report(session, event, reporter, body)


def _language(reporter: Reporter, body: str) -> Language:
    if reporter.language_chosen and reporter.language in ("fr", "en"):
        return reporter.language  # type: ignore[return-value]
    return detect_language(body)


def _reply(
    session: Session,
    event: InboundEvent,
    reporter: Reporter,
    kind: str,
    body: str,
    language: str,
    report_id: int | None = None,
) -> list[int]:
    return queue_reply_ids(
        session,
        dedupe_key=f"event:{event.id}",
        reporter=reporter,
        kind=kind,
        body=body,
        language=language,
        event_id=event.id,
        report_id=report_id,
    )


def _handle_keyword(
    session: Session, event: InboundEvent, reporter: Reporter, keyword: Keyword
) -> Outcome:
    if keyword is Keyword.STOP:
        reporter_service.opt_out(reporter)
        return Outcome(action="stop")  # honoured at once: not even a confirmation
    if keyword is Keyword.START:
        reporter_service.opt_in(reporter)
        lang = _language(reporter, "")
        return Outcome(
            _reply(session, event, reporter, "keyword", render("sms/keyword/start", lang), lang),
            action="start",
        )
    if keyword in (Keyword.ENGLISH, Keyword.FRENCH):
        chosen: Language = "en" if keyword is Keyword.ENGLISH else "fr"
        reporter_service.set_language(reporter, chosen)
        text = render("sms/keyword/language", chosen)
        return Outcome(_reply(session, event, reporter, "keyword", text, chosen), action="language")
    lang = _language(reporter, "")
    text = render("sms/keyword/help", lang)
    return Outcome(_reply(session, event, reporter, "keyword", text, lang), action="help")


def _complete_report(
    session: Session, event: InboundEvent, reporter: Reporter, report_id: int, number: Number
) -> Outcome:
    report = session.get(Report, report_id)
    if report is None or report.number_id is not None:
        reporter_service.clear_awaiting(reporter)
        return _new_report(session, event, reporter, str(event.params.get("Body", "")))
    record = attach_number(session, report, number)
    reporter_service.clear_awaiting(reporter)
    lang = _language(reporter, report.body or "")
    text = advice.sender_logged_reply(lang, number, record.reporter_count)
    return Outcome(
        _reply(session, event, reporter, "sender_logged", text, lang, report.id),
        report_id=report.id,
        action="sender_logged",
    )


def _new_report(session: Session, event: InboundEvent, reporter: Reporter, body: str) -> Outcome:
    settings = get_settings()
    read = read_report(body)
    classification = classify(read.text, read.indicators, read.reported, read.channel)
    lang = _language(reporter, body)
    report = record_report(
        session,
        event,
        reporter_id=reporter.id,
        channel=read.channel,
        body=body,
        language=lang,
        indicators=read.indicators,
        classification=classification,
    )
    record_report_domains(session, report)
    assign_campaign(session, report)
    if read.reported is not None:
        attach_number(session, report, read.reported)
        reporter_service.clear_awaiting(reporter)
    else:
        reporter_service.await_sender(reporter, report.id, settings.conversation_ttl_seconds)
    text = advice.report_reply(lang, classification, read.reported, read.reported is None)
    log.info(
        "report %s stored: channel=%s family=%s number=%s",
        report.id,
        read.channel,
        classification.family,
        read.reported.canonical
        if read.reported and not read.reported.is_phone
        else "phone"
        if read.reported
        else "awaited",
    )
    return Outcome(
        _reply(session, event, reporter, "advice", text, lang, report.id),
        report_id=report.id,
        action="report",
    )
