"""An analyst's own account: change the password, or enrol a new second factor. Both ask for
the current password and a fresh code first, are audited, and end every other session of the
account (the session making the change is renewed, so its owner stays signed in)."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from bot.db.session import session_scope
from bot.security.totp import qr_svg
from bot.services import users
from bot.services.audit import record_audit
from bot.settings import get_settings
from bot.web.console import login_limits
from bot.web.console.auth_routes import set_session_cookie
from bot.web.console.deps import Viewer, client_ip, csrf_viewer, current_viewer
from bot.web.console.i18n import N_, texts_for
from bot.web.console.pages import base_context
from bot.web.console.rendering import redirect, render
from bot.web.console.sessions import pop_flash, pop_notice, rotate, set_flash, set_notice

router = APIRouter(prefix="/console")

WRONG_FACTORS = N_("Your current password or code is wrong.")


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, viewer: Viewer = Depends(current_viewer)) -> Response:
    with session_scope() as db:
        context = base_context(db, viewer) | {
            "error": pop_flash(viewer.session),
            "notice": pop_notice(viewer.session),
        }
    return render(request, "console/account.html", context)


def _checked(viewer: Viewer, password: str, code: str, ip: str) -> bool:
    """The current factors, with failures counted as at sign-in (too many lock the account)."""
    with session_scope() as db:
        user = viewer.user(db)
        if users.check_current_factors(db, user, password, code):
            return True
        record_audit(
            db,
            viewer.email,
            "account_check_failed",
            target_type="user",
            target_id=str(viewer.id),
            ip=ip,
        )
    if not login_limits.account_failure(viewer.email):
        with session_scope() as db:
            users.lock_account(db, viewer.user(db), get_settings().console_lockout_seconds, ip)
    return False


def _renewed(viewer: Viewer, notice: str = "") -> Viewer:
    """The other sessions are over; this one goes on under a new id (set its cookie)."""
    session = rotate(viewer.session, viewer.id)
    if notice:
        set_notice(session, notice)
    return replace(viewer, session=session)


@router.post("/account/password")
def change_password(
    request: Request,
    current_password: str = Form("", max_length=1024),
    code: str = Form("", max_length=16),
    new_password: str = Form("", max_length=1024),
    new_password_again: str = Form("", max_length=1024),
    viewer: Viewer = Depends(csrf_viewer),
) -> Response:
    ip = client_ip(request)
    texts = texts_for(request)
    if new_password != new_password_again:
        set_flash(viewer.session, texts.gettext("The two new passwords differ."))
        return redirect("/console/account")
    if not _checked(viewer, current_password, code, ip):
        set_flash(viewer.session, texts.gettext(WRONG_FACTORS))
        return redirect("/console/account")
    with session_scope() as db:
        try:
            users.change_password(viewer.user(db), new_password)
        except users.UserError as exc:
            db.rollback()
            set_flash(viewer.session, texts.error(exc))
            return redirect("/console/account")
        record_audit(
            db, viewer.email, "password_change", target_type="user", target_id=str(viewer.id), ip=ip
        )
    renewed = _renewed(
        viewer, texts.gettext("Password changed. Your other sessions are signed out.")
    )
    response = redirect("/console/account")
    set_session_cookie(response, renewed.session)
    return response


@router.post("/account/totp", response_class=HTMLResponse)
def reenrol_totp(
    request: Request,
    current_password: str = Form("", max_length=1024),
    code: str = Form("", max_length=16),
    viewer: Viewer = Depends(csrf_viewer),
) -> Response:
    ip = client_ip(request)
    if not _checked(viewer, current_password, code, ip):
        set_flash(viewer.session, texts_for(request).gettext(WRONG_FACTORS))
        return redirect("/console/account")
    with session_scope() as db:
        enrolment = users.reset_totp(db, viewer.user(db))
        record_audit(
            db, viewer.email, "totp_reenrol", target_type="user", target_id=str(viewer.id), ip=ip
        )
    renewed = _renewed(viewer)
    with session_scope() as db:
        context = base_context(db, renewed) | {
            "account": enrolment.user.email,
            "uri": enrolment.uri,
            "qr": qr_svg(enrolment.uri),
            "password": None,
            "back": "/console/account",
        }
    response = render(request, "console/enrolment.html", context)
    set_session_cookie(response, renewed.session)
    return response
