"""Sign-in and sign-out. Password and TOTP code are asked together and checked together:
a response never says which factor was wrong, and a right password alone opens nothing."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from bot.db.session import session_scope
from bot.services.audit import record_audit
from bot.services.users import check_credentials, find_user, is_locked, lock_account
from bot.settings import get_settings
from bot.web.console import login_limits
from bot.web.console.deps import check_csrf, client_ip, console_session
from bot.web.console.i18n import N_, texts_for
from bot.web.console.rendering import redirect, render
from bot.web.console.sessions import COOKIE_NAME, ConsoleSession, destroy_session, new_session
from bot.web.console.sessions import rotate as rotate_session

router = APIRouter(prefix="/console")

FAILED = N_("Sign-in failed. Check your e-mail, password and a fresh code from your app.")
TOO_MANY = N_("Too many sign-in attempts from here. Wait a while.")


def set_session_cookie(response: Response, session: ConsoleSession) -> None:
    response.set_cookie(
        COOKIE_NAME,
        session.sid,
        httponly=True,
        secure=get_settings().secure_cookies,
        samesite="lax",
        path="/console",
    )


def _login_page(
    request: Request, session: ConsoleSession, error: str = "", status: int = 200
) -> HTMLResponse:
    response = render(
        request,
        "console/login.html",
        {"csrf": session.csrf, "error": error, "viewer": None, "alerts": 0},
        status_code=status,
    )
    set_session_cookie(response, session)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    session = console_session(request)
    if session is not None and session.signed_in:
        return redirect("/console/")
    return _login_page(request, session or new_session())


def _attempt(email: str, password: str, code: str, ip: str) -> int | None:
    """Check both factors; count failures, lock the account when they pile up."""
    email = email.strip().lower()[:254]
    with session_scope() as db:
        user = check_credentials(db, email, password, code)
        if user is not None:
            record_audit(db, user.email, "login", target_type="user", target_id=str(user.id), ip=ip)
            login_limits.clear_account(email)
            return user.id
        record_audit(db, email or "(empty)", "login_failed", ip=ip)
    if not login_limits.account_failure(email):
        with session_scope() as db:
            target = find_user(db, email)
            if target is not None and not is_locked(target):
                lock_account(db, target, get_settings().console_lockout_seconds, ip)
    return None


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    email: str = Form("", max_length=254),
    password: str = Form("", max_length=1024),
    code: str = Form("", max_length=16),
    csrf_token: str = Form("", max_length=128),
) -> Response:
    session = console_session(request)
    check_csrf(session, csrf_token)
    assert session is not None
    ip = client_ip(request)
    if not login_limits.address_allows(ip):
        return _login_page(request, session, texts_for(request).gettext(TOO_MANY), 429)
    user_id = await run_in_threadpool(_attempt, email, password, code, ip)
    if user_id is None:
        return _login_page(request, session, texts_for(request).gettext(FAILED), 401)
    response = redirect("/console/")
    set_session_cookie(response, rotate_session(session, user_id))
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    session = console_session(request)
    form = await request.form()
    check_csrf(session, form.get("csrf_token"))
    assert session is not None
    destroy_session(session.sid)
    response = redirect("/console/login")
    response.delete_cookie(COOKIE_NAME, path="/console")
    return response
