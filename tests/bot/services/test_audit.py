"""The audit log takes whatever a user typed, NUL bytes included, without failing the request."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.db.session import session_scope
from bot.services.audit import record_audit


def test_nul_bytes_are_scrubbed_from_every_audited_value() -> None:
    with session_scope() as session:
        record_audit(
            session,
            "ana\x00@example.org",
            "search",
            target_type="search",
            target_id="\x00q",
            ip="1.2.3.4\x00",
            detail={"query": ["a\x00b"], "k\x00": 1},
        )
    with session_scope() as session:
        entry = session.scalars(select(AuditEntry)).one()
        assert (entry.actor, entry.target_id, entry.ip) == ("ana@example.org", "q", "1.2.3.4")
        assert entry.detail == {"query": ["ab"], "k": 1}
