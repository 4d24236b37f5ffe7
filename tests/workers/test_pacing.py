"""Outbound pacing: N sends a second per sender, as the receiving end counts them, never more."""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections.abc import Iterator

import pytest
from redis import Redis

from bot.db.session import session_scope
from bot.services.intake import record_inbound_event
from bot.services.processing import process_sms_event
from bot.settings import get_settings
from tests.fakes.twilio_api import FakeTwilioServer
from workers import sender
from workers.pacing import SendPacer
from workers.queues import get_redis

RATE = 5
REPLIES = 16


@pytest.fixture
def redis() -> Iterator[Redis]:
    yield get_redis()


def most_in_one_second(arrivals: list[float]) -> int:
    """The largest number of arrivals inside any window of one second (sliding)."""
    arrivals = sorted(arrivals)
    most, first = 0, 0
    for last, at in enumerate(arrivals):
        while at - arrivals[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_sends_are_spread_one_interval_apart(redis: Redis) -> None:
    pacer = SendPacer(redis, secrets.token_hex(8), rate=10)
    assert pacer.try_take("a") == 0.0
    wait = pacer.try_take("b")
    assert 0.05 < wait <= 0.1  # the next even slot, 100 ms after the first
    time.sleep(wait)
    assert pacer.try_take("b") == 0.0


def test_each_sender_is_paced_on_its_own(redis: Redis) -> None:
    assert SendPacer(redis, secrets.token_hex(8), rate=1).try_take("a") == 0.0
    assert SendPacer(redis, secrets.token_hex(8), rate=1).try_take("a") == 0.0


def test_a_permit_comes_back_one_second_after_the_answer(redis: Redis) -> None:
    pacer = SendPacer(redis, secrets.token_hex(8), rate=2)
    assert pacer.try_take("first") == 0.0
    time.sleep(0.5)
    assert pacer.try_take("second") == 0.0
    time.sleep(0.5)
    # Both permits are out (their sends still in flight): nothing may leave, however long ago
    # the first one started.
    assert pacer.try_take("third") > 0.5
    pacer.give_back("first")
    wait = pacer.try_take("third")
    assert 0.9 < wait <= 1.0  # one second after the first send's answer
    time.sleep(wait)
    assert pacer.try_take("third") == 0.0


def test_a_fractional_rate_spaces_single_sends(redis: Redis) -> None:
    pacer = SendPacer(redis, secrets.token_hex(8), rate=0.5)
    assert pacer.try_take("a") == 0.0
    pacer.give_back("a")
    assert 1.9 < pacer.try_take("b") <= 2.0


def test_jittery_sends_from_two_workers_never_exceed_the_rate(redis: Redis) -> None:
    """Each send reaches the receiver 0 to 150 ms after it starts, as on a busy machine.

    Spacing sends evenly on the sender's clock would let N + 1 of them land within a second
    here; permits returned after each answer cannot.
    """
    rate, sends = 10, 30
    key = secrets.token_hex(8)
    arrivals: list[float] = []
    lock = threading.Lock()
    left = [sends]

    def worker(seed: int) -> None:
        pacer = SendPacer(get_redis(), key, rate=rate)
        jitter = random.Random(seed)
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            with pacer.permit():
                time.sleep(jitter.uniform(0, 0.15))  # on the way
                with lock:
                    arrivals.append(time.monotonic())
                time.sleep(0.002)  # the answer's way back

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    elapsed = time.monotonic() - started
    assert len(arrivals) == sends
    assert most_in_one_second(arrivals) <= rate
    # Two workers keep the pipe full despite the jitter: well over half the rate.
    assert sends / elapsed > 0.6 * rate


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
    fake_twilio.state.max_per_second = RATE  # answers 429 past it, in any second
    ids = queued_replies(REPLIES)
    started = time.monotonic()
    for reply_id in ids:
        assert sender.send_reply(reply_id).startswith("SM")
    elapsed = time.monotonic() - started
    print(
        f"{REPLIES} replies in {elapsed:.2f} s at {RATE}/s, 429s: "
        f"{fake_twilio.state.rejected_for_rate}"
    )
    # 16 messages at 5/s: the 6th waits for the 1st's permit, the 11th for the 6th's, the 16th
    # for the 11th's: three seconds at least.
    assert elapsed >= (REPLIES - 1) // RATE
    assert fake_twilio.state.rejected_for_rate == 0
    assert len(fake_twilio.state.messages) == REPLIES
