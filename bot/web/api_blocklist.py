"""GET /api/v1/blocklist: the operators' feed, JSON by default, CSV on request. Bearer token.

Domains in this feed are refanged on purpose (machines consume it); see services.blocklist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.services import blocklist
from bot.services.api_tokens import BLOCKLIST_READ
from bot.web.api_auth import UNAUTHORIZED, require_scope

router = APIRouter(prefix="/api/v1", tags=["api"], responses=UNAUTHORIZED)

BLOCKLIST = require_scope(BLOCKLIST_READ)


class EntryOut(BaseModel):
    type: Literal["number", "domain"]
    value: str
    confirmed_at: datetime | None
    reason: str | None


class BlocklistOut(BaseModel):
    generated_at: datetime
    count: int
    entries: list[EntryOut]


def wants_csv(fmt: str | None, accept: str) -> bool:
    """`?format=` wins; otherwise an Accept header that names text/csv (and not JSON first)."""
    if fmt is not None:
        return fmt == "csv"
    accept = accept.lower()
    return "text/csv" in accept and not accept.strip().startswith("application/json")


@router.get(
    "/blocklist",
    response_model=BlocklistOut,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def get_blocklist(
    request: Request,
    format: Literal["json", "csv"] | None = Query(None),
    token_name: str = Depends(BLOCKLIST),
) -> BlocklistOut | Response:
    as_csv = wants_csv(format, request.headers.get("accept", ""))
    with session_scope() as session:
        rows = blocklist.entries(session)
        client = request.client.host if request.client else None
        blocklist.audit_export(
            session, f"token:{token_name}", "csv" if as_csv else "json", len(rows), client
        )
    if as_csv:
        return Response(
            blocklist.to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="scamline-blocklist.csv"'},
        )
    return BlocklistOut(
        generated_at=utcnow(),
        count=len(rows),
        entries=[
            EntryOut(type=r.type, value=r.value, confirmed_at=r.confirmed_at, reason=r.reason)
            for r in rows
        ],
    )
