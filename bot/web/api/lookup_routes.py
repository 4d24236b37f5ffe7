"""GET /api/v1/numbers/{number} and /api/v1/reports: a number looked up in any spelling, and
reports newest first, paginated, for analysts and operators behind bearer tokens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from bot.db.models import Report
from bot.db.session import session_scope
from bot.domain.numbers import NumberType, canonical_lookup
from bot.services.api_tokens import NUMBERS_READ, REPORTS_READ
from bot.services.queries import family_counts, list_reports, number_by_canonical
from bot.web.api.auth import NOT_FOUND, UNAUTHORIZED, require_scope
from bot.web.params import MAX_DB_ID, utc_query

router = APIRouter(prefix="/api/v1", tags=["api"], responses=UNAUTHORIZED)

NUMBERS = require_scope(NUMBERS_READ)
REPORTS = require_scope(REPORTS_READ)


NUMBER_TYPE_DOC = (
    "French ranges (mobile, geographic, automated, voip, freephone, premium, special), "
    "short_code, sender_name, foreign, other, or invalid: a caller ID or written number that is "
    "not a valid number (spoofed or malformed), kept as received with only its digits and a "
    "leading +, and looked up the same way."
)


class NumberOut(BaseModel):
    number: str
    number_type: NumberType = Field(description=NUMBER_TYPE_DOC)
    report_count: int
    reporter_count: int
    first_reported_at: datetime
    last_reported_at: datetime
    channels: dict[str, int]
    families: dict[str, int]
    status: str


class ReportOut(BaseModel):
    id: int
    source_sid: str
    received_at: datetime
    channel: str
    reported_number: str | None
    family: str
    language: str
    numbers: list[str]
    domains: list[str]
    reply_status: str | None

    @classmethod
    def of(cls, report: Report) -> ReportOut:
        return cls(
            id=report.id,
            source_sid=report.source_sid,
            received_at=report.received_at,
            channel=report.channel,
            reported_number=report.number.number if report.number else None,
            family=report.family,
            language=report.language,
            numbers=list(report.numbers or []),
            domains=list(report.domains or []),
            reply_status=report.replies[0].status if report.replies else None,
        )


class ReportPage(BaseModel):
    items: list[ReportOut]
    next_cursor: int | None


@router.get("/numbers/{number}", response_model=NumberOut, responses=NOT_FOUND)
def get_number(number: str, _token: str = Depends(NUMBERS)) -> NumberOut:
    canonical = canonical_lookup(number[:64])
    if canonical is None:
        raise HTTPException(404, "not a number, short code or sender name")
    with session_scope() as session:
        record = number_by_canonical(session, canonical)
        if record is None:
            raise HTTPException(404, "this number was never reported")
        return NumberOut(
            number=record.number,
            number_type=NumberType(record.number_type),
            report_count=record.report_count,
            reporter_count=record.reporter_count,
            first_reported_at=record.first_reported_at,
            last_reported_at=record.last_reported_at,
            channels={"sms": record.sms_count, "call": record.call_count},
            families=family_counts(session, record.id),
            status=record.status,
        )


@router.get("/reports", response_model=ReportPage)
def get_reports(
    number: str | None = Query(None, max_length=64),
    since: datetime | None = None,
    cursor: int | None = Query(
        None, ge=1, le=MAX_DB_ID, description="the next_cursor of the previous page"
    ),
    limit: int = Query(50, ge=1, le=200),
    _token: str = Depends(REPORTS),
) -> ReportPage:
    since = utc_query("since", since)
    with session_scope() as session:
        number_id = None
        if number is not None:
            canonical = canonical_lookup(number)
            record = number_by_canonical(session, canonical) if canonical else None
            if record is None:
                return ReportPage(items=[], next_cursor=None)
            number_id = record.id
        reports = list_reports(
            session, number_id=number_id, since=since, before_id=cursor, limit=limit + 1
        )
        items = [ReportOut.of(r) for r in reports[:limit]]
        more = len(reports) > limit
        return ReportPage(items=items, next_cursor=items[-1].id if more and items else None)
