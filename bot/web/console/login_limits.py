"""Sign-in attempt limits in Redis, moving window: per client address and per account.

The address limit slows one machine trying many accounts; the account limit (failures only)
stops many machines trying one account, and passing it locks the account for a while.
"""

from __future__ import annotations

from functools import lru_cache

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from bot.settings import get_settings

NAMESPACE = "console-login"


@lru_cache(maxsize=4)
def _limiter(redis_url: str) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(redis_url))


@lru_cache(maxsize=16)
def _item(spec: str) -> RateLimitItem:
    return parse(spec)


def _parts() -> tuple[MovingWindowRateLimiter, str]:
    settings = get_settings()
    return _limiter(settings.redis_url), settings.queue_prefix


def address_allows(ip: str) -> bool:
    """Count this attempt against the address; False once the address is over its limit."""
    limiter, prefix = _parts()
    item = _item(get_settings().console_login_limit_per_address)
    return limiter.hit(item, prefix, NAMESPACE, "address", ip)


def account_failure(email: str) -> bool:
    """Count a failure against the account; False when this failure passes the limit."""
    limiter, prefix = _parts()
    item = _item(get_settings().console_login_limit_per_account)
    return limiter.hit(item, prefix, NAMESPACE, "account", email)


def clear_account(email: str) -> None:
    limiter, prefix = _parts()
    limiter.clear(
        _item(get_settings().console_login_limit_per_account), prefix, NAMESPACE, "account", email
    )
