"""Protection against bulk extraction: each view is audited and counted against an hourly
quota of distinct records per account. Passing it locks the account's views and alerts the
admins; an analyst reviews a few dozen numbers an hour, a scraper thousands."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import AuditEntry, User
from bot.db.types import utcnow
from bot.services.audit import raise_alert, record_audit
from bot.settings import get_settings

# Views that open reports' texts. Each distinct (kind, target) counts once per hour: a campaign
# page and a search (target: the query) show texts too, so they spend the same quota.
VIEW_ACTIONS = ("view_number", "view_domain", "view_campaign", "view_report", "search")


def distinct_views_last_hour(session: Session, actor: str) -> set[tuple[str, str]]:
    since = utcnow() - timedelta(hours=1)
    rows = session.execute(
        select(AuditEntry.action, AuditEntry.target_id)
        .where(
            AuditEntry.actor == actor,
            AuditEntry.action.in_(VIEW_ACTIONS),
            AuditEntry.at >= since,
        )
        .distinct()
    ).all()
    return {(action, target or "") for action, target in rows}


def record_view(
    session: Session,
    user: User,
    action: str,
    target_type: str,
    target_id: str,
    ip: str | None,
    report_ids: list[int] | None = None,
    extra: dict[str, Any] | None = None,
) -> bool:
    """Audit one view and say whether it may be shown.

    The user's row is locked while counting, so parallel requests cannot slip past the
    quota together. A refused view is audited too.
    """
    assert action in VIEW_ACTIONS
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    session.refresh(user)
    detail = {"reports": report_ids or [], **(extra or {})}
    if user.views_locked_at is not None:
        record_audit(
            session,
            user.email,
            "view_refused",
            target_type=target_type,
            target_id=target_id,
            ip=ip,
            detail={"wanted": action},
        )
        return False
    seen = distinct_views_last_hour(session, user.email)
    quota = get_settings().console_view_quota_per_hour
    if (action, target_id) not in seen and len(seen) >= quota:
        user.views_locked_at = utcnow()
        record_audit(
            session,
            user.email,
            "views_locked",
            target_type="user",
            target_id=str(user.id),
            ip=ip,
            detail={"quota": quota, "wanted": target_id},
        )
        raise_alert(
            session,
            "view_quota",
            f"{user.email} passed the quota of {quota} records viewed per hour; "
            "their views are locked until an admin unlocks them",
            user.id,
        )
        return False
    record_audit(
        session,
        user.email,
        action,
        target_type=target_type,
        target_id=target_id,
        ip=ip,
        detail=detail,
    )
    return True


def views_today(session: Session, actor: str) -> int:
    since = utcnow() - timedelta(days=1)
    return int(
        session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.actor == actor,
                AuditEntry.action.in_(VIEW_ACTIONS),
                AuditEntry.at >= since,
            )
        )
        or 0
    )
