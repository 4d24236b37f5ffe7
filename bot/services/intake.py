"""Store what Twilio posted, once per SID, before anything else happens."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.db.models import InboundEvent
from bot.db.types import utcnow
from bot.security.pseudonyms import encrypt_phone, pseudonym
from bot.services.dialect import insert_ignore_into

# Parameters that carry a person's phone number: kept encrypted, never in the stored params.
PERSONAL_PARAMS = ("From", "ForwardedFrom", "Caller", "CalledVia")


@dataclass(frozen=True)
class Inbound:
    """One webhook to store: its SID, kind, parameters and the reporter's number."""

    source_sid: str
    kind: str
    params: Mapping[str, str]
    reporter_phone: str | None


@dataclass(frozen=True)
class Stored:
    """Where a webhook's event stands: its id, whether this post created it, whether it waits."""

    event_id: int
    source_sid: str
    created: bool
    pending: bool
    job_id: str | None = None  # the job that will carry the event, when this post created it


def _row(item: Inbound, received_at: datetime, job_id: str | None) -> dict[str, Any]:
    phone = item.reporter_phone
    return {
        "job_id": job_id,
        "source_sid": item.source_sid,
        "kind": item.kind,
        # PostgreSQL text cannot hold NUL. Twilio never sends one; a forged post might.
        "params": {
            k.replace("\x00", ""): v.replace("\x00", "")
            for k, v in item.params.items()
            if k not in PERSONAL_PARAMS
        },
        "received_at": received_at,
        "status": "received",
        "attempts": 0,
        "reporter_pseudonym": pseudonym(phone) if phone else None,
        "from_enc": encrypt_phone(phone) if phone else None,
    }


def record_inbound_events(
    session: Session, items: Sequence[Inbound], job_id: str | None = None
) -> list[Stored]:
    """Insert many events in one statement, skipping SIDs already held; one result per item.

    A SID posted twice (in this batch or before) is stored once: the later posts get the stored
    event with `created=False`, and Twilio's retry changes nothing. `job_id` names the job that
    will carry the new events, for the sweeper.
    """
    if not items:
        return []
    now = utcnow()
    first: dict[str, Inbound] = {}
    for item in items:
        first.setdefault(item.source_sid, item)
    rows = [_row(item, now, job_id) for item in first.values()]
    if session.get_bind().dialect.name == "postgresql":
        created = _insert_from_json(session, rows, now, job_id)
    else:
        statement = insert_ignore_into(session, InboundEvent, "source_sid").returning(
            InboundEvent.id, InboundEvent.source_sid
        )
        created = {sid: event_id for event_id, sid in session.execute(statement, rows)}
    known: dict[str, tuple[int, str]] = {}
    missing = [sid for sid in first if sid not in created]
    if missing:
        held = session.execute(
            select(InboundEvent.id, InboundEvent.source_sid, InboundEvent.status).where(
                InboundEvent.source_sid.in_(missing)
            )
        )
        known = {sid: (event_id, status) for event_id, sid, status in held}
    results: list[Stored] = []
    answered: set[str] = set()
    for item in items:
        sid = item.source_sid
        if sid in created and sid not in answered:
            results.append(Stored(created[sid], sid, created=True, pending=True, job_id=job_id))
        elif sid in created:
            results.append(Stored(created[sid], sid, created=False, pending=False))
        else:
            event_id, status = known[sid]
            results.append(Stored(event_id, sid, created=False, pending=status == "received"))
        answered.add(sid)
    return results


# One statement text whatever the batch's size (PostgreSQL plans it once), and one parameter:
# the batch as a JSON document, serialised in C and read by json_to_recordset. A multi-row
# VALUES list costs Python work per value instead, and a new statement text per batch size.
_INSERT_FROM_JSON = text(
    """
    INSERT INTO inbound_events
        (source_sid, kind, params, reporter_pseudonym, from_enc, received_at, status, attempts,
         job_id)
    SELECT source_sid, kind, params, reporter_pseudonym, from_enc, :received_at, 'received', 0,
        :job_id
    FROM json_to_recordset(CAST(:rows AS json)) AS batch(
        source_sid varchar(64), kind varchar(16), params json, reporter_pseudonym varchar(64),
        from_enc text)
    ON CONFLICT (source_sid) DO NOTHING
    RETURNING id, source_sid
    """
)
_BATCH_FIELDS = ("source_sid", "kind", "params", "reporter_pseudonym", "from_enc")


def _insert_from_json(
    session: Session, rows: list[dict[str, Any]], received_at: datetime, job_id: str | None
) -> dict[str, int]:
    """PostgreSQL: insert the batch's rows in one statement; the new SIDs' ids."""
    document = json.dumps([{key: row[key] for key in _BATCH_FIELDS} for row in rows])
    result = session.execute(
        _INSERT_FROM_JSON, {"rows": document, "received_at": received_at, "job_id": job_id}
    )
    return {sid: event_id for event_id, sid in result}


def record_inbound_event(
    session: Session,
    source_sid: str,
    kind: str,
    params: Mapping[str, str],
    reporter_phone: str | None,
) -> tuple[InboundEvent, bool]:
    """Insert the event unless its SID is known; return it and whether it is new."""
    stored = record_inbound_events(session, [Inbound(source_sid, kind, params, reporter_phone)])[0]
    return session.get_one(InboundEvent, stored.event_id), stored.created


def lock_event(session: Session, event_id: int) -> InboundEvent | None:
    """The event, locked until commit: two workers never process one event at once."""
    return session.scalars(
        select(InboundEvent).where(InboundEvent.id == event_id).with_for_update()
    ).one_or_none()


def lock_events(session: Session, event_ids: Sequence[int]) -> list[InboundEvent]:
    """The events, locked until commit, in id order (so that two workers never wait in a cycle)."""
    return list(
        session.scalars(
            select(InboundEvent)
            .where(InboundEvent.id.in_(sorted(set(event_ids))))
            .order_by(InboundEvent.id)
            .with_for_update()
        ).all()
    )


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
