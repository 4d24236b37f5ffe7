"""The intake writer: one durable INSERT per batch, that survives a database restart."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import create_engine, text

from bot.db.session import autocommit_connection, session_scope
from bot.services.intake import Inbound
from bot.web.intake_writer import store_batch
from tests.conftest import BACKEND, PG_BASE

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL autocommit path")


def inbound() -> Inbound:
    return Inbound("SM" + secrets.token_hex(16), "sms", {"Body": "appel du 0639981234"}, None)


def test_a_batch_is_stored_by_one_autocommitted_statement() -> None:
    [stored] = store_batch([inbound()])
    assert stored.created and stored.job_id is not None
    with session_scope() as session:
        # Visible from another connection at once: nothing is left to commit.
        count = session.scalar(text("SELECT count(*) FROM inbound_events"))
    assert count == 1


def test_a_connection_killed_by_a_database_restart_costs_no_request() -> None:
    store_batch([inbound()])  # the pool now holds a connection
    with autocommit_connection() as connection:
        row = connection.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None
    pid = row[0]
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    # The pooled connection is dead; the writer retries on a fresh one instead of a 503.
    [stored] = store_batch([inbound()])
    assert stored.created


def test_a_sid_posted_again_gets_the_stored_event_in_the_same_batch_and_later() -> None:
    item = inbound()
    first, again = store_batch([item, item])
    assert first.created and first.pending
    assert again.event_id == first.event_id and not again.created
    [later] = store_batch([item])
    assert later.event_id == first.event_id and not later.created and later.pending
    with session_scope() as session:
        assert session.scalar(text("SELECT count(*) FROM inbound_events")) == 1
