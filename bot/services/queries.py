"""Read-side queries for the API and the console."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Report, ReportedNumber


def family_counts(session: Session, number_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Report.family, func.count())
        .where(Report.number_id == number_id)
        .group_by(Report.family)
    ).all()
    return {family: count for family, count in rows}


def list_reports(
    session: Session,
    *,
    number_id: int | None = None,
    since: datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[Report]:
    query = select(Report).order_by(Report.id.desc()).limit(limit)
    if number_id is not None:
        query = query.where(Report.number_id == number_id)
    if since is not None:
        query = query.where(Report.received_at >= since)
    if before_id is not None:
        query = query.where(Report.id < before_id)
    return list(session.scalars(query).unique().all())


def number_by_canonical(session: Session, canonical: str) -> ReportedNumber | None:
    return session.scalars(
        select(ReportedNumber).where(ReportedNumber.number == canonical)
    ).one_or_none()
