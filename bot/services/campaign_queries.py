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

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from bot.db.models import Campaign, Domain, Report, ReportDomain, ReportedNumber
from bot.db.types import utcnow
from bot.services.domains import domains_named

TREND_DAYS = 7
Sort = Literal["recent", "size"]
# A "campaign" of one report is a one-off text: the list leaves them out unless asked.
MIN_SIZE = 2


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
    session: Session,
    *,
    sort: Sort = "recent",
    limit: int = 50,
    offset: int = 0,
    min_size: int = 1,
) -> list[Campaign]:
    """Newest activity first by default; `size` puts the largest first. `min_size` leaves out
    the smaller ones (the console lists campaigns of at least MIN_SIZE reports by default)."""
    order = (
        [Campaign.size.desc(), Campaign.id.desc()]
        if sort == "size"
        else [Campaign.last_seen_at.desc(), Campaign.id.desc()]
    )
    query = select(Campaign)
    if min_size > 1:
        query = query.where(Campaign.size >= min_size)
    return list(session.scalars(query.order_by(*order).limit(limit).offset(offset)))


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
    return domains_named(session, Report.campaign_id == campaign_id, limit)


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


@dataclass(frozen=True, slots=True)
class Growth:
    """Reports in the last 24 hours against the 24 hours before them."""

    last_24h: int
    previous_24h: int

    @property
    def change(self) -> int:
        return self.last_24h - self.previous_24h


def campaign_growth(
    session: Session, campaign_ids: list[int], now: datetime | None = None
) -> dict[int, Growth]:
    """Growth of each campaign of a page, in one grouped query."""
    if not campaign_ids:
        return {}
    now = now or utcnow()
    day, two_days = now - timedelta(days=1), now - timedelta(days=2)

    def between(lo: datetime, hi: datetime) -> Any:
        inside = and_(Report.received_at >= lo, Report.received_at < hi)
        return func.coalesce(func.sum(case((inside, 1), else_=0)), 0)

    rows = session.execute(
        select(
            Report.campaign_id,
            between(day, now + timedelta(microseconds=1)),
            between(two_days, day),
        )
        .where(Report.campaign_id.in_(campaign_ids), Report.received_at >= two_days)
        .group_by(Report.campaign_id)
    ).all()
    found = {int(cid): Growth(int(recent), int(before)) for cid, recent, before in rows}
    return {cid: found.get(cid, Growth(0, 0)) for cid in campaign_ids}


def newest_reports(session: Session, campaign_ids: list[int]) -> dict[int, Report]:
    """The newest report of each campaign of a page: its sample text. Two queries."""
    if not campaign_ids:
        return {}
    newest = session.execute(
        select(Report.campaign_id, func.max(Report.id))
        .where(Report.campaign_id.in_(campaign_ids))
        .group_by(Report.campaign_id)
    ).all()
    ids = [int(report_id) for _, report_id in newest]
    reports = session.scalars(select(Report).where(Report.id.in_(ids))).unique().all()
    return {int(r.campaign_id): r for r in reports if r.campaign_id is not None}


@dataclass(frozen=True, slots=True)
class Indicators:
    """A campaign's most reported numbers and domains (their keys), for a list's row."""

    numbers: list[str]
    domains: list[str]


def _ranked(
    session: Session, grouped: Select[int | None, str, int], top: int
) -> list[tuple[int, str]]:
    """The `top` keys of each campaign from (campaign_id, key, n) rows, ranked in the database."""
    counted = grouped.subquery()
    rank = (
        func.row_number()
        .over(partition_by=counted.c.campaign_id, order_by=(counted.c.n.desc(), counted.c.key))
        .label("rank")
    )
    ranked = select(counted.c.campaign_id, counted.c.key, rank).subquery()
    rows = session.execute(
        select(ranked.c.campaign_id, ranked.c.key)
        .where(ranked.c.rank <= top)
        .order_by(ranked.c.campaign_id, ranked.c.rank)
    ).all()
    return [(int(cid), str(key)) for cid, key in rows]


def top_indicators(
    session: Session, campaign_ids: list[int], top: int = 3
) -> dict[int, Indicators]:
    """The `top` numbers and domains of each campaign of a page, most reported first: two
    queries whatever the campaigns' sizes (a campaign may have thousands of numbers)."""
    if not campaign_ids:
        return {}
    found = {cid: Indicators([], []) for cid in campaign_ids}
    n = func.count(Report.id).label("n")
    numbers = (
        select(Report.campaign_id.label("campaign_id"), ReportedNumber.number.label("key"), n)
        .join(ReportedNumber, ReportedNumber.id == Report.number_id)
        .where(Report.campaign_id.in_(campaign_ids))
        .group_by(Report.campaign_id, ReportedNumber.number)
    )
    domains = (
        select(Report.campaign_id.label("campaign_id"), Domain.domain.label("key"), n)
        .join(ReportDomain, ReportDomain.report_id == Report.id)
        .join(Domain, Domain.id == ReportDomain.domain_id)
        .where(Report.campaign_id.in_(campaign_ids))
        .group_by(Report.campaign_id, Domain.domain)
    )
    for cid, key in _ranked(session, numbers, top):
        found[cid].numbers.append(key)
    for cid, key in _ranked(session, domains, top):
        found[cid].domains.append(key)
    return found


def campaign_number_statuses(session: Session, campaign_id: int) -> dict[str, int]:
    """How many of the campaign's numbers are in each status (what confirming it would do)."""
    number_ids = select(Report.number_id).where(
        Report.campaign_id == campaign_id, Report.number_id.is_not(None)
    )
    rows = session.execute(
        select(ReportedNumber.status, func.count())
        .where(ReportedNumber.id.in_(number_ids))
        .group_by(ReportedNumber.status)
    ).all()
    return {str(status): int(n) for status, n in rows}
