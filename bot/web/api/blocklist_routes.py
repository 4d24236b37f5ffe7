"""GET /api/v1/blocklist: the operators' feed, JSON by default, CSV or a STIX 2.1 bundle on
request. Bearer token with the scope blocklist:read.

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
from bot.services import blocklist, blocklist_stix
from bot.services.api_tokens import BLOCKLIST_READ
from bot.settings import get_settings
from bot.web.api.auth import UNAUTHORIZED, require_scope

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


Format = Literal["json", "csv", "stix"]


def chosen_format(fmt: Format | None, accept: str) -> Format:
    """`?format=` wins; otherwise an Accept header that names text/csv or application/stix+json
    (and not JSON first); otherwise JSON."""
    if fmt is not None:
        return fmt
    accept = accept.lower()
    if accept.strip().startswith("application/json"):
        return "json"
    if "application/stix+json" in accept:
        return "stix"
    return "csv" if "text/csv" in accept else "json"


_STIX_BUNDLE = {
    "type": "object",
    "description": "A STIX 2.1 bundle: the Scamline identity, an indicator per number "
    "([phone-number:value = ...]) or domain ([domain-name:value = ...]) with the analysts' note, "
    "and a sighting of each (first_seen, last_seen, count of reports)",
    "properties": {
        "type": {"type": "string", "enum": ["bundle"]},
        "id": {"type": "string"},
        "objects": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "id", "objects"],
}


@router.get(
    "/blocklist",
    response_model=BlocklistOut,
    summary="Confirmed scam numbers and domains: JSON, CSV or STIX 2.1",
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/stix+json": {"schema": _STIX_BUNDLE},
            }
        }
    },
)
def get_blocklist(
    request: Request,
    format: Format | None = Query(
        None, description="json (default), csv, or stix (a STIX 2.1 bundle)"
    ),
    token_name: str = Depends(BLOCKLIST),
) -> BlocklistOut | Response:
    chosen = chosen_format(format, request.headers.get("accept", ""))
    with session_scope() as session:
        rows = blocklist.entries(session)
        client = request.client.host if request.client else None
        blocklist.audit_export(session, f"token:{token_name}", chosen, len(rows), client)
    if chosen == "csv":
        return Response(
            blocklist.to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="scamline-blocklist.csv"'},
        )
    if chosen == "stix":
        producer = get_settings().public_base_url or "scamline"
        return Response(
            blocklist_stix.to_stix(rows, producer, utcnow()),
            media_type=blocklist_stix.MEDIA_TYPE,
        )
    return BlocklistOut(
        generated_at=utcnow(),
        count=len(rows),
        entries=[
            EntryOut(type=r.type, value=r.value, confirmed_at=r.confirmed_at, reason=r.reason)
            for r in rows
        ],
    )
