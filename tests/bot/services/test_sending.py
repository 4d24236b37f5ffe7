"""The sending state: replies claimed together before any call to Twilio, handed to the outbox
in one transaction, the number never in a claim's repr."""

from __future__ import annotations

import pytest

from bot.services import sending
from bot.settings import get_settings
from tests.factories import queued_reply, reply
from tests.fakes.twilio_api import FakeTwilioServer

REPORTER = "+33612345678"


def test_a_jobs_replies_are_claimed_together_and_the_claims_never_show_the_number(
    fake_twilio: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [queued_reply(REPORTER) for _ in range(3)]
    claims = sending.claim_replies(list(reversed(ids)))
    assert [c.reply_id for c in claims] == ids  # locked in id order: no two workers wait in a cycle
    assert {reply(i).status for i in ids} == {"sending"}
    assert all(reply(i).attempt_started_at is not None for i in ids)
    assert REPORTER not in repr(claims)
    # Claimed again while their lease is on: a sender may be in flight with them, so none is.
    assert sending.claim_replies(ids) == []
    # Once it has run out (a crash), each is claimed as an earlier attempt's, to ask Twilio.
    monkeypatch.setenv("STUCK_SENDING_SECONDS", "0")
    get_settings.cache_clear()
    again = sending.claim_replies(ids)
    assert {c.previous_state for c in again} == {"sending"}
    assert {c.attempt for c in again} == {2}


def test_the_outbox_takes_a_jobs_replies_in_one_transaction() -> None:
    from sqlalchemy import event

    from bot.db.session import get_engine

    ids = [queued_reply(REPORTER) for _ in range(4)]
    commits: list[object] = []

    def count(connection: object) -> None:
        commits.append(connection)

    event.listen(get_engine(), "commit", count)
    try:
        assert sending.hand_to_outbox(ids) == 4
    finally:
        event.remove(get_engine(), "commit", count)
    assert len(commits) == 1
    assert {reply(i).status for i in ids} == {"outbox"}
    assert sending.hand_to_outbox(ids) == 0  # handed once only
