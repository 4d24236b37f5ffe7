"""Process the events of one intake batch in one transaction, in a few statements per batch.

In a wave, most events are the plain case: one person forwards one scam text. Those are stored
together (`processing.new_reports`): one statement each for the reporters, the numbers, the
reports, the domains and the replies, whatever the batch's size. Every other event (a keyword,
an answer to "who sent it?", several texts from one person, a call) goes through the one-event
path, in order, in the same transaction. A person's events are never split between the two
paths, so their conversation unfolds in the order they wrote.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from sqlalchemy.orm import Session

from bot.db.models import InboundEvent
from bot.domain.conversation import NewReportSms
from bot.services.call_processing import CALL_EVENT_KINDS, handle_call_event
from bot.services.processing import (
    Outcome,
    handle_sms_event,
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
    todo = [event for event in events if event.status != "done"]
    per_person = Counter(event.reporter_pseudonym for event in todo)
    alone = {
        event.reporter_pseudonym: event.from_enc
        for event in todo
        if event.kind not in CALL_EVENT_KINDS
        and event.reporter_pseudonym is not None
        and per_person[event.reporter_pseudonym] == 1
    }
    reporters = get_or_create_reporters(session, alone)
    plain = []
    others = []
    for event in todo:
        reporter = reporters.get(event.reporter_pseudonym or "")
        sms = read_event(event, reporter) if reporter is not None else None
        if reporter is not None and isinstance(sms, NewReportSms):
            plain.append((event, reporter, sms.body))
        else:
            others.append(event)
    outcomes = new_reports(session, plain, send_jobs)
    for event, _, _ in plain:
        mark_done(event)
    for event in others:
        handle = handle_call_event if event.kind in CALL_EVENT_KINDS else handle_sms_event
        outcomes.append(handle(session, event))
    return outcomes
