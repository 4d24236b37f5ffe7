"""Read side of campaigns, for the API and the console: lists, numbers, domains and trend.

Counts come from the reports themselves (indexed on campaign_id), so they stay right whatever
happens to the cached `size`; the list itself sorts on the cached columns to stay cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any, Literal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from bot.db.models import Campaign, Domain, Report, ReportDomain, ReportedNumber
from bot.db.types import utcnow

TREND_DAYS = 7
Sort = Literal["recent", "size"]


@dataclass(frozen=True, slots=True)
class Trend:
    """Reports per day over the last 7 days against the rate before them.

    Days are rolling 24-hour windows ending now, not calendar days: no time zone to agree on,
    and the last bucket is never a half-empty "today".
    """

    daily: list[int]  # the last 7 rolling days, oldest first
    last_7d: int
    before: int  # all reports older than 7 days
    per_day_recent: float
    per_day_before: float | None  # None when the campaign is younger than 7 days
    direction: Literal["new", "rising", "steady", "falling"]


def list_campaigns(
    session: Session, *, sort: Sort = "recent", limit: int = 50, offset: int = 0
) -> list[Campaign]:
    """Newest activity first by default; `size` puts the largest first."""
    order = (
        [Campaign.size.desc(), Campaign.id.desc()]
        if sort == "size"
        else [Campaign.last_seen_at.desc(), Campaign.id.desc()]
    )
    return list(session.scalars(select(Campaign).order_by(*order).limit(limit).offset(offset)))


def campaign_numbers(
    session: Session, campaign_id: int, limit: int = 20
) -> list[tuple[ReportedNumber, int]]:
    """The numbers that sent this campaign, with how many of its reports each sent."""
    count = func.count(Report.id)
    rows = session.execute(
        select(ReportedNumber, count)
        .join(Report, Report.number_id == ReportedNumber.id)
        .where(Report.campaign_id == campaign_id)
        .group_by(ReportedNumber.id)
        .order_by(count.desc(), ReportedNumber.id)
        .limit(limit)
    ).all()
    return [(number, int(n)) for number, n in rows]


def campaign_domains(
    session: Session, campaign_id: int, limit: int = 20
) -> list[tuple[Domain, int]]:
    """The domains its texts link to (defanged), with how many of its reports name each."""
    count = func.count(ReportDomain.report_id)
    rows = session.execute(
        select(Domain, count)
        .join(ReportDomain, ReportDomain.domain_id == Domain.id)
        .join(Report, Report.id == ReportDomain.report_id)
        .where(Report.campaign_id == campaign_id)
        .group_by(Domain.id)
        .order_by(count.desc(), Domain.id)
        .limit(limit)
    ).all()
    return [(domain, int(n)) for domain, n in rows]


def _bucket_columns(start: datetime, now: datetime) -> list[Any]:
    """Reports per rolling day over the last TREND_DAYS days, then all reports before them."""
    edges = [start + timedelta(days=i) for i in range(TREND_DAYS + 1)]
    edges[-1] = now + timedelta(microseconds=1)
    buckets = [
        func.coalesce(
            func.sum(case((and_(Report.received_at >= lo, Report.received_at < hi), 1), else_=0)),
            0,
        )
        for lo, hi in pairwise(edges)
    ]
    before_count = func.coalesce(func.sum(case((Report.received_at < start, 1), else_=0)), 0)
    return [*buckets, before_count]


def _trend(campaign: Campaign, row: Sequence[Any], start: datetime) -> Trend:
    daily = [int(v) for v in row[:TREND_DAYS]]
    before = int(row[TREND_DAYS])
    recent = sum(daily)
    per_day_recent = recent / TREND_DAYS
    if campaign.first_seen_at >= start or before == 0:
        return Trend(daily, recent, before, per_day_recent, None, "new")
    days_before = max(1.0, (start - campaign.first_seen_at).total_seconds() / 86400)
    per_day_before = before / days_before
    if per_day_recent > 1.5 * per_day_before:
        direction: Literal["new", "rising", "steady", "falling"] = "rising"
    elif per_day_recent < per_day_before / 1.5:
        direction = "falling"
    else:
        direction = "steady"
    return Trend(daily, recent, before, per_day_recent, round(per_day_before, 3), direction)


def campaign_trend(session: Session, campaign: Campaign, now: datetime | None = None) -> Trend:
    now = now or utcnow()
    start = now - timedelta(days=TREND_DAYS)
    row = session.execute(
        select(*_bucket_columns(start, now)).where(Report.campaign_id == campaign.id)
    ).one()
    return _trend(campaign, row, start)


def campaign_trends(
    session: Session, campaigns: Sequence[Campaign], now: datetime | None = None
) -> dict[int, Trend]:
    """campaign_trend for a page of campaigns, in one grouped query (never one per row)."""
    if not campaigns:
        return {}
    now = now or utcnow()
    start = now - timedelta(days=TREND_DAYS)
    rows = session.execute(
        select(Report.campaign_id, *_bucket_columns(start, now))
        .where(Report.campaign_id.in_([c.id for c in campaigns]))
        .group_by(Report.campaign_id)
    ).all()
    by_id = {int(row[0]): row[1:] for row in rows}
    empty = [0] * (TREND_DAYS + 1)
    return {c.id: _trend(c, by_id.get(c.id, empty), start) for c in campaigns}


@dataclass(frozen=True, slots=True)
class CampaignCounts:
    numbers: int
    domains: int


def campaign_counts(session: Session, campaign_ids: list[int]) -> dict[int, CampaignCounts]:
    """Distinct numbers and domains of each campaign of a page, in two grouped queries."""
    if not campaign_ids:
        return {}
    numbers = dict(
        session.execute(
            select(Report.campaign_id, func.count(func.distinct(Report.number_id)))
            .where(Report.campaign_id.in_(campaign_ids))
            .group_by(Report.campaign_id)
        ).all()
    )
    domains = dict(
        session.execute(
            select(Report.campaign_id, func.count(func.distinct(ReportDomain.domain_id)))
            .join(ReportDomain, ReportDomain.report_id == Report.id)
            .where(Report.campaign_id.in_(campaign_ids))
            .group_by(Report.campaign_id)
        ).all()
    )
    return {
        cid: CampaignCounts(int(numbers.get(cid, 0)), int(domains.get(cid, 0)))
        for cid in campaign_ids
    }
