"""GET /api/v1/search?q=...: numbers, domains and report ids matching a number, domain or text.

Thin: the console's search box calls the same service (services.search).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from bot.db.session import session_scope
from bot.domain.numbers import NumberType
from bot.services.api_tokens import REPORTS_READ
from bot.services.search import KINDS, MAX_QUERY, Kind, search
from bot.web.api.auth import UNAUTHORIZED, require_scope
from bot.web.api.lookup_routes import NUMBER_TYPE_DOC
from bot.web.params import invalid

router = APIRouter(prefix="/api/v1", tags=["api"], responses=UNAUTHORIZED)

REPORTS = require_scope(REPORTS_READ)


class NumberHit(BaseModel):
    number: str
    number_type: NumberType = Field(description=NUMBER_TYPE_DOC)
    status: str
    report_count: int


class DomainHit(BaseModel):
    domain: str  # defanged, as stored
    status: str
    report_count: int


class SearchOut(BaseModel):
    query: str
    numbers: list[NumberHit]
    domains: list[DomainHit]
    report_ids: list[int]


@router.get("/search", response_model=SearchOut)
def get_search(
    q: str = Query(..., min_length=1, max_length=MAX_QUERY),
    kind: Kind | None = Query(None, description="number, domain or text; all when absent"),
    limit: int = Query(50, ge=1, le=200),
    _token: str = Depends(REPORTS),
) -> SearchOut:
    if not q.strip():
        raise invalid("query", "q", "empty query", q)
    with session_scope() as session:
        found = search(session, q, (kind,) if kind else KINDS, limit)
        return SearchOut(
            query=q,
            numbers=[
                NumberHit(
                    number=n.number,
                    number_type=NumberType(n.number_type),
                    status=n.status,
                    report_count=n.report_count,
                )
                for n in found.numbers
            ],
            domains=[
                DomainHit(domain=d.domain, status=d.status, report_count=d.report_count)
                for d in found.domains
            ],
            report_ids=found.report_ids,
        )
