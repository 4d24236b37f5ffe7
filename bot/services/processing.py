"""Act on inbound SMS: keywords, the two-step conversation, new reports, their replies.

Called by `batch_processing.handle_events`, the one path of every SMS (a batch of one is a
batch), in a worker, inside one transaction. It is idempotent: an event already done is
skipped, and every reply is keyed on its event, so a re-run never sends anything twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import assert_never

from sqlalchemy.orm import Session

from bot.db.models import InboundEvent, Report, Reporter
from bot.db.types import utcnow
from bot.domain import advice
from bot.domain.classifier import Classification, classify_many
from bot.domain.conversation import KeywordSms, NewReportSms, SenderAnswer, Sms, read_sms
from bot.domain.keywords import AnyKeyword, Keyword, LanguageKeyword
from bot.domain.language import Language, detect_language, is_language
from bot.domain.report_text import ReadReport, read_report
from bot.domain.statuses import EventStatus, ReplyKind
from bot.prompts import render
from bot.services import reporters as reporter_service
from bot.services.campaigns import assign_campaigns
from bot.services.crowd import domain_counts, link_signal, number_signal
from bot.services.domains import record_domains
from bot.services.replies import ReplyDraft, queue_replies, queue_reply_ids
from bot.services.reports import (
    NewReport,
    NumberCount,
    Sighting,
    attach_number,
    count_reports_on_numbers,
    record_reports,
)
from bot.settings import get_settings

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What processing decided, for the job to act on after commit."""

    reply_ids: list[int] = field(default_factory=list)
    report_id: int | None = None
    action: str = "skipped"
    # The batch send job that carries the replies; None: each needs a job of its own.
    send_job_id: str | None = None


def handle_sms(session: Session, event: InboundEvent, reporter: Reporter | None) -> Outcome:
    """Process one SMS of its reporter (None: the number was withheld or unreadable), as their
    conversation stands now: an earlier text of theirs in the batch may have changed it."""
    if reporter is None:
        outcome = Outcome(action="no_reporter")
    else:
        outcome = _answer_sms(session, event, reporter, read_event(event, reporter))
    mark_done(event)
    return outcome


def mark_done(event: InboundEvent) -> None:
    # Counted with the outcome, in the same UPDATE: a failed attempt rolls back either way.
    event.attempts += 1
    event.status = EventStatus.DONE
    event.processed_at = utcnow()
    event.error = None


def read_event(event: InboundEvent, reporter: Reporter) -> Sms:
    """What the event's SMS is, for its reporter's conversation as it stands now."""
    return read_sms(
        str(event.params.get("Body", "")),
        reporter_service.awaited_report_id(reporter),
        get_settings().max_report_chars,
    )


def _answer_sms(session: Session, event: InboundEvent, reporter: Reporter, sms: Sms) -> Outcome:
    """Act on what the SMS is: a keyword, the sender of the waiting report, a new report."""
    match sms:
        case KeywordSms(keyword):
            return _handle_keyword(session, event, reporter, keyword)
        case SenderAnswer():
            return _complete_report(session, event, reporter, sms)
        case NewReportSms(body):
            return _new_report(session, event, reporter, body)
        case _:
            assert_never(sms)


def _language(reporter: Reporter, body: str) -> Language:
    if reporter.language_chosen and is_language(reporter.language):
        return reporter.language
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
    session: Session, event: InboundEvent, reporter: Reporter, keyword: AnyKeyword
) -> Outcome:
    if keyword is Keyword.STOP:
        reporter_service.opt_out(reporter)
        return Outcome(action="stop")  # honoured at once: not even a confirmation
    if keyword is Keyword.START:
        reporter_service.opt_in(reporter)
        lang = _language(reporter, "")
        return Outcome(
            _reply(
                session, event, reporter, ReplyKind.KEYWORD, render("sms/keyword/start", lang), lang
            ),
            action="start",
        )
    if isinstance(keyword, LanguageKeyword):
        chosen = keyword.language
        reporter_service.set_language(reporter, chosen)
        text = render("sms/keyword/language", chosen)
        return Outcome(
            _reply(session, event, reporter, ReplyKind.KEYWORD, text, chosen), action="language"
        )
    lang = _language(reporter, "")
    text = render("sms/keyword/help", lang)
    return Outcome(_reply(session, event, reporter, ReplyKind.KEYWORD, text, lang), action="help")


def _complete_report(
    session: Session, event: InboundEvent, reporter: Reporter, answer: SenderAnswer
) -> Outcome:
    """Attach the answer to the awaited report; if that one is gone or numbered meanwhile, the
    answer is a new report, of the cleaned text like any other."""
    report = session.get(Report, answer.report_id)
    number = answer.sender
    if report is None or report.number_id is not None:
        reporter_service.clear_awaiting(reporter)
        return _new_report(session, event, reporter, answer.body)
    record = attach_number(session, report, number)
    reporter_service.clear_awaiting(reporter)
    lang = _language(reporter, report.body or "")
    crowd = number_signal(number, record.reporter_count, record.status)
    text = advice.sender_logged_reply(lang, number, crowd)
    return Outcome(
        _reply(session, event, reporter, ReplyKind.SENDER_LOGGED, text, lang, report.id),
        report_id=report.id,
        action="sender_logged",
    )


