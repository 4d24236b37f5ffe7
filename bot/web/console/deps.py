"""Who is asking: the console session, the signed-in user, CSRF checks, the client address.

Unauthenticated page requests are redirected to the sign-in form (303). Forms are checked
against the session's synchroniser token and refused with 403 when it is missing or wrong.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from bot.db.models import User
from bot.db.session import session_scope
from bot.services.users import is_locked, session_is_current
from bot.web.console.sessions import COOKIE_NAME, ConsoleSession, destroy_session, load_session

LOGIN_URL = "/console/login"


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as the pages need them, detached from any database session."""

    id: int
    email: str
    role: str
    views_locked: bool
    session: ConsoleSession

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def user(self, db: Session) -> User:
        """The user's row in this unit of work (for writes such as the view quota)."""
        user = db.get(User, self.id)
        if user is None:
            raise HTTPException(303, "sign in first", headers={"Location": LOGIN_URL})
        return user


def client_ip(request: Request) -> str:
    # The peer, or, behind a proxy listed in FORWARDED_ALLOW_IPS, the client it forwards for
    # (uvicorn's ProxyHeadersMiddleware sets it; a forged X-Forwarded-For from anyone else is
    # ignored).
    return request.client.host if request.client else "unknown"


def console_session(request: Request) -> ConsoleSession | None:
    return load_session(request.cookies.get(COOKIE_NAME))


def _login_redirect() -> HTTPException:
    return HTTPException(303, "sign in first", headers={"Location": LOGIN_URL})


def _viewer_for(session: ConsoleSession) -> Viewer | None:
    with session_scope() as db:
        user = db.get(User, session.user_id)
        # Re-read at every request: a deactivated or locked account loses access at once, and a
        # session opened before a password or second-factor change is over.
        if user is None or not user.active or is_locked(user):
            return None
        if not session_is_current(user, session.created):
            return None
        return Viewer(user.id, user.email, user.role, user.views_locked_at is not None, session)


async def current_viewer(request: Request) -> Viewer:
    session = console_session(request)
    if session is None or not session.signed_in:
        raise _login_redirect()
    viewer = await run_in_threadpool(_viewer_for, session)
    if viewer is None:
        destroy_session(session.sid)
        raise _login_redirect()
    return viewer


async def admin_viewer(viewer: Viewer = Depends(current_viewer)) -> Viewer:
    if not viewer.is_admin:
        raise HTTPException(403, "admins only")
    return viewer


def check_csrf(session: ConsoleSession | None, token: object) -> None:
    if (
        session is None
        or not isinstance(token, str)
        or not hmac.compare_digest(token.encode(), session.csrf.encode())
    ):
        raise HTTPException(403, "missing or wrong CSRF token")


async def csrf_viewer(request: Request, viewer: Viewer = Depends(current_viewer)) -> Viewer:
    """A signed-in user posting a form that carries their session's CSRF token."""
    form = await request.form()
    check_csrf(viewer.session, form.get("csrf_token"))
    return viewer


async def csrf_admin(request: Request, viewer: Viewer = Depends(admin_viewer)) -> Viewer:
    form = await request.form()
    check_csrf(viewer.session, form.get("csrf_token"))
    return viewer
