"""Call status callbacks: stored once per call and state. Twilio may repeat them or send them out
of order, so the unique (call_sid, status) row, not a prior read, decides what is new."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from bot.db.models import CallStatusEvent
from bot.db.types import utcnow
from bot.services.dialect import insert_ignore
from bot.services.intake import CALLBACK_PERSONAL_PARAMS


def record_call_status(
    session: Session, call_sid: str, status: str, params: Mapping[str, str]
) -> bool:
    """Store the callback unless this call already reported this state. Returns whether new."""
    duration = params.get("CallDuration", "")
    # ASCII digits only (`"²".isdigit()` is true, `int("²")` fails) and small enough for the column.
    seconds = (
        int(duration) if duration.isascii() and duration.isdigit() and len(duration) <= 9 else None
    )
    return insert_ignore(
        session,
        CallStatusEvent,
        {
            "call_sid": call_sid,
            "status": status,
            "duration": seconds,
            "received_at": utcnow(),
            "params": {k: v for k, v in params.items() if k not in CALLBACK_PERSONAL_PARAMS},
        },
        "call_sid",
        "status",
    )
