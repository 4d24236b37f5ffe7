"""Redis clients: the web's, with short timeouts, and a worker's, which retries each command."""

from __future__ import annotations

from functools import lru_cache

from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry as RedisRetry

from bot.settings import get_settings

# Short timeouts: a webhook must answer even when Redis is away.
CONNECT_TIMEOUT, COMMAND_TIMEOUT, HEALTH_CHECK_INTERVAL = 0.5, 2.0, 30


@lru_cache(maxsize=4)
def _redis_for(url: str) -> Redis:
    return Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=COMMAND_TIMEOUT,
        health_check_interval=HEALTH_CHECK_INTERVAL,
    )


def get_redis() -> Redis:
    return _redis_for(get_settings().redis_url)


def async_redis(url: str | None = None) -> AsyncRedis:
    """A client for an event loop (it belongs to that loop), with the web's short timeouts."""
    return AsyncRedis.from_url(
        url or get_settings().redis_url,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=COMMAND_TIMEOUT,
        health_check_interval=HEALTH_CHECK_INTERVAL,
    )


def worker_redis() -> Redis:
    """A connection for a worker, which can wait: each command is retried for about a minute."""
    return Redis.from_url(
        get_settings().redis_url,
        socket_connect_timeout=2.0,
        retry=RedisRetry(ExponentialBackoff(cap=5.0, base=0.2), retries=15),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=30,
    )
