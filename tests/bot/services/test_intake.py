"""record_inbound_events: one statement for a batch, each SID stored once, nothing personal kept
in clear, and each post told whether it created its event."""

from __future__ import annotations

import re
from typing import cast

import pytest
from sqlalchemy import Table, func, select, text
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect

from bot.db.models import InboundEvent
from bot.db.session import get_engine, session_scope
from bot.security.pseudonyms import decrypt_phone, pseudonym
from bot.services.intake import (
    BATCH_COLUMNS,
    ROW_COLUMNS,
    Inbound,
    insert_from_json,
    lock_event,
    lock_events,
    record_inbound_event,
    record_inbound_events,
)
from tests.conftest import BACKEND

pytestmark = pytest.mark.storage


def _sms(sid: str, body: str = "colis retenu", phone: str | None = "+33639981234") -> Inbound:
    return Inbound(sid, "sms", {"MessageSid": sid, "Body": body, "From": phone or ""}, phone)


def test_a_batch_is_stored_in_order_with_one_result_each() -> None:
    items = [_sms(f"SM{i:032d}") for i in range(5)]
    with session_scope() as session:
        stored = record_inbound_events(session, items)
    assert [s.source_sid for s in stored] == [i.source_sid for i in items]
    assert all(s.created and s.pending for s in stored)
    assert len({s.event_id for s in stored}) == 5
    with session_scope() as session:
        events = session.scalars(select(InboundEvent).order_by(InboundEvent.id)).all()
        assert [e.source_sid for e in events] == [i.source_sid for i in items]
        assert all("From" not in e.params and e.from_enc for e in events)
        assert all(e.status == "received" and e.attempts == 0 for e in events)


def test_a_sid_twice_in_one_batch_is_stored_once_and_created_once() -> None:
    with session_scope() as session:
        stored = record_inbound_events(session, [_sms("SMaaa"), _sms("SMbbb"), _sms("SMaaa")])
    assert [s.created for s in stored] == [True, True, False]
    assert stored[0].event_id == stored[2].event_id
    assert stored[2].pending is False  # the first post already queues it
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 2


def test_a_sid_already_held_is_not_created_and_says_whether_it_still_waits() -> None:
    with session_scope() as session:
        record_inbound_events(session, [_sms("SMold"), _sms("SMdone")])
    with session_scope() as session:
        query = select(InboundEvent).where(InboundEvent.source_sid == "SMdone")
        session.scalars(query).one().status = "done"
    with session_scope() as session:
        stored = record_inbound_events(session, [_sms("SMold"), _sms("SMdone"), _sms("SMnew")])
    assert [(s.created, s.pending) for s in stored] == [(False, True), (False, False), (True, True)]


def test_the_first_post_of_a_sid_wins_and_a_retry_changes_nothing() -> None:
    with session_scope() as session:
        record_inbound_events(session, [_sms("SMx", body="first")])
    with session_scope() as session:
        event, created = record_inbound_event(session, "SMx", "sms", {"Body": "second"}, None)
        assert created is False
        assert event.params["Body"] == "first"


def test_a_withheld_reporter_is_stored_without_pseudonym() -> None:
    with session_scope() as session:
        (stored,) = record_inbound_events(session, [_sms("SManon", phone=None)])
        event = session.get_one(InboundEvent, stored.event_id)
        assert event.reporter_pseudonym is None and event.from_enc is None


def test_the_number_is_stored_as_posted_and_the_worker_makes_it_canonical() -> None:
    with session_scope() as session:
        stored = record_inbound_events(
            session, [_sms("SMspaced", phone="+33 6 39 98 12 34"), _sms("SMe164")]
        )
    with session_scope() as session:
        events = [session.get_one(InboundEvent, s.event_id) for s in stored]
        assert all(e.reporter_pseudonym is None for e in events)  # not on the request path
        assert decrypt_phone(events[0].from_enc or "") == "+33 6 39 98 12 34"
    with session_scope() as session:
        spaced, e164 = lock_events(session, [s.event_id for s in stored])
        # One reporter, however Twilio spelled the number; the copy kept is the canonical one.
        assert spaced.reporter_pseudonym == e164.reporter_pseudonym == pseudonym("+33639981234")
        assert decrypt_phone(spaced.from_enc or "") == "+33639981234"
    with session_scope() as session:
        assert session.get_one(InboundEvent, stored[0].event_id).reporter_pseudonym is not None