def _new_report(session: Session, event: InboundEvent, reporter: Reporter, body: str) -> Outcome:
    return new_reports(session, [(event, reporter, body)])[0]


@dataclass(frozen=True, slots=True)
class _Read:
    """A new report as read, before it is stored."""

    event: InboundEvent
    reporter: Reporter
    body: str
    read: ReadReport
    classification: Classification
    language: Language


def new_reports(
    session: Session,
    items: Sequence[tuple[InboundEvent, Reporter, str]],
    send_jobs: Iterator[str] | None = None,
) -> list[Outcome]:
    """Store new reports and queue their replies: the same few statements for one or many.

    Each item is an event, its reporter and its text. A reporter may appear only once: their
    conversation state is set from their one report. `send_jobs` names the batch send job of
    each reply in turn; without it, each reply gets a job of its own.
    """
    if not items:
        return []
    reads = _read_reports(items)
    numbers = _count_numbers(session, reads)
    reports = _store_reports(session, reads, numbers)
    links = domain_counts(session, [d for r in reports for d in r.domains or []])
    assign_campaigns(session, reports)
    drafts = []
    for read, report in zip(reads, reports, strict=True):
        _follow_up(read, report)
        job_id = next(send_jobs) if send_jobs is not None else None
        drafts.append(_draft_reply(read, report, numbers, links, job_id))
    queued = queue_replies(session, drafts)
    return [
        Outcome(
            [queued[draft.dedupe_key]] if draft.dedupe_key in queued else [],
            report_id=report.id,
            action="report",
            send_job_id=draft.job_id,
        )
        for draft, report in zip(drafts, reports, strict=True)
    ]


def _read_reports(items: Sequence[tuple[InboundEvent, Reporter, str]]) -> list[_Read]:
    """Read the texts, classify them (all at once: the model scores a batch in one go), and
    pick each reply's language. No database."""
    read = [read_report(body) for _, _, body in items]
    classifications = classify_many([(r.text, r.indicators, r.reported, r.channel) for r in read])
    return [
        _Read(event, reporter, body, one, classification, _language(reporter, body))
        for (event, reporter, body), one, classification in zip(
            items, read, classifications, strict=True
        )
    ]


def _count_numbers(session: Session, reads: Sequence[_Read]) -> dict[str, NumberCount]:
    """Count the reports against the numbers they name (`count_reports_on_numbers`'s three
    statements, however many)."""
    return count_reports_on_numbers(
        session,
        [
            Sighting(r.read.reported, r.event.received_at, r.read.channel, r.reporter.id)
            for r in reads
            if r.read.reported is not None
        ],
    )


def _store_reports(
    session: Session, reads: Sequence[_Read], numbers: dict[str, NumberCount]
) -> list[Report]:
    """Insert the reports in one statement, then record their links' domains; in order."""
    reports = record_reports(
        session,
        [
            NewReport(
                r.event,
                reporter_id=r.reporter.id,
                channel=r.read.channel,
                body=r.body,
                language=r.language,
                indicators=r.read.indicators,
                classification=r.classification,
                number_id=numbers[r.read.reported.canonical].number_id if r.read.reported else None,
            )
            for r in reads
        ],
    )
    record_domains(session, [(r.id, r.domains or [], r.received_at) for r in reports])
    for read, report in zip(reads, reports, strict=True):
        reported = read.read.reported
        log.info(
            "report %s stored: channel=%s family=%s number=%s",
            report.id,
            read.read.channel,
            read.classification.family,
            "awaited" if reported is None else "phone" if reported.is_phone else reported.canonical,
        )
    return reports


def _follow_up(read: _Read, report: Report) -> None:
    """The conversation after a report: ask who sent it when the text does not say."""
    if read.read.reported is not None:
        reporter_service.clear_awaiting(read.reporter)
    else:
        ttl = get_settings().conversation_ttl_seconds
        reporter_service.await_sender(read.reporter, report.id, ttl)


def _draft_reply(
    read: _Read,
    report: Report,
    numbers: dict[str, NumberCount],
    links: dict[str, tuple[int, str]],
    job_id: str | None,
) -> ReplyDraft:
    """The advice for a report, with what the crowd says of its number, else of its links."""
    reported = read.read.reported
    crowd = None
    if reported is not None:
        count = numbers[reported.canonical]
        crowd = number_signal(reported, count.reporter_count, count.status)
    crowd = crowd or link_signal(report.domains or [], links)
    text = advice.report_reply(
        read.language, read.classification, reported, reported is None, read.read.channel, crowd
    )
    return ReplyDraft(
        f"event:{read.event.id}",
        read.reporter,
        ReplyKind.ADVICE,
        text,
        read.language,
        read.event.id,
        report.id,
        job_id=job_id,
    )
