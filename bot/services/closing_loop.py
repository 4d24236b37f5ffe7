"""Closing the loop: tell each reporter when a number they reported is confirmed as a scam.

33700 and 7726 never tell reporters anything; hearing back is why people keep reporting. The
message goes once per number per reporter, ever: the reply's dedupe key says so in the database,
so confirming twice, or confirming, reverting and confirming again, never sends a second SMS.
These functions only store replies; the caller enqueues the returned ids after commit (and the
sweeper catches any it misses), so the normal paced sender sends them.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.db.models import NumberReporter, Reply, ReportedNumber, Reporter
from bot.domain.advice import display_number, fit
from bot.domain.language import Language, language_or_default
from bot.domain.numbers import Number, NumberType
from bot.domain.statuses import ReplyKind, ReplyStatus, VettingStatus
from bot.prompts import render
from bot.services.replies import queue_reply

log = logging.getLogger(__name__)


def dedupe_key(number_id: int, reporter_id: int) -> str:
    return f"confirmed:{number_id}:{reporter_id}"


def confirmed_text(lang: Language, number: ReportedNumber) -> str:
    """The short SMS: at most 2 segments, no link (links in an SMS about scams teach clicking)."""
    as_number = Number(number.number, NumberType(number.number_type), number.country)
    is_name = as_number.number_type is NumberType.SENDER_NAME
    text = render("sms/loop/confirmed", lang, number=display_number(as_number), is_name=is_name)
    return fit(text)


def on_number_confirmed(session: Session, number_id: int) -> list[int]:
    """Queue one SMS for each reporter of a newly confirmed number. Returns the new reply ids.

    Called in the transaction that sets the status to confirmed_scam. Opted-out reporters are
    skipped outright: no row is stored, so nothing can reach them later either.
    """
    number = session.get(ReportedNumber, number_id)
    if number is None or number.status != VettingStatus.CONFIRMED_SCAM:
        return []
    reporters = session.scalars(
        select(Reporter)
        .join(NumberReporter, NumberReporter.reporter_id == Reporter.id)
        .where(
            NumberReporter.number_id == number_id,
            Reporter.opted_out.is_(False),
            Reporter.phone_enc.is_not(None),
        )
        .order_by(Reporter.id)
    ).all()
    texts: dict[str, str] = {}
    reply_ids: list[int] = []
    for reporter in reporters:
        lang = language_or_default(reporter.language)
        if lang not in texts:
            texts[lang] = confirmed_text(lang, number)
        reply = queue_reply(
            session,
            dedupe_key=dedupe_key(number_id, reporter.id),
            reporter=reporter,
            kind=ReplyKind.LOOP_CONFIRMED,
            body=texts[lang],
            language=lang,
        )
        if reply is not None:
            reply_ids.append(reply.id)
    session.flush()
    log.info("number %s confirmed: %s reporter(s) to tell", number_id, len(reply_ids))
    return reply_ids


def on_number_legitimate(session: Session, number_id: int) -> int:
    """A confirmation undone: hold back the "confirmed" SMS that have not left yet.

    Meant for any move away from confirmed_scam (legitimate, dismissed, back to investigating).

    Replies already handed to Twilio cannot be recalled. The blocklist needs nothing here: it
    lists only numbers whose status is confirmed_scam. Returns how many replies were held back.
    """
    result = session.execute(
        update(Reply)
        .where(
            Reply.kind == ReplyKind.LOOP_CONFIRMED,
            Reply.status == ReplyStatus.QUEUED,
            Reply.dedupe_key.like(f"confirmed:{number_id}:%"),
        )
        .values(status=ReplyStatus.SUPPRESSED)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def reporters_told(session: Session, reply_ids: list[int]) -> int:
    """How many distinct reporters these confirmation replies reach (one may get several, one
    per number they reported)."""
    if not reply_ids:
        return 0
    count = session.scalar(
        select(func.count(func.distinct(Reply.reporter_id))).where(Reply.id.in_(reply_ids))
    )
    return int(count or 0)
