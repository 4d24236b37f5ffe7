"""The audit log: who did or saw what, when, from where. Written in the same transaction as
the action it records, so an action never happens unlogged."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import AuditEntry, ConsoleAlert
from bot.db.types import utcnow


def record_audit(
    session: Session,
    actor: str,
    action: str,
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=utcnow(),
        actor=_scrub(actor)[:254],
        action=action,
        target_type=target_type,
        target_id=_scrub(target_id)[:64] if target_id else None,
        ip=_scrub(ip)[:64] if ip else None,
        detail=_scrub(detail or {}),
    )
    session.add(entry)
    return entry


def _scrub(value: Any) -> Any:
    """Audited values come from users (search queries, ids): PostgreSQL refuses NUL in text."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def raise_alert(session: Session, kind: str, message: str, user_id: int | None) -> ConsoleAlert:
    """An alert for the admins, shown on every admin page until someone resolves it."""
    alert = ConsoleAlert(at=utcnow(), kind=kind, user_id=user_id, message=message)
    session.add(alert)
    return alert


def resolve_alerts(session: Session, user_id: int, resolved_by: str) -> int:
    alerts = (
        session.query(ConsoleAlert)
        .filter(ConsoleAlert.user_id == user_id, ConsoleAlert.resolved_at.is_(None))
        .all()
    )
    for alert in alerts:
        alert.resolved_at = utcnow()
        alert.resolved_by = resolved_by
    return len(alerts)
