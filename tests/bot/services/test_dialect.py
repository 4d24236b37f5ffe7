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
