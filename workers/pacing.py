"""Pace one sender's messages to N a second, across every worker, whatever the network's jitter.

Twilio counts a sender's messages as they reach it. Spacing sends 1/N apart on our clock is not
enough: a send delayed on its way by a few tens of milliseconds (a busy machine, a new
connection) arrives close to the next one, and N + 1 then land inside one second.

So each send takes one of N permits, and a permit comes back one second after *the answer* to
its send, not after its start. Twilio received the message before it answered, so any N + 1
messages reach Twilio at least a second apart, however late each one travelled: the send that
took the last free permit found another's permit returned, and that other arrived at least a
second earlier. Sends are also spread evenly, 1/N apart, so that they never leave in bursts. The
cost is the round trip of a send (a few milliseconds) per N sends: about 1% of the rate.

Permits live in a Redis sorted set per sender (member: the send's token, score: when the permit
comes back, on Redis's clock, so that every worker agrees). A send in flight holds its permit
for at most `IN_FLIGHT_LEASE_US`, so a worker that dies mid-send cannot hold it for ever.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from redis import Redis

SECOND_US = 1_000_000
# Longer than the Twilio client's own timeout: a send in flight never loses its permit early.
IN_FLIGHT_LEASE_US = 120 * SECOND_US
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
return {0, 0}
"""

# KEYS: permits. ARGV: token, window (us). The permit comes back one window after the answer.
_GIVE_BACK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], 120000)
return now
"""


class SendPacer:
    """At most `rate` sends a second per sender, counted as Twilio counts them."""

    def __init__(self, redis: Redis, sender_key: str, rate: float) -> None:
        if rate <= 0:
            raise ValueError("the send rate must be positive")
        self._redis = redis
        self._permits_key = f"scamline:sender:permits:{sender_key}"
        self._slot_key = f"scamline:sender:slot:{sender_key}"
        # N permits a second; a rate under 1 (0.5 a second) keeps one permit for 1/rate seconds.
        self._permits = max(1, int(rate))
        self._window_us = round(self._permits * SECOND_US / rate)
        self._spacing_us = round(SECOND_US / rate)

    def try_take(self, token: str) -> float:
        """Take a permit now if one is free and the next even slot has come: returns 0.0.

        Otherwise returns how many seconds to wait before trying again.
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
        return 0.0 if int(answer[0]) == 0 else int(answer[1]) / SECOND_US

    def give_back(self, token: str) -> None:
        """The send has been answered (or failed): its permit comes back one window later."""
        self._redis.eval(_GIVE_BACK, 1, self._permits_key, token, self._window_us)

    @contextmanager
    def permit(self) -> Iterator[None]:
        """Wait for a permit, hold it during the send, and give it back after the answer."""
        token = secrets.token_hex(8)
        while (wait := self.try_take(token)) > 0:
            time.sleep(min(wait, MAX_POLL_SECONDS))
        try:
            yield
        finally:
            self.give_back(token)
