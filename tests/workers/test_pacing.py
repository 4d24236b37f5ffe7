"""Outbound pacing: a burst of replies goes out at the configured rate per sender, never faster."""

from __future__ import annotations

import secrets
import time

import pytest

from bot.db.session import session_scope
from bot.services.intake import record_inbound_event
from bot.services.processing import process_sms_event
from bot.settings import get_settings
from tests.fakes.twilio_api import FakeTwilioServer
from workers import sender

RATE = 5
REPLIES = 16


def queued_replies(count: int) -> list[int]:
    ids: list[int] = []
    with session_scope() as session:
        for i in range(count):
            event, _ = record_inbound_event(
                session,
                "SM" + secrets.token_hex(16),
                "sms",
                {"Body": f"appel du 06 39 98 12 {i:02d}"},
                f"+336{20000000 + i}",
            )
            ids += process_sms_event(session, event.id).reply_ids
    return ids


def test_a_burst_is_paced_to_the_sender_rate(
    fake_twilio: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDER_RATE_PER_SECOND", str(RATE))
    get_settings.cache_clear()
    fake_twilio.state.max_per_second = RATE  # Twilio answers 429 past it
    ids = queued_replies(REPLIES + 1)
    # The first send opens the HTTP connection, which on a loaded machine can take long enough
    # to bunch it with the next ones at Twilio's end; the burst proper starts on a warm client.
    assert sender.send_reply(ids.pop(0)).startswith("SM")
    time.sleep(1.0)
    started = time.monotonic()
    for reply_id in ids:
        assert sender.send_reply(reply_id).startswith("SM")
    elapsed = time.monotonic() - started
    # 16 messages at 5/s: three full windows must pass before the last one.
    print(
        f"{REPLIES} replies in {elapsed:.2f} s at {RATE}/s, 429s: "
        f"{fake_twilio.state.rejected_for_rate}"
    )
    assert elapsed >= (REPLIES - 1) // RATE - 0.05
    assert fake_twilio.state.rejected_for_rate == 0
    assert len(fake_twilio.state.messages) == REPLIES + 1
