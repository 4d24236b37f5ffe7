"""Delivery states from Twilio callbacks. Callbacks can repeat and arrive out of order, so a
state only ever moves forward: `delivered` is never overwritten by a late `sent`."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import DeliveryEvent, Reply
from bot.services.dialect import insert_ignore
from bot.services.intake import CALLBACK_PERSONAL_PARAMS

RANK = {
    "queued": 1,
    "sending": 2,
    "accepted": 2,
    "scheduled": 2,
    "sent": 3,
    "undelivered": 4,
    "failed": 4,
    "delivered": 5,
    "read": 6,
}
FINAL_FAILURES = {"undelivered", "failed"}


def record_delivery_status(
    session: Session, sid: str, status: str, params: Mapping[str, str]
) -> bool:
    """Store the callback once, without the reporter's number (`To`); move the reply forward if
    this state is newer."""
    kept = {k: v for k, v in params.items() if k not in CALLBACK_PERSONAL_PARAMS}
    inserted = insert_ignore(
        session,
        DeliveryEvent,
        {"sid": sid, "status": status, "params": kept},
        "sid",
        "status",
    )
    reply = session.scalars(
        select(Reply).where(Reply.twilio_sid == sid).with_for_update()
    ).one_or_none()
    if reply is None or status not in RANK:
        return inserted
    if RANK[status] > RANK.get(reply.status, 0):
        reply.status = status
        if status in FINAL_FAILURES:
            reply.error_code = params.get("ErrorCode") or reply.error_code
        return True
    return False
