"""Delivery callbacks: stored once each, without the number the reply went to."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import DeliveryEvent
from bot.db.session import session_scope
from bot.services.delivery import record_delivery_status

pytestmark = pytest.mark.storage


def test_a_callback_is_stored_without_the_reporters_number() -> None:
    sid = "SM" + "0" * 32
    params = {"MessageSid": sid, "MessageStatus": "delivered", "To": "+33611111111"}
    with session_scope() as session:
        record_delivery_status(session, sid, "delivered", {**params, "From": "SCAMLINE"})
    with session_scope() as session:
        stored = session.scalars(select(DeliveryEvent.params)).one()
        assert stored == {"MessageSid": sid, "MessageStatus": "delivered"}
