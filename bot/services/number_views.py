"""Read paths of the numbers list, the number page and the domain page.

The list filters and sorts on `numbers` columns that are indexed (and kept up to date at
intake), and fetches what a row shows from other tables in one query per page, never one
per row. The family filter is an EXISTS on the (number_id, family) index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, cast, exists, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.db.models import Report, ReportedNumber, Reporter
from bot.db.types import utcnow
from bot.domain.indicators import defang, refang
from bot.security.pseudonyms import display_pseudonym

SORTS: dict[str, tuple[ColumnElement[Any], ...]] = {
    "reporters": (ReportedNumber.reporter_count.desc(), ReportedNumber.id.desc()),
    "reports": (ReportedNumber.report_count.desc(), ReportedNumber.id.desc()),
    "last_seen": (ReportedNumber.last_reported_at.desc(), ReportedNumber.id.desc()),
}
PERIODS = {"24h": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}
PAGE_SIZE = 50


@dataclass(frozen=True)
class NumberFilters:
    status: str = ""
    family: str = ""
    channel: str = ""  # sms, call
    number_type: str = ""
    period: str = ""  # a key of PERIODS, or "" for all time
    sort: str = "reporters"
    page: int = 1

    def as_query(self) -> dict[str, str]:
        values = {
            "status": self.status,
            "family": self.family,
            "channel": self.channel,
            "number_type": self.number_type,
            "period": self.period,
            "sort": self.sort,
        }
        return {k: v for k, v in values.items() if v}


@dataclass
class NumberRow:
    number: ReportedNumber
    top_family: str = "unknown"


@dataclass
class NumberPage:
    rows: list[NumberRow]
    page: int
    has_next: bool
    filters: NumberFilters


def list_numbers(
    session: Session, filters: NumberFilters, page_size: int = PAGE_SIZE
) -> NumberPage:
    query = select(ReportedNumber)
    if filters.status:
        query = query.where(ReportedNumber.status == filters.status)
    if filters.number_type:
        query = query.where(ReportedNumber.number_type == filters.number_type)
    if filters.channel == "sms":
        query = query.where(ReportedNumber.sms_count > 0)
    elif filters.channel == "call":
        query = query.where(ReportedNumber.call_count > 0)
    if filters.period in PERIODS:
        query = query.where(ReportedNumber.last_reported_at >= utcnow() - PERIODS[filters.period])
    if filters.family:
        query = query.where(
            exists().where(Report.number_id == ReportedNumber.id, Report.family == filters.family)
        )
    page = max(1, filters.page)
    # One row more than a page tells whether there is a next page, without a COUNT(*).
    query = query.order_by(*SORTS.get(filters.sort, SORTS["reporters"]))
    numbers = list(session.scalars(query.offset((page - 1) * page_size).limit(page_size + 1)))
    has_next = len(numbers) > page_size
    numbers = numbers[:page_size]
    families = top_families(session, [n.id for n in numbers])
    rows = [NumberRow(n, families.get(n.id, "unknown")) for n in numbers]
    return NumberPage(rows=rows, page=page, has_next=has_next, filters=filters)


def top_families(session: Session, number_ids: list[int]) -> dict[int, str]:
    """The most reported family of each number, for a page of numbers, in one query."""
    if not number_ids:
        return {}
    rows = session.execute(
        select(Report.number_id, Report.family, func.count())
        .where(Report.number_id.in_(number_ids))
        .group_by(Report.number_id, Report.family)
    ).all()
    best: dict[int, tuple[int, str]] = {}
    for number_id, family, count in rows:
        if number_id is None:
            continue
        if number_id not in best or (int(count), family) > best[number_id]:
            best[number_id] = (int(count), family)
    return {number_id: family for number_id, (_, family) in best.items()}


@dataclass
class ReportView:
    report: Report
    reporter: str  # a pseudonym, never the phone number


@dataclass
class NumberDetail:
    number: ReportedNumber
    families: dict[str, int]
    reports: list[ReportView]
    per_day: list[tuple[datetime, int]] = field(default_factory=list)


def _views(session: Session, reports: list[Report]) -> list[ReportView]:
    ids = {r.reporter_id for r in reports if r.reporter_id is not None}
    pseudonyms = (
        dict(
            session.execute(
                select(Reporter.id, Reporter.pseudonym).where(Reporter.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    return [
        ReportView(
            r, display_pseudonym(pseudonyms[r.reporter_id]) if r.reporter_id in pseudonyms else "—"
        )
        for r in reports
    ]


def report_view(session: Session, report_id: int) -> ReportView | None:
    report = session.get(Report, report_id)
    return _views(session, [report])[0] if report is not None else None


def canonical_domain(domain: str) -> str:
    """Domains are stored defanged; accept either spelling in a URL."""
    return defang(refang(domain.strip().lower()))


def _epoch_day(session: Session) -> ColumnElement[int]:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", Report.received_at) / 86400), Integer)
    return cast(cast(func.strftime("%s", Report.received_at), Integer) / 86400, Integer)


def reports_per_day(session: Session, number_id: int, days: int = 30) -> list[tuple[datetime, int]]:
    return _per_day(session, Report.number_id == number_id, days)


def campaign_per_day(
    session: Session, campaign_id: int, days: int = 30
) -> list[tuple[datetime, int]]:
    return _per_day(session, Report.campaign_id == campaign_id, days)


def _per_day(
    session: Session, condition: ColumnElement[bool], days: int
) -> list[tuple[datetime, int]]:
    end_day = int(utcnow().timestamp() // 86400)
    start_day = end_day - days + 1
    bucket = _epoch_day(session).label("d")
    rows = session.execute(
        select(bucket, func.count())
        .where(
            condition,
            Report.received_at >= datetime.fromtimestamp(start_day * 86400, UTC),
        )
        .group_by(bucket)
    ).all()
    counts = {int(d): int(c) for d, c in rows}
    return [
        (datetime.fromtimestamp(d * 86400, UTC), counts.get(d, 0))
        for d in range(start_day, end_day + 1)
    ]


def number_detail(session: Session, record: ReportedNumber, limit: int = 100) -> NumberDetail:
    reports = list(
        session.scalars(
            select(Report)
            .where(Report.number_id == record.id)
            .order_by(Report.received_at.desc(), Report.id.desc())
            .limit(limit)
        ).unique()
    )
    families = dict(
        session.execute(
            select(Report.family, func.count())
            .where(Report.number_id == record.id)
            .group_by(Report.family)
        ).all()
    )
    return NumberDetail(
        number=record,
        families={k: int(v) for k, v in families.items()},
        reports=_views(session, reports),
        per_day=reports_per_day(session, record.id),
    )


def domain_reports(session: Session, domain: str, limit: int = 100) -> list[ReportView]:
    """Reports whose indicators include this domain (stored defanged), newest first.

    Scans the recent reports' JSON lists; fine for a page, and bounded by retention.
    """
    wanted = canonical_domain(domain)
    condition: ColumnElement[bool]
    if session.get_bind().dialect.name == "postgresql":
        condition = cast(Report.domains, JSONB).contains([wanted])
    else:
        condition = func.instr(cast(Report.domains, String), json.dumps(wanted)) > 0
    reports = list(
        session.scalars(
            select(Report).where(condition).order_by(Report.received_at.desc()).limit(limit)
        ).unique()
    )
    return _views(session, reports)


def campaign_reports(session: Session, campaign_id: int, limit: int = 20) -> list[ReportView]:
    """The newest reports of a campaign: its sample texts, shown like a number's reports."""
    reports = list(
        session.scalars(
            select(Report)
            .where(Report.campaign_id == campaign_id)
            .order_by(Report.received_at.desc(), Report.id.desc())
            .limit(limit)
        ).unique()
    )
    return _views(session, reports)


def reports_by_ids(session: Session, report_ids: list[int]) -> list[ReportView]:
    """These reports (search hits), newest first."""
    if not report_ids:
        return []
    reports = list(
        session.scalars(
            select(Report)
            .where(Report.id.in_(report_ids))
            .order_by(Report.received_at.desc(), Report.id.desc())
        ).unique()
    )
    return _views(session, reports)
