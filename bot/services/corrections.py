"""Analysts correct a report's family; corrected reports still within retention teach the
classifier at its next `scamline train`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Report
from bot.db.types import utcnow
from bot.domain.families import families
from bot.domain.masking import mask_personal_data
from bot.services.audit import record_audit


class UnknownFamily(ValueError):
    pass


def correct_family(
    session: Session, report: Report, family: str, actor: str, ip: str | None
) -> bool:
    """Set the report's family as an analyst says; audited. Returns False when nothing changed."""
    if family not in families():
        raise UnknownFamily(family)
    if family == report.family:
        return False
    previous = report.family
    if report.predicted_family is None:
        report.predicted_family = previous
    report.family = family
    report.family_corrected_by = actor
    report.family_corrected_at = utcnow()
    record_audit(
        session,
        actor=actor,
        action="report_family_corrected",
        target_type="report",
        target_id=str(report.id),
        ip=ip,
        detail={"from": previous, "to": family},
    )
    return True


def corrected_reports(session: Session, retention_days: int) -> list[dict[str, Any]]:
    """Training records of the reports analysts corrected in the last `retention_days`."""
    since = utcnow() - timedelta(days=retention_days)
    rows = session.execute(
        select(Report.id, Report.channel, Report.body, Report.family, Report.language)
        .where(Report.family_corrected_at.is_not(None), Report.received_at >= since)
        .where(Report.body.is_not(None))
        .order_by(Report.id)
    ).all()
    return [
        {
            "id": f"analyst-{report_id}",
            "channel": channel,
            "body": mask_personal_data(body),
            "family": family,
            "expect_numbers": [],
            "expect_domains": [],
            "lang": language,
            "source": "an analyst's correction in the console",
            "writer": "analyst",
        }
        for report_id, channel, body, family, language in rows
        if body
    ]
