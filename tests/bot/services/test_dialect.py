"""insert_ignore must say whether it inserted, on PostgreSQL as on SQLite: counters and "at most
once" replies depend on it."""

from __future__ import annotations

import pytest

from bot.db.models import Reporter
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.services.dialect import insert_ignore

pytestmark = pytest.mark.storage


def test_insert_ignore_reports_a_skipped_row_as_not_inserted() -> None:
    now = utcnow()
    values = {
        "pseudonym": "p" * 64,
        "language": "fr",
        "language_chosen": False,
        "opted_out": False,
        "created_at": now,
        "last_seen_at": now,
    }
    with session_scope() as session:
        assert insert_ignore(session, Reporter, values, "pseudonym") is True
    with session_scope() as session:
        assert insert_ignore(session, Reporter, values, "pseudonym") is False


def test_only_the_relaxed_transaction_commits_without_waiting_for_the_disk() -> None:
    from sqlalchemy import text

    from bot.services.dialect import commit_without_waiting_for_disk

    with session_scope() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        commit_without_waiting_for_disk(session)
        if postgres:
            assert session.scalar(text("SHOW synchronous_commit")) == "off"
    if postgres:
        # SET LOCAL ends with its transaction: the next one (a sender's claim) waits for disk.
        with session_scope() as session:
            assert session.scalar(text("SHOW synchronous_commit")) == "on"
