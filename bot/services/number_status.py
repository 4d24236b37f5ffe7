"""The status workflow of a reported number: new → investigating → a verdict.

`set_number_status` is the one way to change a number's status. Whatever must follow a
verdict (the blocklist feed, the "closing the loop" SMS to reporters) hooks in where marked
below, or acts on the returned change: `change.to_status == VettingStatus.CONFIRMED_SCAM`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import NumberStatusChange, ReportedNumber
from bot.db.types import utcnow
from bot.domain.statuses import VERDICTS, VettingStatus
from bot.messages import N_, Translatable
from bot.queueing.queues import enqueue_reply
from bot.services.closing_loop import on_number_confirmed, on_number_legitimate

log = logging.getLogger(__name__)

STATUSES = tuple(VettingStatus)

# A verdict can be reopened (back to investigating) or corrected (a confirmed scam that
# turns out legitimate), but a number never goes back to `new`: someone has looked at it.
TRANSITIONS: dict[str, tuple[VettingStatus, ...]] = {
    VettingStatus.NEW: (
        VettingStatus.INVESTIGATING,
        VettingStatus.CONFIRMED_SCAM,
        VettingStatus.LEGITIMATE,
        VettingStatus.DISMISSED,
    ),
    VettingStatus.INVESTIGATING: (
        VettingStatus.CONFIRMED_SCAM,
        VettingStatus.LEGITIMATE,
        VettingStatus.DISMISSED,
    ),
    VettingStatus.CONFIRMED_SCAM: (VettingStatus.INVESTIGATING, VettingStatus.LEGITIMATE),
    VettingStatus.LEGITIMATE: (VettingStatus.INVESTIGATING, VettingStatus.CONFIRMED_SCAM),
    VettingStatus.DISMISSED: (VettingStatus.INVESTIGATING, VettingStatus.CONFIRMED_SCAM),
}
NOTE_MAX = 2000


class StatusError(Translatable):
    """A status change that the workflow refuses, with a message fit to show (translatable)."""


def allowed_next(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


@dataclass
class StatusChanged:
    change: NumberStatusChange
    # Confirmation SMS this change queued: the caller enqueues them once the session committed.
    reply_ids: list[int] = field(default_factory=list)
    held_back: int = 0  # confirmation SMS not sent yet that leaving confirmed_scam suppressed

    @property
    def from_status(self) -> str | None:
        return self.change.from_status

    @property
    def to_status(self) -> str | None:
        return self.change.to_status


def set_number_status(
    session: Session, number: ReportedNumber, new_status: str, actor: str, note: str | None
) -> StatusChanged:
    """Move `number` to `new_status`, recording who, when and why.

    A verdict needs a note: it is the "why" that the blocklist publishes with each entry.
    """
    note = (note or "").strip()[:NOTE_MAX] or None
    locked = session.scalars(
        select(ReportedNumber).where(ReportedNumber.id == number.id).with_for_update()
    ).one()
    if new_status not in STATUSES:
        raise StatusError(N_("unknown status %(new)s"), new=repr(new_status))
    if new_status not in allowed_next(locked.status):
        raise StatusError(
            N_("a number cannot go from %(old)s to %(new)s"), old=locked.status, new=new_status
        )
    if new_status in VERDICTS and note is None:
        raise StatusError(N_("a verdict needs a note saying why"))
    now = utcnow()
    change = NumberStatusChange(
        number_id=locked.id,
        at=now,
        actor=actor,
        from_status=locked.status,
        to_status=new_status,
        note=note,
    )
    locked.status = new_status
    locked.status_changed_at = now
    locked.status_reason = note
    session.add(change)
    session.flush()
    # Closing the loop: a new confirmation queues one SMS per reporter (keyed, so never twice);
    # leaving `confirmed_scam` holds back confirmations not yet sent. The blocklist feed reads
    # `numbers.status`, so a legitimate verdict drops the entry by itself.
    result = StatusChanged(change)
    if (
        new_status == VettingStatus.CONFIRMED_SCAM
        and change.from_status != VettingStatus.CONFIRMED_SCAM
    ):
        result.reply_ids = on_number_confirmed(session, locked.id)
    elif (
        change.from_status == VettingStatus.CONFIRMED_SCAM
        and new_status != VettingStatus.CONFIRMED_SCAM
    ):
        result.held_back = on_number_legitimate(session, locked.id)
    return result


def enqueue_replies(reply_ids: list[int]) -> None:
    """After the commit: hand the confirmations to the sender (the sweeper catches failures)."""
    for reply_id in reply_ids:
        try:
            enqueue_reply(reply_id)
        except Exception:
            log.exception("could not enqueue confirmation reply %s", reply_id)


def history(session: Session, number_id: int) -> list[NumberStatusChange]:
    return list(
        session.scalars(
            select(NumberStatusChange)
            .where(NumberStatusChange.number_id == number_id)
            .order_by(NumberStatusChange.at.desc(), NumberStatusChange.id.desc())
        ).all()
    )
