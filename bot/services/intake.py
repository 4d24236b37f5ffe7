"""Store what Twilio posted, once per SID, before anything else happens."""

from __future__ import annotations

import json
import logging
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import psycopg
from sqlalchemy import JSON, Insert, Table, any_, bindparam, column, func, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.orm import Session

from bot.db.models import InboundEvent
from bot.db.types import utcnow
from bot.domain.numbers import reporter_number
from bot.domain.statuses import EventStatus
from bot.security.pseudonyms import decrypt_phone, encrypt_phone, pseudonym
from bot.services.dialect import insert_ignore_into

log = logging.getLogger(__name__)

# Parameters that carry a person's phone number: kept encrypted, never in the stored params.
PERSONAL_PARAMS = ("From", "ForwardedFrom", "Caller", "CalledVia")
# Status callbacks name both ends of a reply or call: the reporter's number is one of them, and
# neither is needed to follow the state.
CALLBACK_PERSONAL_PARAMS = (*PERSONAL_PARAMS, "To", "Called")


@dataclass(frozen=True)
class Inbound:
    """One webhook to store: its SID, kind, parameters and the reporter's number."""

    source_sid: str
    kind: str
    params: Mapping[str, str]
    # As Twilio posted it: stored encrypted, and made canonical by the worker (`identify_reporter`).
    reporter_phone: str | None


@dataclass(frozen=True)
class Stored:
    """Where a webhook's event stands: its id, whether this post created it, whether it waits."""

    event_id: int
    source_sid: str
    created: bool
    pending: bool
    job_id: str | None = None  # the job that will carry the event, when this post created it


# The columns the webhook writes: each row brings its own values of these, ...
ROW_COLUMNS = ("source_sid", "kind", "params", "reporter_pseudonym", "from_enc")
# ... and a batch one value of these for all its rows. The others are left NULL (or, for `id`,
# to the database).
BATCH_COLUMNS = ("received_at", "status", "attempts", "job_id")


def _row(item: Inbound) -> dict[str, Any]:
    phone = item.reporter_phone
    # No pseudonym yet: it is the worker's to compute, from the canonical number (phonenumbers
    # took a tenth of the webhook's time, and nothing on the request path needs it).
    return {
        "source_sid": item.source_sid,
        "kind": item.kind,
        # PostgreSQL text cannot hold NUL. Twilio never sends one; a forged post might.
        "params": {
            k.replace("\x00", ""): v.replace("\x00", "")
            for k, v in item.params.items()
            if k not in PERSONAL_PARAMS
        },
        "reporter_pseudonym": None,
        "from_enc": encrypt_phone(phone) if phone else None,
    }


class _Batch:
    """A batch of webhooks to insert: one row per SID, and how to answer each webhook."""

    def __init__(self, items: Sequence[Inbound], job_id: str | None) -> None:
        self.items = items
        self.job_id = job_id
        first: dict[str, Inbound] = {}
        for item in items:
            first.setdefault(item.source_sid, item)
        self.sids = list(first)
        self.rows = [_row(item) for item in first.values()]
        self.shared: dict[str, Any] = {
            "received_at": utcnow(),
            "status": EventStatus.RECEIVED,
            "attempts": 0,
            "job_id": job_id,
        }

    def values(self) -> list[dict[str, Any]]:
        """Each row with every column the insert writes (for a multi-row insert)."""
        return [{**row, **self.shared} for row in self.rows]

    def parameters(self) -> dict[str, Any]:
        """The rows as one JSON document, serialised in C, for PostgreSQL's json_to_recordset,
        and the batch's shared values."""
        return {"rows": json.dumps(self.rows), **self.shared}

    def missing(self, created: Mapping[str, int]) -> list[str]:
        """The SIDs held already (the insert skipped them)."""
        return [sid for sid in self.sids if sid not in created]

    def results(
        self, created: Mapping[str, int], known: Mapping[str, tuple[int, str]]
    ) -> list[Stored]:
        results: list[Stored] = []
        answered: set[str] = set()
        for item in self.items:
            sid = item.source_sid
            if sid in created and sid not in answered:
                results.append(
                    Stored(created[sid], sid, created=True, pending=True, job_id=self.job_id)
                )
            elif sid in created:
                results.append(Stored(created[sid], sid, created=False, pending=False))
            else:
                event_id, status = known[sid]
                results.append(
                    Stored(event_id, sid, created=False, pending=status == EventStatus.RECEIVED)
                )
            answered.add(sid)
        return results


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
    if session.get_bind().dialect.name == "postgresql":
        # The session's own connection and transaction, through the driver's statements.
        driver = session.connection().connection.driver_connection
        return record_inbound_events_pg(cast(psycopg.Connection[Any], driver), items, job_id)
    batch = _Batch(items, job_id)
    statement = insert_ignore_into(session, InboundEvent, "source_sid").returning(
        InboundEvent.id, InboundEvent.source_sid
    )
    created = {sid: event_id for event_id, sid in session.execute(statement, batch.values())}
    known: dict[str, tuple[int, str]] = {}
    if missing := batch.missing(created):
        held = session.execute(
            select(InboundEvent.id, InboundEvent.source_sid, InboundEvent.status).where(
                InboundEvent.source_sid.in_(missing)
            )
        )
        known = {sid: (event_id, status) for event_id, sid, status in held}
    return batch.results(created, known)


