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
from bot.queueing.connections import get_redis
from bot.services import sending
from bot.services.intake import record_inbound_event
from bot.settings import get_settings
from tests.fakes.twilio_api import FakeTwilioServer
from tests.helpers import process_as_worker
from workers import sender
from workers.pacing import SendPacer

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
    assert pacer.try_take("a")[0] == 0.0
    wait = pacer.try_take("b")[0]
    assert 0.05 < wait <= 0.1  # the next even slot, 100 ms after the first
    time.sleep(wait)
    assert pacer.try_take("b")[0] == 0.0


def test_each_sender_is_paced_on_its_own(redis: Redis) -> None:
    assert SendPacer(redis, secrets.token_hex(8), rate=1).try_take("a")[0] == 0.0
    assert SendPacer(redis, secrets.token_hex(8), rate=1).try_take("a")[0] == 0.0


def test_a_permit_is_held_in_flight_and_a_first_send_one_second_after_its_answer(
    redis: Redis,
) -> None:
    pacer = SendPacer(redis, secrets.token_hex(8), rate=2)
    wait, first = pacer.try_take("first")
    assert wait == 0.0
    time.sleep(0.5)
    assert pacer.try_take("second")[0] == 0.0
    time.sleep(0.7)
    # Both permits are out (their sends still in flight): nothing may leave, however long ago
    # the first one started.
    assert pacer.try_take("third")[0] > 0.5
    # No usual round trip known yet: the first send may have spent all of it on its way.
    pacer.give_back("first", first)
    assert 0.9 < pacer.try_take("third")[0] <= 1.0


def test_a_steady_latency_holds_a_permit_only_the_margin_longer(redis: Redis) -> None:
    pacer = SendPacer(redis, secrets.token_hex(8), rate=1, jitter_margin_us=20_000, trusted_after=1)
    for token in ("a", "b"):
        while (taken := pacer.try_take(token))[0] > 0:
            time.sleep(taken[0])
        first = time.monotonic()
        time.sleep(0.3)  # a steady 300 ms round trip
        pacer.give_back(token, taken[1])
    while (wait := pacer.try_take("c")[0]) > 0:
        time.sleep(wait)
    # "c" left about 1.02 s after "b" started: not 1.3 s, one second after the answer.
    assert 1.0 <= time.monotonic() - first < 1.1


def test_a_round_trip_longer_than_usual_holds_its_permit_that_much_longer(redis: Redis) -> None:
    pacer = SendPacer(redis, secrets.token_hex(8), rate=1, jitter_margin_us=20_000, trusted_after=1)
    started = pacer.try_take("quick")[1]
    pacer.give_back("quick", started)  # the shortest round trip: about nothing
    time.sleep(1.05)
    started = pacer.try_take("slow")[1]
    began = time.monotonic()
    time.sleep(0.3)  # this one may have spent 300 ms on its way
    pacer.give_back("slow", started)
    while (wait := pacer.try_take("next")[0]) > 0:
        time.sleep(wait)
    assert time.monotonic() - began >= 1.3  # one second after its answer


def _send_taking(pacer: SendPacer, token: str, seconds: float, accepted: bool = True) -> float:
    """One send whose round trip takes `seconds`; returns when it started (monotonic)."""
    while (taken := pacer.try_take(token))[0] > 0:
        time.sleep(taken[0])
    began = time.monotonic()
    time.sleep(seconds)
    pacer.give_back(token, taken[1], accepted=accepted)
    return began


def _next_leaves_after(pacer: SendPacer, began: float) -> float:
    while (wait := pacer.try_take("next")[0]) > 0:
        time.sleep(wait)
    return time.monotonic() - began


def test_a_fast_error_does_not_pass_for_the_usual_round_trip(redis: Redis) -> None:
    """A 429 comes back at once, with no message made: taken as the usual trip, it would hold
    every later permit a whole round trip longer (8 a second where 10 are allowed)."""
    pacer = SendPacer(redis, secrets.token_hex(8), rate=1, trusted_after=1)
    _send_taking(pacer, "usual", 0.3)
    _send_taking(pacer, "refused", 0.0, accepted=False)
    began = _send_taking(pacer, "again", 0.3)
    assert 1.0 <= _next_leaves_after(pacer, began) < 1.1  # not 1.3


def test_until_enough_sends_are_seen_a_permit_is_held_its_whole_round_trip(redis: Redis) -> None:
    pacer = SendPacer(redis, secrets.token_hex(8), rate=1, trusted_after=2)
    began = 0.0
    for token in ("a", "b"):
        began = _send_taking(pacer, token, 0.3)
    assert _next_leaves_after(pacer, began) >= 1.3  # one second after the answer
    began = _send_taking(pacer, "c", 0.3)  # two were seen before it: the shortest is trusted
    assert 1.0 <= _next_leaves_after(pacer, began) < 1.1


def test_within_a_process_one_thread_at_a_time_asks_redis_for_a_permit(
    redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker keeps dozens of sends in flight: all polling Redis at once, they would ask it
    hundreds of times per slot, and slots taken late are lost (90/s where 97/s went out)."""
    key, lock = secrets.token_hex(8), threading.Lock()
    asking, most = [0], [0]
    take = SendPacer.try_take

    def counted(self: SendPacer, token: str) -> tuple[float, int]:
        with lock:
            asking[0] += 1
            most[0] = max(most[0], asking[0])
        try:
            time.sleep(0.002)
            return take(self, token)
        finally:
            with lock:
                asking[0] -= 1

    monkeypatch.setattr(SendPacer, "try_take", counted)

    def send() -> None:
        with SendPacer(redis, key, rate=20).permit():
            time.sleep(0.05)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert most[0] == 1


def test_a_fractional_rate_spaces_single_sends(redis: Redis) -> None:
    pacer = SendPacer(redis, secrets.token_hex(8), rate=0.5)
    started = pacer.try_take("a")[1]
    pacer.give_back("a", started)
    assert 1.9 < pacer.try_take("b")[0] <= 2.06


def _arrivals(
    rate: int, sends: int, way_there: float, way_back: float
) -> tuple[list[float], float]:
    """Two workers send through one pacer; each send reaches the receiver 0 to `way_there`
    seconds after it starts, and is answered `way_back` seconds after that."""
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
                time.sleep(jitter.uniform(0, way_there))
                with lock:
                    arrivals.append(time.monotonic())
                time.sleep(way_back)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return arrivals, time.monotonic() - started


def test_jittery_sends_from_two_workers_never_exceed_the_rate(redis: Redis) -> None:
    """Each send reaches the receiver 0 to 50 ms after it starts (the jitter allowance), as on
    a busy machine. Spacing sends evenly on the sender's clock would let N + 1 of them land
    within a second here; permits held for the round trip cannot."""
    arrivals, elapsed = _arrivals(rate=10, sends=30, way_there=0.05, way_back=0.002)
    assert len(arrivals) == 30
    assert most_in_one_second(arrivals) <= 10
    assert 30 / elapsed > 0.6 * 10


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
            ids += process_as_worker(session, event.id).reply_ids
    return ids


def test_a_burst_is_paced_to_the_sender_rate(
    fake_twilio: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDER_RATE_PER_SECOND", str(RATE))
    get_settings.cache_clear()
    fake_twilio.state.max_per_second = RATE  # answers 429 past it, in any second
    ids = queued_replies(REPLIES)
    started = time.monotonic()
    for claim in sending.claim_replies(ids):
        assert sender.deliver(claim).startswith("SM")
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
