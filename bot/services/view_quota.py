"""Protection against bulk extraction: each view is audited and counted against an hourly
quota of distinct records per account. Passing it locks the account's views and alerts the
admins; an analyst reviews a few dozen numbers an hour, a scraper thousands.

The quota counts records, not requests: a number's page exposes that number; a search exposes
every number and domain its results show (and, for a report with neither, the report). So
padding queries, or searching where a page would be refused, opens nothing more. Seeing a
record again within the hour is free; a view that would pass the quota is refused whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditEntry, User
from bot.db.types import utcnow
from bot.messages import N_
from bot.services.audit import raise_alert, record_audit
from bot.settings import get_settings

# Views that open reports' texts, each audited as one row. The campaigns list shows a text of
# each campaign it lists, so it exposes them like their pages (one record per campaign).
VIEW_ACTIONS = (
    "view_number",
    "view_domain",
    "view_campaign",
    "view_campaigns",
    "view_report",
    "search",
)
# One row per further record a view exposed (a search's results): the quota's other unit.
HIT_ACTION = "view_hit"
# Rows whose (target type, target) is a record the quota counts; a search row is not one.
_RECORD_ACTIONS = ("view_number", "view_domain", "view_campaign", "view_report", HIT_ACTION)
_TARGET_MAX = 64  # the audit log's target column
# Stored in English; the console shows it in the admin's language (bot.web.console.admin).
QUOTA_ALERT = N_(
    "%(email)s passed the quota of %(quota)s records viewed per hour; "
    "their views are locked until an admin unlocks them"
)

Record = tuple[str, str]  # (kind, key): ("number", "+33639981234"), ("domain", "evil[.]test")


def record_key(value: str) -> str:
    """A record's key as stored in the audit log: itself, or a digest when too long to store
    whole (a prefix would let two long domains pass as one)."""
    if len(value) <= _TARGET_MAX:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[: _TARGET_MAX - 7]


def records_seen_last_hour(session: Session, actor: str) -> set[Record]:
    since = utcnow() - timedelta(hours=1)
    rows = session.execute(
        select(AuditEntry.target_type, AuditEntry.target_id)
        .where(
            AuditEntry.actor == actor,
            AuditEntry.action.in_(_RECORD_ACTIONS),
            AuditEntry.at >= since,
        )
        .distinct()
    ).all()
    return {(kind or "", key or "") for kind, key in rows}


def _refuse(session: Session, user: User, action: str, target: Record, ip: str | None) -> bool:
    record_audit(
        session,
        user.email,
        "view_refused",
        target_type=target[0],
        target_id=target[1],
        ip=ip,
        detail={"wanted": action},
    )
    return False


def _lock(session: Session, user: User, quota: int, target: Record, ip: str | None) -> bool:
    user.views_locked_at = utcnow()
    record_audit(
        session,
        user.email,
        "views_locked",
        target_type="user",
        target_id=str(user.id),
        ip=ip,
        detail={"quota": quota, "wanted": list(target)},
    )
    raise_alert(
        session,
        "view_quota",
        QUOTA_ALERT % {"email": user.email, "quota": quota},
        user.id,
    )
    return False


def record_view(
    session: Session,
    user: User,
    action: str,
    target_type: str,
    target_id: str,
    ip: str | None,
    report_ids: list[int] | None = None,
    extra: dict[str, Any] | None = None,
    exposes: Iterable[Record] | None = None,
) -> bool:
    """Audit one view and say whether it may be shown.

    `exposes` are the records the view shows (by default, its target). The user's row is
    locked while counting, so parallel requests cannot slip past the quota together. A refused
    view is audited too."""
    assert action in VIEW_ACTIONS
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    session.refresh(user)
    target = (target_type, record_key(target_id))
    if user.views_locked_at is not None:
        return _refuse(session, user, action, target, ip)
    wanted = {target} if exposes is None else {(kind, record_key(k)) for kind, k in exposes}
    seen = records_seen_last_hour(session, user.email)
    new = wanted - seen
    quota = get_settings().console_view_quota_per_hour
    if len(seen) + len(new) > quota:
        return _lock(session, user, quota, target, ip)
    detail = {"reports": report_ids or [], **(extra or {})}
    record_audit(
        session,
        user.email,
        action,
        target_type=target[0],
        target_id=target[1],
        ip=ip,
        detail=detail,
    )
    for kind, key in sorted(new - {target}):
        record_audit(
            session,
            user.email,
            HIT_ACTION,
            target_type=kind,
            target_id=key,
            ip=ip,
            detail={"via": action},
        )
    return True