def test_a_reporter_is_identified_once_and_an_address_that_is_no_number_is_kept() -> None:
    with session_scope() as session:
        (stored,) = record_inbound_events(session, [_sms("SMclient", phone="client:alice")])
    with session_scope() as session:
        event = lock_event(session, stored.event_id)
        assert event is not None and event.reporter_pseudonym == pseudonym("client:alice")
        event.reporter_pseudonym = "kept"
    with session_scope() as session:
        event = lock_event(session, stored.event_id)
        assert event is not None and event.reporter_pseudonym == "kept"


def test_a_number_the_key_cannot_read_leaves_the_event_without_reporter() -> None:
    with session_scope() as session:
        (stored,) = record_inbound_events(session, [_sms("SMlost")])
        unreadable = "g1:" + "A" * 40
        session.get_one(InboundEvent, stored.event_id).from_enc = unreadable
        (ok,) = record_inbound_events(session, [_sms("SMok")])
    with session_scope() as session:
        lost, readable = lock_events(session, [stored.event_id, ok.event_id])
        assert lost.reporter_pseudonym is None and lost.from_enc == unreadable
        assert readable.reporter_pseudonym == pseudonym("+33639981234")


def test_an_empty_batch_touches_nothing() -> None:
    with session_scope() as session:
        assert record_inbound_events(session, []) == []


def _insert_sql() -> tuple[list[str], str]:
    """The webhook's INSERT as sent: the columns it writes, and its recordset's definition."""
    sql = str(insert_from_json().compile(dialect=psycopg_dialect()))
    written = re.search(r"INSERT INTO inbound_events \((.*?)\) SELECT", sql)
    recordset = re.search(r"json_to_recordset\(.*?\) AS batch\((.*?)\) ON CONFLICT", sql, re.S)
    assert written is not None and recordset is not None, sql
    return written.group(1).split(", "), recordset.group(1)


def test_the_webhooks_insert_types_its_rows_as_the_table_does() -> None:
    """The json_to_recordset columns are the table's, with the table's types: built from
    models.py, never written by hand."""
    table = cast(Table, InboundEvent.__table__)
    dialect = psycopg_dialect()
    written, recordset = _insert_sql()
    assert written == [*ROW_COLUMNS, *BATCH_COLUMNS]
    assert recordset == ", ".join(
        f"{name} {table.c[name].type.compile(dialect=dialect)}" for name in ROW_COLUMNS
    )


def test_the_webhooks_insert_writes_every_column_a_row_needs() -> None:
    """A new NOT NULL column without a server default fails here, not on the first webhook."""
    table = cast(Table, InboundEvent.__table__)
    written, _ = _insert_sql()
    assert set(written) <= set(table.c.keys())
    required = {
        c.name for c in table.c if not c.nullable and c.server_default is None and not c.primary_key
    }
    assert required <= set(written)


@pytest.mark.skipif(BACKEND != "postgresql", reason="the recordset is PostgreSQL's")
def test_the_webhooks_recordset_has_the_migrated_tables_types() -> None:
    """As PostgreSQL reads them: the migrations and models.py agree on these columns too."""
    _, recordset = _insert_sql()
    types = (
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = CAST(:table AS regclass) AND attnum > 0 AND NOT attisdropped"
    )
    with get_engine().begin() as connection:
        connection.execute(text(f"CREATE TEMPORARY TABLE webhook_rows ({recordset})"))
        batch = dict(connection.execute(text(types), {"table": "webhook_rows"}).all())
        table = dict(connection.execute(text(types), {"table": "inbound_events"}).all())
        connection.execute(text("DROP TABLE webhook_rows"))
    assert batch == {name: table[name] for name in ROW_COLUMNS}
