"""Replies' sending state, written around the sender's calls to Twilio (workers/sender.py).

The order of writes is what makes sending safe: a job's replies are committed as `sending`
(claimed, in one transaction) before any HTTP call, and each Twilio SID is committed as soon as
Twilio answers. If a worker dies in between, the next attempt finds `sending` without a SID and
asks Twilio whether the message exists before it sends anything.

A claim is a lease: a `sending` reply whose row moved less than STUCK_SENDING_SECONDS ago is held
by a sender that may be talking to Twilio right now, and no other claim takes it. The sender
renews its lease just before the call (`renew_claim`), after waiting for the pacer; past the lease,
the sweeper gives the reply a job, whose claim asks Twilio first.

So each function here runs in a transaction of its own, committed before it returns.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Reply, Reporter
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.domain.statuses import NOT_SENT_YET, ReplyStatus
from bot.security.pseudonyms import decrypt_phone, mask_phone
from bot.settings import get_settings

log = logging.getLogger(__name__)

# Twilio's first states for a message it has taken. Ours stays apart: `queued` here means
# "waiting in our queue", and the sweeper re-enqueues such replies.
TWILIO_ACCEPTED_STATES = frozenset(
    {ReplyStatus.QUEUED, ReplyStatus.ACCEPTED, ReplyStatus.SCHEDULED, ReplyStatus.SENDING}
)


def status_after_create(twilio_status: str | None) -> str:
    """Our status for a reply Twilio has just taken; its callbacks move it on from there."""
    if not twilio_status or twilio_status in TWILIO_ACCEPTED_STATES:
        return "accepted"
    return twilio_status


@dataclass(frozen=True)
class Claim:
    """A reply claimed for sending: marked `sending`, with what it needs to go out."""

    reply_id: int
    to: str = field(repr=False)  # never in a log line
    body: str = field(repr=False)
    previous_state: str  # `sending`: an earlier attempt may have reached Twilio
    attempt: int  # this claim's number: a later claim of the same reply makes it void


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
        if reply.twilio_sid or reply.status not in NOT_SENT_YET:
            continue
        to = decrypt_phone(reporter.phone_enc) if reporter and reporter.phone_enc else None
        if reporter is None or reporter.opted_out or to is None:
            reply.status = ReplyStatus.SUPPRESSED
            continue
        todo.append((reply, to))
    return todo


def claim_replies(reply_ids: Sequence[int]) -> list[Claim]:
    """Claim replies for sending, all in one transaction (one commit, not one per reply).

    Each claimed reply is committed as `sending` before any HTTP call: should the worker die
    before Twilio's answer is stored, the next attempt asks Twilio before sending again.
    """
    now = utcnow()
    held_since = now - timedelta(seconds=get_settings().stuck_sending_seconds)
    claims: list[Claim] = []
    with session_scope() as session:
        for reply, to in _locked_replies(session, reply_ids):
            if reply.status == ReplyStatus.SENDING and reply.updated_at > held_since:
                continue  # another sender's lease: it may be in flight right now
            claims.append(Claim(reply.id, to, reply.body, reply.status, reply.attempts + 1))
            if reply.status == ReplyStatus.QUEUED:
                reply.attempt_started_at = now
            reply.status = ReplyStatus.SENDING
            reply.attempts += 1
    return claims


def renew_claim(claim: Claim) -> bool:
    """Just before the call to Twilio: is the claim still this sender's? If so, its lease starts
    again now, so that no other claim takes the reply while the call is on its way. (False: the
    lease ran out while the reply waited, and another claim took it, or its answer is stored.)"""
    with session_scope() as session:
        renewed = session.execute(
            update(Reply)
            .where(
                Reply.id == claim.reply_id,
                Reply.status == ReplyStatus.SENDING,
                Reply.attempts == claim.attempt,
                Reply.twilio_sid.is_(None),
            )
            .values(updated_at=utcnow())
            .returning(Reply.id)
        )
        return renewed.scalar_one_or_none() is not None


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


def attempt_started_at(reply_id: int) -> datetime | None:
    """When the reply's first attempt was claimed (None: never, or no such reply)."""
    with session_scope() as session:
        reply = session.get(Reply, reply_id)
        return reply.attempt_started_at if reply else None


def first_unclaimed_sid(candidates: Sequence[str]) -> str | None:
    """The first of these Twilio SIDs that no reply holds yet. (The same text to the same
    person may be another reply's message, a reminder or a second report.)"""
    with session_scope() as session:
        held = set(
            session.scalars(select(Reply.twilio_sid).where(Reply.twilio_sid.in_(candidates)))
        )
    return next((sid for sid in candidates if sid not in held), None)


def _update(reply_id: int, **values: object) -> None:
    # One UPDATE, not a load then an update: this runs once per reply, in every burst.
    # (`updated_at` still moves: Core applies the column's onupdate.)
    with session_scope() as session:
        session.execute(update(Reply).where(Reply.id == reply_id).values(**values))


def record_found_sent(reply_id: int, sid: str) -> None:
    """After a crash mid-send, Twilio had the message already: its SID, and `sent`."""
    _update(reply_id, status=ReplyStatus.SENT, twilio_sid=sid, sent_at=utcnow())


def record_accepted(reply_id: int, sid: str | None, twilio_status: str | None) -> None:
    """Twilio took the message: its SID, stored at once, and our status for its state."""
    _update(
        reply_id,
        status=status_after_create(twilio_status),
        twilio_sid=sid,
        sent_at=utcnow(),
        error_code=None,
    )


def record_refused(reply_id: int, error_code: str, error_message: str) -> None:
    """Twilio refused the message for good: `failed`, never retried."""
    _update(reply_id, status=ReplyStatus.FAILED, error_code=error_code, error_message=error_message)


def record_for_retry(reply_id: int, error_code: str) -> None:
    """Twilio answered with an error, so it did not create the message: `queued` again."""
    _update(reply_id, status=ReplyStatus.QUEUED, error_code=error_code)
