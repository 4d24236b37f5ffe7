"""Engines, sessions and migrations. Writes happen in `session_scope()` blocks, except the
webhooks' one-statement inserts on PostgreSQL (`connect_autocommit`, see bot.web.intake_writer)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def build_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL lets the web process read while a worker writes; foreign keys are off by default.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # Webhooks no longer take their connections here on PostgreSQL: they write on the event
    # loop's own (`connect_autocommit`). The pool serves the routes that run in threads (console,
    # API, health) and the workers, without opening a connection per request past the pool.
    return create_engine(url, pool_pre_ping=True, pool_size=12, max_overflow=10)


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    return build_engine(url)


def get_engine() -> Engine:
    return _engine_for(get_settings().database_url)


def get_sessionmaker() -> sessionmaker[Session]:
    return _sessionmaker_for(get_settings().database_url)


@lru_cache(maxsize=4)
def _sessionmaker_for(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=_engine_for(url), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_postgresql() -> bool:
    return _backend_of(get_settings().database_url) == "postgresql"


@lru_cache(maxsize=8)
def _backend_of(url: str) -> str:
    # Asked once per webhook batch: the URL is parsed once, not on every batch.
    return make_url(url).get_backend_name()


async def connect_autocommit(url: str | None = None) -> psycopg.AsyncConnection[Any]:
    """PostgreSQL only: a driver connection for an event loop, in autocommit, for writes that
    are one statement each, durable as soon as they return: no BEGIN, no COMMIT, no ping.

    The driver's own connection, without an engine or session around it: on the webhook path
    their bookkeeping cost more than the statement. It belongs to the loop that opened it.
    """
    conninfo = _libpq_url(url or get_settings().database_url)
    return await psycopg.AsyncConnection.connect(conninfo, autocommit=True, connect_timeout=5)


@lru_cache(maxsize=4)
def _libpq_url(url: str) -> str:
    # `postgresql+psycopg://...?options=...` -> `postgresql://...?options=...`
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "sqlalchemy.url", (url or get_settings().database_url).replace("%", "%%")
    )
    return config


def migrate(url: str | None = None) -> None:
    """Bring the schema to the newest revision; run at every start-up, and idempotent."""
    url = url or get_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        # SQLite has no advisory locks: a lock file beside the database serialises start-ups.
        lock_path = Path(f"{parsed.database}.migrate.lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            command.upgrade(alembic_config(url), "head")
        return
    command.upgrade(alembic_config(url), "head")


def dispose_engines() -> None:
    """Forget pooled connections, e.g. in a forked worker or between tests."""
    for url in list(_engine_cache_urls()):
        _engine_for(url).dispose()
    _engine_for.cache_clear()
    _sessionmaker_for.cache_clear()


def _engine_cache_urls() -> list[str]:
    # lru_cache keeps no public key list; the settings URL is the only one used in practice.
    return [get_settings().database_url]
