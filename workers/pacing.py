"""Pace one sender's messages to N a second, across every worker, whatever the network's jitter.

Twilio counts a sender's messages as they reach it. Spacing sends 1/N apart on our clock is not
enough: a send delayed on its way by a few tens of milliseconds (a busy machine, a new
connection) arrives close to the next one, and N + 1 then land inside one second.

So each send takes one of N permits, and a permit comes back one second after its send started,
plus however long the message may have been delayed on its way to Twilio. Twilio received the
message between the send's start and its answer. The usual way there is taken from the shortest
round trip seen: a send whose round trip took longer may have been delayed on its way by the
difference, so its permit is held that much longer, plus a margin (20 ms) for what a round trip
cannot show; never longer than one second after its answer, which is always safe. So any N + 1
messages reach Twilio at least a second apart, while a steady latency costs little: sends 250 ms
from Twilio's API hold their permits about 1.02 s, not 1.25 s, and a sender of N a second
reaches about 0.98 N, where holding each permit one second after the answer would stop it at
0.8 N however many sends are in flight. Sends are also spread evenly, 1/N apart, so that they
never leave in bursts.

The shortest trip must not be shorter than the usual way there, or permits come back early:
- only sends Twilio accepted count: an error comes back without a message being made, faster
  than any send, and one fast 429 taken as the usual trip would hold every later permit a whole
  round trip longer (8 a second where 10 are allowed, in the bench);
- it is trusted once `TRUSTED_AFTER_SENDS` sends have been seen: the first few, on a machine busy
  with a wave, say little about the fastest way there (the likely way the bench's one 429 at 10
  a second got through: none since, in five runs), and until then each permit is held its whole
  round trip;
- it is kept while sends go on, and 10 minutes after, so it only comes down: a slower path later
  costs some rate, never a second with N + 1 messages.

Permits live in a Redis sorted set per sender (member: the send's token, score: when the permit
comes back, on Redis's clock, so that every worker agrees). A send in flight holds its permit
for at most `IN_FLIGHT_LEASE_US`, so a worker that dies mid-send cannot hold it for ever.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from redis import Redis

SECOND_US = 1_000_000
# Longer than the Twilio client's own timeout (10 s): a send in flight never loses its permit
# early, and one whose worker died gives it back within half a minute.
IN_FLIGHT_LEASE_US = 30 * SECOND_US
# Sends accepted before the shortest of their round trips is taken as the usual way there.
TRUSTED_AFTER_SENDS = 20
# How long the usual way there is remembered once sends stop.
TRIP_MEMORY_MS = 600_000
# How long a worker sleeps at most between two attempts to take a permit.
MAX_POLL_SECONDS = 0.25

# KEYS: permits (zset), next even slot. ARGV: permits N, spacing (us), token, lease (us).
# Returns {0, 0} when the permit is taken, else {1, microseconds to wait before trying again}.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local permits, spacing = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local slot = tonumber(redis.call('GET', KEYS[2]) or '0')
if slot > now then
  return {1, slot - now}
end
if redis.call('ZCARD', KEYS[1]) >= permits then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {1, math.max(1, tonumber(first[2]) - now)}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[4]) / 1000) + 1000)
-- Keep the grid of even slots after a slightly late send; start afresh after an idle spell.
local base = slot
if now - slot >= spacing then base = now end
redis.call('SET', KEYS[2], base + spacing, 'PX', math.ceil(spacing / 1000) + 60000)
return {0, now}
"""

# KEYS: permits, the usual way there (hash: s, the shortest round trip; n, accepted sends seen).
# ARGV: token, window (us), the send's start (us), margin (us), accepted (1 or 0), trusted after
# (sends), memory (ms). The permit comes back one window after the start, plus how much longer
# than the shortest round trip this one took, plus the margin; never later than one window after
# the answer, which is what it gets until the shortest trip is trusted.
_GIVE_BACK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local start = tonumber(ARGV[3])
local trip = math.max(0, now - start)
local known = redis.call('HMGET', KEYS[2], 's', 'n')
local shortest = tonumber(known[1] or '-1')
local seen = tonumber(known[2] or '0')
local on_the_way = trip
if shortest >= 0 and seen >= tonumber(ARGV[6]) then
  on_the_way = math.min(trip, math.max(0, trip - shortest) + tonumber(ARGV[4]))
