"""Send stored replies through Twilio, each at most once.

The order of writes is what makes it safe: a job's replies are committed as `sending` (claimed,
in one transaction) before any HTTP call, and each Twilio SID is committed as soon as Twilio
answers. If a worker dies in between, the next attempt finds `sending` without a SID and asks
Twilio whether the message exists before it sends anything.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioRestException

from bot.db.models import Reply, Reporter
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.queueing.connections import get_redis
from bot.security.pseudonyms import decrypt_phone, mask_phone
from bot.settings import get_settings
from workers.pacing import SendPacer
from workers.twilio_client import twilio_client

log = logging.getLogger(__name__)

# Twilio error codes that no retry can fix.
PERMANENT_ERRORS = {21211, 21212, 21408, 21610, 21612, 21614, 21617, 30003, 30004, 30005, 30006}


class TransientSendError(RuntimeError):
    """Twilio was busy or failing: the job raises so that RQ retries it later."""


# Twilio's first states for a message it has taken. Ours stays apart: `queued` here means
# "waiting in our queue", and the sweeper re-enqueues such replies.
TWILIO_ACCEPTED_STATES = frozenset({"queued", "accepted", "scheduled", "sending"})


def status_after_create(twilio_status: str | None) -> str:
    """Our status for a reply Twilio has just taken; its callbacks move it on from there."""
    if not twilio_status or twilio_status in TWILIO_ACCEPTED_STATES:
        return "accepted"
    return twilio_status


def sender_pacer() -> SendPacer:
    """The pacer of this deployment's sender: its messaging service, number, or one default."""
    settings = get_settings()
    key = settings.twilio_messaging_service_sid or settings.twilio_sender or "default"
    return SendPacer(get_redis(), key, settings.sender_rate_per_second)


@dataclass(frozen=True)
class Claim:
    """A reply claimed for sending: marked `sending`, with what it needs to go out."""

    reply_id: int
    to: str = field(repr=False)  # never in a log line
    body: str = field(repr=False)
    previous_state: str  # `sending`: an earlier attempt may have reached Twilio


def _locked_replies(session: Session, reply_ids: Sequence[int]) -> list[tuple[Reply, str]]:
    """The replies still to hand over, locked, in id order, each with its reporter's number.

    One round trip for all of them. A reply whose reporter opted out (or whose number is gone)
    is marked `suppressed` here and left out.
    """
    rows = session.execute(
        select(Reply, Reporter)
        .outerjoin(Reporter, Reporter.id == Reply.reporter_id)
        .where(Reply.id.in_(sorted(set(reply_ids))))
        .order_by(Reply.id)
        .with_for_update(of=Reply)
    ).all()
    todo: list[tuple[Reply, str]] = []
    for reply, reporter in rows:
        if reply.twilio_sid or reply.status not in ("queued", "sending"):
            continue
        to = decrypt_phone(reporter.phone_enc) if reporter and reporter.phone_enc else None
        if reporter is None or reporter.opted_out or to is None:
            reply.status = "suppressed"
            continue
        todo.append((reply, to))
    return todo


def claim_replies(reply_ids: Sequence[int]) -> list[Claim]:
    """Claim replies for sending, all in one transaction (one commit, not one per reply).

    Each claimed reply is committed as `sending` before any HTTP call: should the worker die
    before Twilio's answer is stored, the next attempt asks Twilio before sending again.
    """
    now = utcnow()
    claims: list[Claim] = []
    with session_scope() as session:
        for reply, to in _locked_replies(session, reply_ids):
            claims.append(Claim(reply.id, to, reply.body, reply.status))
            if reply.status == "queued":
                reply.attempt_started_at = now
            reply.status = "sending"
            reply.attempts += 1
    return claims


def hand_to_outbox(reply_ids: Sequence[int]) -> int:
    """Without Twilio credentials: log each reply (number masked) as handed over, in one
    transaction, as nothing is sent. Returns how many were handed over."""
    now = utcnow()
    with session_scope() as session:
        todo = _locked_replies(session, reply_ids)
        for reply, to in todo:
            log.info("OUTBOX reply %s to %s: %s", reply.id, mask_phone(to), reply.body)
            reply.status, reply.sent_at = "outbox", now
            reply.attempts += 1
    return len(todo)


