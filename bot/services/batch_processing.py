"""Process the events of one intake batch in one transaction, in a few statements per batch.

In a wave, most events are the plain case: one person forwards one scam text. Those are stored
together (`processing.new_reports`): one statement each for the reporters, the numbers, the
reports, the domains and the replies, whatever the batch's size. Every other event (a keyword,
an answer to "who sent it?", several texts from one person, a call) is then handled on its own
(`processing.handle_sms`, `call_processing.handle_call_event`), in order, in the same
transaction. A person's events are never split between the two, so their conversation unfolds
in the order they wrote. What a text is (a keyword, an answer, a report) is decided once, by
`domain.conversation.read_sms`, for both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from sqlalchemy.orm import Session

from bot.db.models import InboundEvent, Reporter
from bot.domain.conversation import NewReportSms
from bot.domain.statuses import CALL_EVENT_KINDS, EventStatus
from bot.services.call_processing import handle_call_event
from bot.services.processing import (
    Outcome,
    handle_sms,
    mark_done,
    new_reports,
    read_event,
)
from bot.services.reporters import get_or_create_reporters


def handle_events(
    session: Session, events: Sequence[InboundEvent], send_jobs: Iterator[str] | None = None
) -> list[Outcome]:
    """Process events locked by `lock_events`; events already done are skipped.

    The plain reports' replies are given to the batch send jobs named by `send_jobs`.
    """
    todo = [event for event in events if event.status != EventStatus.DONE]
    reporters = _reporters(session, todo)
    per_person = Counter(event.reporter_pseudonym for event in todo)
    plain: list[tuple[InboundEvent, Reporter, str]] = []
    others = []
    for event in todo:
        reporter = reporters.get(event.reporter_pseudonym or "")
        if reporter is not None and per_person[event.reporter_pseudonym] == 1:
            sms = read_event(event, reporter)
            if isinstance(sms, NewReportSms):
                plain.append((event, reporter, sms.body))
                continue
        others.append(event)
    outcomes = new_reports(session, plain, send_jobs)
    for event, _, _ in plain:
        mark_done(event)
    for event in others:
        if event.kind in CALL_EVENT_KINDS:
            outcomes.append(handle_call_event(session, event))
        else:
            outcomes.append(
                handle_sms(session, event, reporters.get(event.reporter_pseudonym or ""))
            )
    return outcomes


def _reporters(session: Session, events: Sequence[InboundEvent]) -> dict[str, Reporter]:
    """The reporters of the texts, in one statement, each once: loading a person's row again for
    their next text would drop the conversation state their earlier one set and the session has
    not flushed yet (the worker's batches do not autoflush), so an answer sent in the same batch
    as its report would miss the report waiting for it."""
    phones: dict[str, str | None] = {}
    for event in events:
        if event.kind not in CALL_EVENT_KINDS and event.reporter_pseudonym is not None:
            # The event's encrypted phone is the reporter's: no need to decrypt it here.
            phones.setdefault(event.reporter_pseudonym, event.from_enc)
    return get_or_create_reporters(session, phones)
