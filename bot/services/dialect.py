"""INSERT ... ON CONFLICT DO NOTHING on both SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import Insert, Table, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session

T = TypeVar("T", bound=DeclarativeBase)


def insert_ignore_statement(
    session: Session, table: Table, values: dict[str, Any], keys: tuple[str, ...]
) -> Insert:
    dialect = session.get_bind().dialect.name
    module: Any
    if dialect == "postgresql":
        module = postgresql
    elif dialect == "sqlite":
        module = sqlite
    else:
        raise NotImplementedError(f"no insert-ignore for {dialect}")
    statement = module.insert(table).values(**values)
    statement = statement.on_conflict_do_nothing(index_elements=list(keys) or None)
    # RETURNING tells reliably whether a row went in; rowcount may be -1 with some drivers.
    return cast(Insert, statement.returning(*table.primary_key.columns))


def insert_ignore(
    session: Session, model: type[DeclarativeBase], values: dict[str, Any], *keys: str
) -> bool:
    """Insert a row unless it conflicts on `keys`. Returns whether a row was inserted.

    Asks for the key back rather than trusting rowcount: on PostgreSQL, SQLAlchemy adds an
    implicit RETURNING to single-row inserts and the driver then reports rowcount -1 (true)
    even when ON CONFLICT skipped the row. RETURNING yields a row only for a real insert.
    """
    table = cast(Table, model.__table__)
    result = session.execute(insert_ignore_statement(session, table, values, keys))
    return result.first() is not None


def insert_ignore_into(session: Session, model: type[DeclarativeBase], *keys: str) -> Insert:
    """INSERT ... ON CONFLICT (keys) DO NOTHING, to execute with a list of rows.

    Executed with many rows, SQLAlchemy sends them as multi-row VALUES batches ("insertmanyvalues")
    from one cached compiled statement; add `.returning()` to learn which rows went in.
    """
    table = cast(Table, model.__table__)
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return cast(
        Insert, module.insert(table).on_conflict_do_nothing(index_elements=list(keys) or None)
    )


def insert_ignore_many(
    session: Session, model: type[DeclarativeBase], rows: list[dict[str, Any]], *keys: str
) -> None:
    """Insert several rows, skipping those that conflict on `keys`."""
    if rows:
        session.execute(insert_ignore_into(session, model, *keys), rows)


def upsert_many(
    session: Session,
    model: type[DeclarativeBase],
    rows: list[dict[str, Any]],
    key: str,
    update: Callable[[Any], dict[str, Any]],
    *returning: Any,
) -> list[Any]:
    """INSERT many rows ... ON CONFLICT (key) DO UPDATE, in one statement; the rows RETURNING.

    `update(excluded)` gives the SET clause from the proposed row (`excluded.report_count`...).
    Rows must have distinct keys (one statement cannot touch a row twice); they are sent sorted
    by key, so that two workers upserting overlapping sets lock rows in the same order.
    """
    if not rows:
        return []
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(model)
    statement = statement.on_conflict_do_update(
        index_elements=[key], set_=update(statement.excluded)
    ).returning(*returning, sort_by_parameter_order=True)
    # Executed with a list of rows: SQLAlchemy's "insertmanyvalues" renders them into one
    # multi-row INSERT (one round trip), from a statement compiled once and cached, where a
    # `.values(rows)` statement is a new one to compile for every batch.
    return list(session.execute(statement, sorted(rows, key=lambda row: row[key])).all())


def earlier_of(column: Any, value: Any) -> Any:
    """SQL for the earlier of a stored time and a new one (PostgreSQL and SQLite alike)."""
    return case((column > value, value), else_=column)


def later_of(column: Any, value: Any) -> Any:
    """SQL for the later of a stored time and a new one."""
    return case((column < value, value), else_=column)
