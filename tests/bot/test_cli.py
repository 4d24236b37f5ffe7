"""`scamline` commands, run in-process as a shell would run them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.models import AuditEntry
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.services.audit import record_audit
from tests.factories import report, store_sms

pytestmark = pytest.mark.storage


def test_purge_takes_the_retention_and_the_audit_retention(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report_id = store_sms("+33611111111", "appel du 09 75 10 22 61, faux conseiller")
    assert report_id is not None
    with session_scope() as session:
        for days in (31, 29):
            entry = record_audit(session, "ana@example.org", "search", detail={"query": "x"})
            entry.at = utcnow() - timedelta(days=days)
    assert main(["purge", "--days", "0", "--audit-days", "30"]) == 0
    assert "1 report texts" in capsys.readouterr().out
    assert report(report_id).body is None
    with session_scope() as session:
        ages = [utcnow() - at for at in session.scalars(select(AuditEntry.at))]
        assert len(ages) == 1 and ages[0] < timedelta(days=30)
