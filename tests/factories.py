"""Test data made through the real code paths: intake, then the worker's processing function.

`set_status` is a test-only stand-in for services.number_status.set_number_status, which the
console branch provides; it calls the closing-the-loop hook the same way that service will.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select

from bot.db.models import NumberStatusChange, Report, ReportedNumber
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.services.api_tokens import create_token
from bot.services.closing_loop import on_number_confirmed, on_number_legitimate
from bot.services.intake import record_inbound_event
from bot.services.processing import process_sms_event


def store_sms(sender: str, body: str, received_at: datetime | None = None) -> int | None:
    """One SMS from `sender`, stored and processed as the worker would. Returns the report id."""
    with session_scope() as session:
        params = {"MessageSid": "SM" + secrets.token_hex(16), "Body": body, "From": sender}
        event, _ = record_inbound_event(session, params["MessageSid"], "sms", params, sender)
        if received_at is not None:
            event.received_at = received_at
        session.flush()
        return process_sms_event(session, event.id).report_id


def report(report_id: int) -> Report:
    with session_scope() as session:
        found = session.get(Report, report_id)
        assert found is not None
        session.expunge(found)
        return found


def number_id(canonical: str) -> int:
    with session_scope() as session:
        found = session.scalars(
            select(ReportedNumber.id).where(ReportedNumber.number == canonical)
        ).one()
        return int(found)


def set_status(number: int, status: str, actor: str = "analyst@test", note: str = "") -> list[int]:
    """Test-only status change; returns the reply ids to enqueue, like the real service will."""
    with session_scope() as session:
        record = session.get(ReportedNumber, number)
        assert record is not None
        session.add(
            NumberStatusChange(
                number_id=number,
                actor=actor,
                from_status=record.status,
                to_status=status,
                note=note,
            )
        )
        record.status = status
        record.status_changed_at = utcnow()
        record.status_reason = note
        session.flush()
        if status == "confirmed_scam":
            return on_number_confirmed(session, number)
        if status == "legitimate":
            on_number_legitimate(session, number)
        return []


def token() -> str:
    with session_scope() as session:
        return create_token(session, "test")[1]
