"""What the overview shows: volume per hour, top numbers and domains, risers, family shares.

Each figure is one aggregate query over an indexed time range, so the page costs the same
with ten reports or a million. Only the hour bucketing and the JSON expansion of domains
differ between PostgreSQL and SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Integer, case, cast, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.db.models import Report, ReportedNumber
from bot.db.types import utcnow


@dataclass(frozen=True)
class Count:
    key: str
    count: int
    extra: str = ""


@dataclass(frozen=True)
class Riser:
    number: str
    recent: int
    baseline: float  # reports per day over the previous days
    status: str


def _epoch_hour(session: Session) -> ColumnElement[int]:
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", Report.received_at) / 3600), Integer)
    return cast(cast(func.strftime("%s", Report.received_at), Integer) / 3600, Integer)


def reports_per_hour(
    session: Session, days: int = 7, now: datetime | None = None
) -> list[tuple[datetime, int]]:
    """One (hour, count) per hour of the last `days` days, zeros included, oldest first."""
    now = now or utcnow()
    end_hour = int(now.timestamp() // 3600)
    start_hour = end_hour - days * 24 + 1
    since = datetime.fromtimestamp(start_hour * 3600, UTC)
    bucket = _epoch_hour(session).label("h")
    rows = session.execute(
        select(bucket, func.count()).where(Report.received_at >= since).group_by(bucket)
    ).all()
    counts = {int(h): int(c) for h, c in rows}
    return [
        (datetime.fromtimestamp(h * 3600, UTC), counts.get(h, 0))
        for h in range(start_hour, end_hour + 1)
    ]


def top_numbers(session: Session, since: datetime, limit: int = 10) -> list[Count]:
    total = func.count(Report.id).label("n")
    rows = session.execute(
        select(ReportedNumber.number, ReportedNumber.status, total)
        .join(Report, Report.number_id == ReportedNumber.id)
        .where(Report.received_at >= since)
        .group_by(ReportedNumber.id, ReportedNumber.number, ReportedNumber.status)
        .order_by(total.desc(), ReportedNumber.number)
        .limit(limit)
    ).all()
    return [Count(number, int(n), status) for number, status, n in rows]


_DOMAINS_SQL = {
    "postgresql": text(
        "SELECT d.value AS domain, count(*) AS n FROM reports "
        "CROSS JOIN LATERAL json_array_elements_text(reports.domains) AS d(value) "
        "WHERE reports.received_at >= :since GROUP BY d.value ORDER BY n DESC, domain LIMIT :lim"
    ),
    "sqlite": text(
        "SELECT j.value AS domain, count(*) AS n FROM reports, json_each(reports.domains) AS j "
        "WHERE reports.received_at >= :since GROUP BY j.value ORDER BY n DESC, domain LIMIT :lim"
    ),
}


def top_domains(session: Session, since: datetime, limit: int = 10) -> list[Count]:
    statement = _DOMAINS_SQL[session.get_bind().dialect.name]
    if session.get_bind().dialect.name == "sqlite":
        since_param: object = since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    else:
        since_param = since
    rows = session.execute(statement, {"since": since_param, "lim": limit}).all()
    return [Count(str(domain), int(n)) for domain, n in rows]


def rising_numbers(
    session: Session, now: datetime | None = None, baseline_days: int = 7, limit: int = 10
) -> list[Riser]:
    """Numbers whose last 24 hours most exceed their daily average over the days before."""
    now = now or utcnow()
    day_ago = now - timedelta(days=1)
    since = day_ago - timedelta(days=baseline_days)
    recent = func.sum(case((Report.received_at >= day_ago, 1), else_=0)).label("recent")
    before = func.sum(case((Report.received_at < day_ago, 1), else_=0)).label("before")
    rise = (recent - before / float(baseline_days)).label("rise")
    rows = session.execute(
        select(ReportedNumber.number, ReportedNumber.status, recent, before)
        .join(Report, Report.number_id == ReportedNumber.id)
        .where(Report.received_at >= since)
        .group_by(ReportedNumber.id, ReportedNumber.number, ReportedNumber.status)
        .having(recent >= 2)
        .order_by(rise.desc(), ReportedNumber.number)
        .limit(limit)
    ).all()
    return [
        Riser(number, int(r), round(int(b) / baseline_days, 1), status)
        for number, status, r, b in rows
    ]


def family_shares(session: Session, since: datetime) -> list[tuple[str, int, float]]:
    rows = session.execute(
        select(Report.family, func.count())
        .where(Report.received_at >= since)
        .group_by(Report.family)
        .order_by(func.count().desc())
    ).all()
    total = sum(int(n) for _, n in rows) or 1
    return [(family, int(n), round(100.0 * int(n) / total, 1)) for family, n in rows]


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(ReportedNumber.status, func.count()).group_by(ReportedNumber.status)
    ).all()
    return {status: int(n) for status, n in rows}