def _already_sent(reply_id: int, to: str, body: str) -> str | None:
    """After a crash mid-send: did Twilio take the message? Look it up instead of resending."""
    with session_scope() as session:
        reply = session.get(Reply, reply_id)
        started = reply.attempt_started_at if reply else None
    if started is None:
        return None
    settings = get_settings()
    messages = twilio_client().messages.list(
        to=to, date_sent_after=started - timedelta(minutes=1), limit=50
    )
    candidates = [
        message.sid
        for message in messages
        if message.sid
        and message.body == body
        and (not settings.twilio_sender or message.from_ in (None, settings.twilio_sender))
    ]
    if not candidates:
        return None
    # The same text to the same person may be another reply's message (a reminder, a second
    # report): a SID that another reply holds is not this one's.
    with session_scope() as session:
        held = set(
            session.scalars(select(Reply.twilio_sid).where(Reply.twilio_sid.in_(candidates)))
        )
    return next((sid for sid in candidates if sid not in held), None)


def _finish(reply_id: int, **values: object) -> None:
    # One UPDATE, not a load then an update: this runs once per reply, in every burst.
    # (`updated_at` still moves: Core applies the column's onupdate.)
    with session_scope() as session:
        session.execute(update(Reply).where(Reply.id == reply_id).values(**values))


def send_reply(reply_id: int) -> str:
    """Hand one reply over (the job of a reply sent alone)."""
    if not get_settings().twilio_configured:
        return "outbox" if hand_to_outbox([reply_id]) else "nothing to send"
    claims = claim_replies([reply_id])
    return deliver(claims[0]) if claims else "nothing to send"


def deliver(claim: Claim) -> str:
    """Send one claimed reply through Twilio, paced, and store Twilio's answer at once."""
    settings = get_settings()
    reply_id, to, body = claim.reply_id, claim.to, claim.body
    if claim.previous_state == "sending":
        sid = _already_sent(reply_id, to, body)
        if sid is not None:
            _finish(reply_id, status="sent", twilio_sid=sid, sent_at=utcnow())
            return "found already sent"

    options: dict[str, str] = {"to": to, "body": body}
    if settings.twilio_messaging_service_sid:
        options["messaging_service_sid"] = settings.twilio_messaging_service_sid
    else:
        options["from_"] = settings.twilio_sender
    if settings.public_base_url:
        options["status_callback"] = settings.public_base_url.rstrip("/") + "/twilio/status"
    try:
        with sender_pacer().permit():
            message = twilio_client().messages.create(**options)
    except TwilioRestException as exc:
        code = exc.code or 0
        if code in PERMANENT_ERRORS or (400 <= exc.status < 500 and exc.status != 429):
            log.warning("reply %s refused by Twilio: %s %s", reply_id, exc.status, code)
            _finish(
                reply_id,
                status="failed",
                error_code=str(code or exc.status),
                error_message=str(exc.msg)[:500],
            )
            return "failed"
        # Twilio answered with an error, so it did not create the message: safe to retry.
        _finish(reply_id, status="queued", error_code=str(code or exc.status))
        raise TransientSendError(f"Twilio {exc.status} {code}") from exc
    _finish(
        reply_id,
        status=status_after_create(message.status),
        twilio_sid=message.sid,
        sent_at=utcnow(),
        error_code=None,
    )
    log.info("reply %s sent as %s", reply_id, message.sid)
    return message.sid or "sent"


def deliver_all(claims: Sequence[Claim]) -> list[tuple[Claim, Exception]]:
    """Send claimed replies with up to SENDER_CONCURRENCY in flight at once, each paced by the
    shared pacer and its answer stored as soon as it comes. Returns the sends that failed.

    With one send at a time, a worker's rate is one over Twilio's round trip (4 a second at
    250 ms), whatever the sender's allowance; in flight together, the pacer is the limit."""
    if not claims:
        return []
    width = min(get_settings().sender_concurrency, len(claims))
    with ThreadPoolExecutor(max_workers=width, thread_name_prefix="send") as pool:
        futures = [(claim, pool.submit(deliver, claim)) for claim in claims]
    failed: list[tuple[Claim, Exception]] = []
    for claim, future in futures:
        error = future.exception()
        if error is not None:
            failed.append((claim, error if isinstance(error, Exception) else RuntimeError(error)))
    return failed
