"""Test data made through the real code paths: intake, then the worker's processing function.

`set_status` goes through services.number_status.set_number_status, the one way to change a
number's status, which queues the closing-the-loop SMS.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select

from bot.db.models import Reply, Report, ReportedNumber
from bot.db.session import session_scope
from bot.services.api_tokens import SCOPES, create_token
from bot.services.intake import record_inbound_event
from bot.services.number_status import set_number_status
from tests.helpers import process_as_worker


def store_sms(sender: str, body: str, received_at: datetime | None = None) -> int | None:
    """One SMS from `sender`, stored and processed as the worker would. Returns the report id."""
    with session_scope() as session:
        params = {"MessageSid": "SM" + secrets.token_hex(16), "Body": body, "From": sender}
        event, _ = record_inbound_event(session, params["MessageSid"], "sms", params, sender)
        if received_at is not None:
            event.received_at = received_at
        session.flush()
        return process_as_worker(session, event.id).report_id


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


def set_status(
    number: int, status: str, actor: str = "analyst@test", note: str = "checked"
) -> list[int]:
    """Change a number's status through the real service; returns the reply ids to enqueue."""
    with session_scope() as session:
        record = session.get(ReportedNumber, number)
        assert record is not None
        return set_number_status(session, record, status, actor, note or "checked").reply_ids


def token() -> str:
    with session_scope() as session:
        return create_token(session, "test", SCOPES)[1]


def queued_reply(sender: str, body: str = "appel du 06 39 98 12 34") -> int:
    """One SMS from `sender`, stored and processed: the id of the reply it queued."""
    with session_scope() as session:
        event, _ = record_inbound_event(
            session, "SM" + secrets.token_hex(16), "sms", {"Body": body}, sender
        )
        [reply_id] = process_as_worker(session, event.id).reply_ids
    return reply_id


def reply(reply_id: int) -> Reply:
    with session_scope() as session:
        found = session.get(Reply, reply_id)
        assert found is not None
        return found