def insert_from_json() -> Insert:
    """The webhook's INSERT on PostgreSQL, built from the table: its rows read from one JSON
    document by json_to_recordset, typed as the table's columns, its shared values bound once.

    One statement text whatever the batch's size (PostgreSQL plans it once, and psycopg
    prepares it), and the whole batch in one parameter. A multi-row VALUES list costs Python
    work per value instead, and a new statement text per batch size.
    """
    table = cast(Table, InboundEvent.__table__)
    rows = (
        func.json_to_recordset(sql_cast(bindparam("rows"), JSON))
        .table_valued(*(column(name, table.c[name].type) for name in ROW_COLUMNS))
        .render_derived("batch", with_types=True)
    )
    shared = (bindparam(name, type_=table.c[name].type).label(name) for name in BATCH_COLUMNS)
    return (
        pg_insert(table)
        .from_select([*ROW_COLUMNS, *BATCH_COLUMNS], select(*rows.c, *shared))
        .on_conflict_do_nothing(index_elements=[table.c.source_sid])
        .returning(table.c.id, table.c.source_sid)
    )


@cache
def _pg_statements() -> tuple[str, str]:
    """The psycopg path's two statements, compiled once: the insert, and the read of the
    events whose SIDs were held already."""
    dialect = psycopg_dialect()
    held = select(InboundEvent.id, InboundEvent.source_sid, InboundEvent.status).where(
        InboundEvent.source_sid == any_(bindparam("sids"))
    )
    return str(insert_from_json().compile(dialect=dialect)), str(held.compile(dialect=dialect))


# One statement for a psycopg connection to run: its text, its parameters, whether to prepare it.
_Step = tuple[str, Mapping[str, Any], bool | None]


def _store_pg(batch: _Batch) -> Generator[_Step, list[tuple[Any, ...]], list[Stored]]:
    """The psycopg path's statements, for a blocking or an asynchronous connection to run (each
    answer is sent back in): the insert, then, only if some SIDs were held already, their
    read."""
    insert, held = _pg_statements()
    rows = yield insert, batch.parameters(), True
    created: dict[str, int] = {sid: event_id for event_id, sid in rows}
    known: dict[str, tuple[int, str]] = {}
    if missing := batch.missing(created):
        rows = yield held, {"sids": missing}, None
        known = {sid: (event_id, status) for event_id, sid, status in rows}
    return batch.results(created, known)


def record_inbound_events_pg(
    connection: psycopg.Connection[Any], items: Sequence[Inbound], job_id: str | None = None
) -> list[Stored]:
    """`record_inbound_events` on a psycopg connection: the webhook path's one INSERT (two
    round trips only when some SIDs were held already), without an ORM session around it."""
    if not items:
        return []
    steps = _store_pg(_Batch(items, job_id))
    sql, params, prepare = next(steps)
    while True:
        rows = connection.execute(sql, params, prepare=prepare).fetchall()
        try:
            sql, params, prepare = steps.send(rows)
        except StopIteration as done:
            return cast(list[Stored], done.value)


async def record_inbound_events_pg_async(
    connection: psycopg.AsyncConnection[Any], items: Sequence[Inbound], job_id: str | None = None
) -> list[Stored]:
    """`record_inbound_events_pg` as a coroutine, for the web process's event loop: the same
    statements, waited for without a thread."""
    if not items:
        return []
    steps = _store_pg(_Batch(items, job_id))
    sql, params, prepare = next(steps)
    while True:
        cursor = await connection.execute(sql, params, prepare=prepare)
        rows = await cursor.fetchall()
        try:
            sql, params, prepare = steps.send(rows)
        except StopIteration as done:
            return cast(list[Stored], done.value)


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
    """The event, locked until commit (two workers never process one event at once), its
    reporter identified."""
    event = session.scalars(
        select(InboundEvent).where(InboundEvent.id == event_id).with_for_update()
    ).one_or_none()
    if event is not None:
        identify_reporter(event)
    return event


def lock_events(session: Session, event_ids: Sequence[int]) -> list[InboundEvent]:
    """The events, locked until commit, in id order (so that two workers never wait in a cycle),
    their reporters identified."""
    events = list(
        session.scalars(
            select(InboundEvent)
            .where(InboundEvent.id.in_(sorted(set(event_ids))))
            .order_by(InboundEvent.id)
            .with_for_update()
        ).all()
    )
    for event in events:
        identify_reporter(event)
    return events


def identify_reporter(event: InboundEvent) -> None:
    """Give the event its reporter's pseudonym, from the number as Twilio posted it.

    The number is made canonical first (`+33 6 39 98 12 34` and `+33639981234` are one
    reporter), and the encrypted copy kept is then the canonical one. Done once: an event that
    has its pseudonym is left alone. A number this key cannot read (SECRET_KEY changed since
    the webhook) leaves the event without a reporter, as a withheld number does; its token is
    kept, for whoever still holds the old key.
    """
    if event.reporter_pseudonym is not None or event.from_enc is None:
        return
    posted = decrypt_phone(event.from_enc)
    number = reporter_number(posted) if posted is not None else None
    if number is None:
        log.warning("event %s: its reporter's number cannot be read", event.id)
        return
    event.reporter_pseudonym = pseudonym(number)
    if number != posted:
        event.from_enc = encrypt_phone(number)


def record_event_failure(event_id: int, error: str) -> None:
    """Count a failed processing attempt, in a transaction of its own."""
    from bot.db.session import session_scope

    with session_scope() as session:
        event = session.get(InboundEvent, event_id)
        if event is not None and event.status == EventStatus.RECEIVED:
            event.attempts += 1
            event.error = error.replace("\x00", "")[:1000]
