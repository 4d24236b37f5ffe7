"""Test isolation against the real services on this machine.

- PostgreSQL (default) or SQLite (`SCAMLINE_TEST_DB=sqlite`): one schema per test run, migrated
  once with Alembic, every table truncated before each test.
- Redis: one database number claimed for this test run, flushed before each test.
- Twilio: the local fake of its REST API (`fake_twilio`), which the real SDK calls.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from redis import Redis
from sqlalchemy import create_engine, text

from bot.db import session as db_session
from bot.db.models import Base
from bot.queueing import connections
from bot.settings import get_settings
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FakeTwilioServer

REDIS_BASE = os.environ.get("SCAMLINE_TEST_REDIS", "redis://127.0.0.1:6379")
PG_BASE = os.environ.get("SCAMLINE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKEND = os.environ.get("SCAMLINE_TEST_DB", "postgresql")
SIGNING_TOKEN = "test-webhook-auth-token-0123456789"

# Property tests explore at random on developers' machines; CI replays a fixed set of examples
# so that a green run is reproducible (found failures are pinned as ordinary tests).
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_report_header() -> str:
    return f"scamline: database backend {BACKEND}, Redis {REDIS_BASE}"


@pytest.fixture(scope="session")
def redis_db() -> Iterator[int]:
    """Claim a Redis database number no other test run on this machine is using."""
    claims = Redis.from_url(f"{REDIS_BASE}/0")
    for number in range(1, 16):
        key = f"scamline:test-db-claim:{number}"
        if claims.set(key, str(os.getpid()), nx=True, ex=3 * 3600):
            try:
                yield number
            finally:
                claims.delete(key)
            return
    pytest.fail("no free Redis database number (1-15) for this test run")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("db") / "scamline.db"
        url = f"sqlite:///{path}"
        db_session.migrate(url)
        yield url
        return
    schema = f"test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    try:
        db_session.migrate(url)
        yield url
    finally:
        db_session.dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(autouse=True)
def isolated_env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, redis_db: int, tmp_path: Path
) -> Iterator[None]:
    """Every test starts from empty tables, an empty Redis database and test settings."""
    for name in list(os.environ):
        if name.startswith("TWILIO_") or name in ("PUBLIC_BASE_URL", "ENVIRONMENT"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REDIS_URL", f"{REDIS_BASE}/{redis_db}")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", SIGNING_TOKEN)
    monkeypatch.setenv("SECRET_KEY", "test-secret-key-0123456789abcdef")
    monkeypatch.setenv("PSEUDONYM_KEY", "test-pseudonym-key-0123456789abcdef")
    monkeypatch.setenv("SWEEPER_GRACE_SECONDS", "0")
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    _reset_caches()
    _empty_tables()
    Redis.from_url(f"{REDIS_BASE}/{redis_db}").flushdb()
    yield
    _reset_caches()


def _reset_caches() -> None:
    get_settings.cache_clear()
    connections._redis_for.cache_clear()
    db_session.dispose_engines()


def _empty_tables() -> None:
    engine = db_session.get_engine()
    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(scope="session")
def fake_twilio_server() -> Iterator[FakeTwilioServer]:
    server = FakeTwilioServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_twilio(
    fake_twilio_server: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> FakeTwilioServer:
    """Configure real Twilio credentials pointing at the fake; signatures use its auth token."""
    fake_twilio_server.state.reset()
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("TWILIO_SENDER", "SCAMLINE")
    monkeypatch.setenv("TWILIO_API_BASE_URL", fake_twilio_server.base_url)
    _reset_caches()
    return fake_twilio_server
