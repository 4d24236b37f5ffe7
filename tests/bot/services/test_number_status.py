"""The status workflow: allowed moves, notes on verdicts, history."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import ReportedNumber
from bot.db.session import session_scope
from bot.domain.statuses import VettingStatus
from bot.services.closing_loop import reporters_told
from bot.services.number_status import (
    StatusError,
    history,
    set_number_status,
)
from tests.console_fixtures import seed_report


def _number() -> ReportedNumber:
    seed_report("0639981234", "colis")
    with session_scope() as session:
        return session.scalars(select(ReportedNumber)).one()


def test_a_change_is_recorded_and_returned_for_hooks() -> None:
    number = _number()
    with session_scope() as session:
        change = set_number_status(
            session, number, VettingStatus.CONFIRMED_SCAM, "ana@example.org", "fee scam"
        )
        assert change.to_status == VettingStatus.CONFIRMED_SCAM and change.from_status == "new"
    with session_scope() as session:
        stored = session.get(ReportedNumber, number.id)
        assert stored is not None
        assert (stored.status, stored.status_reason) == (VettingStatus.CONFIRMED_SCAM, "fee scam")
        assert stored.status_changed_at is not None
        assert [h.to_status for h in history(session, number.id)] == [VettingStatus.CONFIRMED_SCAM]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([("investigating", None), ("new", None)], "cannot go from investigating to new"),
        ([("legitimate", None)], "needs a note"),
        ([("bogus", None)], "unknown status"),
    ],
)
def test_the_workflow_refuses(steps: list[tuple[str, str | None]], message: str) -> None:
    number = _number()
    with pytest.raises(StatusError, match=message), session_scope() as session:
        for status, note in steps:
            set_number_status(session, number, status, "ana@example.org", note)


def test_a_confirmed_number_can_be_corrected_to_legitimate() -> None:
    number = _number()
    with session_scope() as session:
        set_number_status(
            session, number, VettingStatus.CONFIRMED_SCAM, "a@example.org", "looked like a scam"
        )
        set_number_status(session, number, "legitimate", "b@example.org", "it is the real bank")
        assert [h.to_status for h in history(session, number.id)] == [
            "legitimate",
            VettingStatus.CONFIRMED_SCAM,
        ]


def test_a_change_says_whom_it_tells_and_what_undoing_it_held_back() -> None:
    number = _number()
    seed_report("0639981234", "colis encore", reporter="+33698765432")
    with session_scope() as session:
        confirmed = set_number_status(
            session, number, VettingStatus.CONFIRMED_SCAM, "a@example.org", "scam"
        )
        assert len(confirmed.reply_ids) == 2
        assert reporters_told(session, confirmed.reply_ids) == 2
        assert reporters_told(session, []) == 0
        undone = set_number_status(session, number, "legitimate", "b@example.org", "real")
        assert undone.held_back == 2 and undone.reply_ids == []