end
if ARGV[5] == '1' then
  if shortest < 0 or trip < shortest then
    redis.call('HSET', KEYS[2], 's', trip)
  end
  redis.call('HINCRBY', KEYS[2], 'n', 1)
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[7]))
end
redis.call('ZADD', KEYS[1], start + tonumber(ARGV[2]) + on_the_way, ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) / 1000) + 60000)
return now
"""
DEFAULT_JITTER_MARGIN_US = 20_000


_turns: dict[str, threading.Lock] = {}
_turns_lock = threading.Lock()


def _turn(key: str) -> threading.Lock:
    """This process's lock for asking Redis for one sender's permits."""
    with _turns_lock:
        return _turns.setdefault(key, threading.Lock())


class SendPacer:
    """At most `rate` sends a second per sender, counted as Twilio counts them."""

    def __init__(
        self,
        redis: Redis,
        sender_key: str,
        rate: float,
        jitter_margin_us: int = DEFAULT_JITTER_MARGIN_US,
        trusted_after: int = TRUSTED_AFTER_SENDS,
    ) -> None:
        if rate <= 0:
            raise ValueError("the send rate must be positive")
        self._redis = redis
        self._permits_key = f"scamline:sender:permits:{sender_key}"
        self._slot_key = f"scamline:sender:slot:{sender_key}"
        # N permits a second; a rate under 1 (0.5 a second) keeps one permit for 1/rate seconds.
        self._permits = max(1, int(rate))
        self._window_us = round(self._permits * SECOND_US / rate)
        self._spacing_us = round(SECOND_US / rate)
        self._margin_us = jitter_margin_us
        self._trusted_after = trusted_after
        self._trip_key = f"scamline:sender:usual-trip:{sender_key}"

    def try_take(self, token: str) -> tuple[float, int]:
        """Take a permit now if one is free and the next even slot has come: returns (0.0,
        the start on Redis's clock, in microseconds).

        Otherwise returns (how many seconds to wait before trying again, 0).
        """
        answer: Any = self._redis.eval(
            _TAKE,
            2,
            self._permits_key,
            self._slot_key,
            self._permits,
            self._spacing_us,
            token,
            IN_FLIGHT_LEASE_US,
        )
        if int(answer[0]) == 0:
            return 0.0, int(answer[1])
        return int(answer[1]) / SECOND_US, 0

    def give_back(self, token: str, started_us: int, accepted: bool = True) -> None:
        """The send has been answered (or failed): its permit comes back one window after its
        start, plus what its way there may have been delayed by (see the module's docstring).
        Only a send Twilio `accepted` tells how long the way there usually takes."""
        self._redis.eval(
            _GIVE_BACK,
            2,
            self._permits_key,
            self._trip_key,
            token,
            self._window_us,
            started_us,
            self._margin_us,
            1 if accepted else 0,
            self._trusted_after,
            TRIP_MEMORY_MS,
        )

    @contextmanager
    def permit(self) -> Iterator[None]:
        """Wait for a permit, hold it during the send, and give it back after the answer (a send
        that raised was not accepted).

        Within a process, one thread at a time asks Redis; the others wait their turn on a
        lock. A worker keeps dozens of sends in flight: all polling at once, they would ask
        Redis hundreds of times per slot, and a slot taken late is a slot lost."""
        token = secrets.token_hex(8)
        with _turn(self._permits_key):
            while (taken := self.try_take(token))[0] > 0:
                time.sleep(min(taken[0], MAX_POLL_SECONDS))
        try:
            yield
        except BaseException:
            self.give_back(token, taken[1], accepted=False)
            raise
        self.give_back(token, taken[1])
