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


def test_upsert_many_inserts_new_rows_and_updates_known_ones_in_one_statement() -> None:
    from bot.db.models import Domain
    from bot.db.types import utcnow
    from bot.services.dialect import upsert_many

    now = utcnow()

    def upsert(counts: dict[str, int]) -> dict[str, int]:
        rows = [
            {"domain": d, "report_count": n, "first_seen_at": now, "last_seen_at": now}
            for d, n in counts.items()
        ]
        with session_scope() as session:
            returned = upsert_many(
                session,
                Domain,
                rows,
                "domain",
                lambda new: {"report_count": Domain.report_count + new.report_count},
                Domain.domain,
                Domain.report_count,
            )
        return dict(returned)

    assert upsert({"b[.]test": 1, "a[.]test": 2}) == {"a[.]test": 2, "b[.]test": 1}
    assert upsert({"a[.]test": 3, "c[.]test": 1}) == {"a[.]test": 5, "c[.]test": 1}
    # Fifty rows: one statement sent to PostgreSQL, and the rows come back in key order.
    from sqlalchemy import event

    from bot.db.session import get_engine

    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(get_engine(), "before_cursor_execute", count)
    try:
        many = upsert({f"d{n:02d}[.]test": n for n in range(50)})
    finally:
        event.remove(get_engine(), "before_cursor_execute", count)
    assert statements[0].startswith("INSERT")
    if get_engine().dialect.name == "postgresql":  # SQLite, in process, takes them row by row
        assert len(statements) == 1
    assert list(many) == sorted(many) and many["d07[.]test"] == 7
