"""GET /api/v1/campaigns and /api/v1/campaigns/{id}: grouped templates with numbers, domains and
trend. Read-only on purpose: confirming a campaign is an analyst's act in the console (second
factor, audit), not something an API token may do."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from bot.db.models import Campaign
from bot.db.session import session_scope
from bot.services.api_tokens import REPORTS_READ
from bot.services.campaign_queries import (
    Sort,
    campaign_domains,
    campaign_numbers,
    campaign_trend,
    list_campaigns,
)
from bot.web.api.auth import NOT_FOUND, UNAUTHORIZED, require_scope
from bot.web.params import MAX_DB_ID

router = APIRouter(prefix="/api/v1", tags=["api"], responses=UNAUTHORIZED)

REPORTS = require_scope(REPORTS_READ)


class CampaignNumberOut(BaseModel):
    number: str
    status: str
    reports: int


class CampaignDomainOut(BaseModel):
    domain: str  # defanged, as stored
    status: str
    reports: int


class TrendOut(BaseModel):
    daily: list[int]
    last_7d: int
    before: int
    per_day_recent: float
    per_day_before: float | None
    direction: str


class CampaignOut(BaseModel):
    id: int
    size: int
    family: str
    first_seen_at: datetime
    last_seen_at: datetime
    sample_report_id: int | None
    numbers: list[CampaignNumberOut]
    domains: list[CampaignDomainOut]
    trend: TrendOut


class CampaignPage(BaseModel):
    items: list[CampaignOut]
    next_offset: int | None


def campaign_out(session: Session, campaign: Campaign) -> CampaignOut:
    trend = campaign_trend(session, campaign)
    return CampaignOut(
        id=campaign.id,
        size=campaign.size,
        family=campaign.family,
        first_seen_at=campaign.first_seen_at,
        last_seen_at=campaign.last_seen_at,
        sample_report_id=campaign.sample_report_id,
        numbers=[
            CampaignNumberOut(number=n.number, status=n.status, reports=count)
            for n, count in campaign_numbers(session, campaign.id)
        ],
        domains=[
            CampaignDomainOut(domain=d.domain, status=d.status, reports=count)
            for d, count in campaign_domains(session, campaign.id)
        ],
        trend=TrendOut(
            daily=trend.daily,
            last_7d=trend.last_7d,
            before=trend.before,
            per_day_recent=trend.per_day_recent,
            per_day_before=trend.per_day_before,
            direction=trend.direction,
        ),
    )


@router.get("/campaigns", response_model=CampaignPage)
def get_campaigns(
    sort: Sort = Query("recent", description="recent: latest activity first; size: largest"),
    offset: int = Query(0, ge=0, le=MAX_DB_ID),
    limit: int = Query(20, ge=1, le=100),
    _token: str = Depends(REPORTS),
) -> CampaignPage:
    with session_scope() as session:
        campaigns = list_campaigns(session, sort=sort, limit=limit + 1, offset=offset)
        items = [campaign_out(session, c) for c in campaigns[:limit]]
        more = len(campaigns) > limit
        return CampaignPage(items=items, next_offset=offset + limit if more else None)


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut, responses=NOT_FOUND)
def get_campaign(
    campaign_id: int = Path(ge=1, le=MAX_DB_ID), _token: str = Depends(REPORTS)
) -> CampaignOut:
    with session_scope() as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise HTTPException(404, "no such campaign")
        return campaign_out(session, campaign)
