"""Bounds and checks shared by request parameters, so odd input is a 422, never a 500.

Database ids are 32-bit integers: a larger id in a path or a cursor would overflow the query
rather than find nothing. Timestamps from a query string may be naive (taken as UTC) or so close
to the ends of the calendar that converting them to UTC overflows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path
from fastapi.exceptions import RequestValidationError

MAX_DB_ID = 2**31 - 1
DbId = Annotated[int, Path(ge=1, le=MAX_DB_ID)]


def invalid(location: str, name: str, message: str, value: object) -> RequestValidationError:
    """A 422 shaped like FastAPI's own validation errors (the documented 422 schema)."""
    return RequestValidationError(
        [{"type": "value_error", "loc": (location, name), "msg": message, "input": value}]
    )


def utc_query(name: str, value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise invalid("query", name, "date out of range", value.isoformat()) from exc
