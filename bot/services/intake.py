"""Store what Twilio posted, once per SID, before anything else happens."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import InboundEvent
from bot.db.types import utcnow
from bot.security.pseudonyms import encrypt_phone, pseudonym
from bot.services.dialect import insert_returning

# Parameters that carry a person's phone number: kept encrypted, never in the stored params.
PERSONAL_PARAMS = ("From", "ForwardedFrom", "Caller", "CalledVia")


def record_inbound_event(
    session: Session,
    source_sid: str,
    kind: str,
    params: Mapping[str, str],
    reporter_phone: str | None,
) -> tuple[InboundEvent, bool]:
    """Insert the event unless its SID is known; return it and whether it is new."""
    stored = {k: v for k, v in params.items() if k not in PERSONAL_PARAMS}
    values = {
        "source_sid": source_sid,
        "kind": kind,
        "params": stored,
        "received_at": utcnow(),
        "status": "received",
        "attempts": 0,
        "reporter_pseudonym": pseudonym(reporter_phone) if reporter_phone else None,
        "from_enc": encrypt_phone(reporter_phone) if reporter_phone else None,
    }
    event = insert_returning(session, InboundEvent, values, "source_sid")
    if event is not None:
        return event, True
    # Twilio retried a webhook we already hold: the stored event stands.
    event = session.scalars(select(InboundEvent).where(InboundEvent.source_sid == source_sid)).one()
    return event, False


def mark_enqueued(session: Session, event_id: int) -> None:
    event = session.get(InboundEvent, event_id)
    if event is not None and event.status == "received":
        event.enqueued_at = utcnow()


def record_event_failure(event_id: int, error: str) -> None:
    """Count a failed processing attempt, in a transaction of its own."""
    from bot.db.session import session_scope

    with session_scope() as session:
        event = session.get(InboundEvent, event_id)
        if event is not None and event.status == "received":
            event.attempts += 1
            event.error = error.replace("\x00", "")[:1000]
