"""Each API token's rate limit and daily quota, in Redis (the `limits` library's moving
windows), so that every web process counts against the same budget."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bot.settings import get_settings

NAMESPACE = "api-token"


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str  # "rate_limit" or "daily_quota"
    retry_after: int  # seconds


@lru_cache(maxsize=4)
def _limiter(redis_url: str) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(redis_url))


@lru_cache(maxsize=16)
def _item(spec: str) -> RateLimitItem:
    return parse(spec)


def spend(token_id: int) -> Refusal | None:
    """Count one request against the token's burst limit, then its daily quota; the refusal
    (with how long to wait) when either is spent. A refused burst does not spend the quota."""
    settings = get_settings()
    limiter = _limiter(settings.redis_url)
    key = (settings.queue_prefix, NAMESPACE, str(token_id))
    for reason, spec in (
        ("rate_limit", settings.api_rate_limit),
        ("daily_quota", settings.api_daily_quota),
    ):
        item = _item(spec)
        if not limiter.hit(item, *key):
            reset = limiter.get_window_stats(item, *key).reset_time
            return Refusal(reason, max(1, math.ceil(reset - time.time())))
    return None
