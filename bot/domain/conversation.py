"""What an SMS from a reporter is: a keyword, the answer to our "who sent it?" question, or a
new report. The one decision every path takes (the worker's batches, and a batch of one).

It reads only the text and the reporter's conversation state (the report that waits for its
sender, if any); what to do with the answer (store, reply) is the services' work.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.keywords import AnyKeyword, parse_keyword
from bot.domain.numbers import Number
from bot.domain.report_text import sender_answer


def clean_body(raw: str, limit: int) -> str:
    """Keep the text as sent, minus NULs (which PostgreSQL refuses), cut to the size limit."""
    return raw.replace("\x00", "")[:limit]


@dataclass(frozen=True, slots=True)
class KeywordSms:
    """STOP, START, HELP or a language: never stored as a report."""

    keyword: AnyKeyword


@dataclass(frozen=True, slots=True)
class SenderAnswer:
    """The number or name that sent the report waiting for it."""

    report_id: int
    sender: Number
    # The cleaned text: should the awaited report be gone or numbered meanwhile, the answer is
    # stored as a new report of this text.
    body: str


@dataclass(frozen=True, slots=True)
class NewReportSms:
    """A text to store as a report (a forwarded scam, a call told in the reporter's words)."""

    body: str  # cleaned


Sms = KeywordSms | SenderAnswer | NewReportSms


def read_sms(raw_body: str, awaited_report_id: int | None, max_chars: int) -> Sms:
    """What this SMS is, for a reporter whose report `awaited_report_id` (if any) waits for its
    sender. A keyword comes first; a text that reads as a sender answers the waiting report;
    anything else is a new report. The text is cleaned first, whatever it turns out to be."""
    body = clean_body(raw_body, max_chars)
    keyword = parse_keyword(body)
    if keyword is not None:
        return KeywordSms(keyword)
    if awaited_report_id is not None:
        sender = sender_answer(body)
        if sender is not None:
            return SenderAnswer(awaited_report_id, sender, body)
    return NewReportSms(body)
