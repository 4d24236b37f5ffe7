"""Admins' pages: alerts (quota, lockouts), accounts, API tokens, the recent audit log.

New accounts and TOTP resets show their QR code once, on the response page, and never again:
the secret is stored encrypted and no page can read it back.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import ApiToken, AuditEntry, ConsoleAlert, User
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.domain.indicators import defang
from bot.messages import parameters
from bot.security.totp import qr_svg
from bot.services import users
from bot.services.api_tokens import DEFAULT_SCOPES, SCOPES, UnknownScope, create_token
from bot.services.audit import record_audit
from bot.services.users import LOCKED_ALERT, Enrolment, UserError
from bot.services.view_quota import QUOTA_ALERT
from bot.web.console.deps import Viewer, admin_viewer, client_ip, csrf_admin
from bot.web.console.i18n import Texts, texts_for
from bot.web.console.pages import base_context
from bot.web.console.rendering import redirect, render
from bot.web.console.sessions import pop_flash, set_flash
from bot.web.params import DbId

router = APIRouter(prefix="/console/admin")


ALERTS = (QUOTA_ALERT, LOCKED_ALERT)


def alert_text(texts: Texts, alert: ConsoleAlert) -> str:
    """An alert's message (stored in English) in the admin's language, when it is one of ours."""
    for msgid in ALERTS:
        found = parameters(msgid, alert.message)
        if found is not None:
            return texts.gettext(msgid, **found)
    return alert.message


def _admin_context(db: Session, viewer: Viewer, texts: Texts) -> dict[str, Any]:
    alerts = list(
        db.scalars(
            select(ConsoleAlert)
            .where(ConsoleAlert.resolved_at.is_(None))
            .order_by(ConsoleAlert.at.desc())
        )
    )
    return base_context(db, viewer) | {
        "open_alerts": [(alert, alert_text(texts, alert)) for alert in alerts],
        "users": users.list_users(db),
        "tokens": list(db.scalars(select(ApiToken).order_by(ApiToken.created_at.desc()))),
        "scopes": SCOPES,
        "default_scopes": DEFAULT_SCOPES,
        "audit": [
            (entry, audit_target(entry))
            for entry in db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(100))
        ],
        "roles": users.ROLES,
        "now": utcnow(),
    }


def audit_target(entry: AuditEntry) -> str:
    """What an audit row was about: a search shows its whole query (defanged; its target is only
    a digest when the query is long), any other row its target."""
    query = entry.detail.get("query") if isinstance(entry.detail, dict) else None
    if isinstance(query, str) and query:
        return f"{entry.target_type or ''} « {defang(query)} »".strip()
    return f"{entry.target_type or ''} {entry.target_id or ''}".strip()


@router.get("", response_class=HTMLResponse)
def admin_page(request: Request, viewer: Viewer = Depends(admin_viewer)) -> Response:
    with session_scope() as db:
        context = _admin_context(db, viewer, texts_for(request)) | {
            "error": pop_flash(viewer.session)
        }
    return render(request, "console/admin.html", context)


def _enrolment_page(
    request: Request, db: Session, viewer: Viewer, enrolment: Enrolment, password: str | None
) -> Response:
    context = base_context(db, viewer) | {
        "account": enrolment.user.email,
        "uri": enrolment.uri,
        "qr": qr_svg(enrolment.uri),
        "password": password,
    }
    return render(request, "console/enrolment.html", context)


@router.post("/users", response_class=HTMLResponse)
def create_account(
    request: Request,
    email: str = Form(..., max_length=254),
    role: str = Form(...),
    viewer: Viewer = Depends(csrf_admin),
) -> Response:
    # A one-time password, shown once with the QR code, for the admin to hand over.
    password = secrets.token_urlsafe(15)
    with session_scope() as db:
        try:
            enrolment = users.create_user(db, email, role, password)
        except UserError as exc:
            db.rollback()
            set_flash(viewer.session, texts_for(request).error(exc))
            return redirect("/console/admin")
        record_audit(
            db,
            viewer.email,
            "user_create",
            target_type="user",
            target_id=str(enrolment.user.id),
            ip=client_ip(request),
            detail={"email": enrolment.user.email, "role": role},
        )
        return _enrolment_page(request, db, viewer, enrolment, password)


def _user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(404, "no such account")
    return user


@router.post("/users/{user_id}/reset-totp", response_class=HTMLResponse)
def reset_totp(request: Request, user_id: DbId, viewer: Viewer = Depends(csrf_admin)) -> Response:
    with session_scope() as db:
        enrolment = users.reset_totp(db, _user(db, user_id))
        record_audit(
            db,
            viewer.email,
            "user_reset_totp",
            target_type="user",
            target_id=str(user_id),
            ip=client_ip(request),
        )
        return _enrolment_page(request, db, viewer, enrolment, None)


@router.post("/users/{user_id}/{action}")
def user_action(
    request: Request, user_id: DbId, action: str, viewer: Viewer = Depends(csrf_admin)
) -> Response:
    with session_scope() as db:
        user = _user(db, user_id)
        if action == "unlock":
            users.unlock(db, user, viewer.email)
        elif action in ("deactivate", "activate"):
            if user.id == viewer.id:
                set_flash(
                    viewer.session, texts_for(request).gettext("You cannot deactivate yourself.")
                )
                return redirect("/console/admin")
            users.set_active(user, action == "activate")
        else:
            raise HTTPException(404, "no such action")
        record_audit(
            db,
            viewer.email,
            f"user_{action}",
            target_type="user",
            target_id=str(user_id),
            ip=client_ip(request),
        )
    return redirect("/console/admin")


# A label for people: printable, with at least one visible character. A NUL would otherwise
# reach PostgreSQL, which cannot store it in text (a 500 instead of a clear 422).
TOKEN_NAME = r"^[^\x00-\x1f\x7f]*[^\x00-\x1f\x7f\s][^\x00-\x1f\x7f]*$"


@router.post("/tokens", response_class=HTMLResponse)
def new_token(
    request: Request,
    name: str = Form(..., min_length=1, max_length=100, pattern=TOKEN_NAME),
    scope: list[str] = Form(default=[]),
    viewer: Viewer = Depends(csrf_admin),
) -> Response:
    with session_scope() as db:
        try:
            record, token = create_token(db, name.strip(), scope)
        except UnknownScope:
            raise HTTPException(422, "choose one or more of the listed scopes") from None
        record_audit(
            db,
            viewer.email,
            "token_create",
            target_type="api_token",
            target_id=str(record.id),
            ip=client_ip(request),
            detail={"name": name, "scopes": record.scopes},
        )
        context = base_context(db, viewer) | {"token_name": record.name, "token": token}
        return render(request, "console/token.html", context)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, token_id: DbId, viewer: Viewer = Depends(csrf_admin)
) -> Response:
    with session_scope() as db:
        record = db.get(ApiToken, token_id)
        if record is None:
            raise HTTPException(404, "no such token")
        if record.revoked_at is None:
            record.revoked_at = utcnow()
        record_audit(
            db,
            viewer.email,
            "token_revoke",
            target_type="api_token",
            target_id=str(token_id),
            ip=client_ip(request),
        )
    return redirect("/console/admin")
