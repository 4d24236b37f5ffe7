"""Alembic environment: the URL comes from the caller's config, else from settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

from bot.db.models import Base
from bot.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            # Web and workers start together and all migrate: one at a time, the others wait.
            connection.execute(text("SELECT pg_advisory_xact_lock(7726033700)"))
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=url.startswith("sqlite"),
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
