"""Console sessions, kept server-side in Redis under a hash of their id.

The cookie holds only a random id. Redis holds the state under SHA-256(id), so a copy of
Redis does not hand out usable cookies. Idle expiry is the key's TTL, refreshed on use;
absolute expiry is checked against the creation time, so an active session still ends.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import asdict, dataclass
from typing import cast

from bot.queueing.connections import get_redis
from bot.settings import get_settings

COOKIE_NAME = "scamline_console"


@dataclass
class ConsoleSession:
    sid: str
    csrf: str
    created: float
    user_id: int | None = None  # None: a signed-out visitor (the login form's CSRF token)
    # A message for the next page (e.g. why a status change was refused). Kept here rather
    # than in the URL, so that no link can make the console display text of someone's choice.
    flash: str = ""
    notice: str = ""  # the same, for news that is not an error (what a bulk action did)

    @property
    def signed_in(self) -> bool:
        return self.user_id is not None


def _key(sid: str) -> str:
    digest = hashlib.sha256(sid.encode()).hexdigest()
    return f"{get_settings().queue_prefix}:console:session:{digest}"


def _save(session: ConsoleSession) -> None:
    state = asdict(session)
    del state["sid"]
    get_redis().set(_key(session.sid), json.dumps(state), ex=_idle_seconds(session))


def _idle_seconds(session: ConsoleSession) -> int:
    settings = get_settings()
    # A signed-out visitor's session only carries a CSRF token for the login form.
    return settings.console_session_idle_seconds if session.signed_in else 15 * 60


def new_session(user_id: int | None = None) -> ConsoleSession:
    session = ConsoleSession(
        sid=secrets.token_urlsafe(32),
        csrf=secrets.token_urlsafe(32),
        created=time.time(),
        user_id=user_id,
    )
    _save(session)
    return session


def load_session(sid: str | None) -> ConsoleSession | None:
    """The live session for this cookie value, its idle timer restarted; None if expired."""
    if not sid or len(sid) > 128:
        return None
    raw = cast(bytes | None, get_redis().get(_key(sid)))
    if raw is None:
        return None
    state = json.loads(raw)
    session = ConsoleSession(sid=sid, **state)
    if time.time() - session.created > get_settings().console_session_absolute_seconds:
        destroy_session(sid)
        return None
    get_redis().expire(_key(sid), _idle_seconds(session))
    return session


def set_flash(session: ConsoleSession, message: str) -> None:
    session.flash = message[:300]
    _save(session)


def pop_flash(session: ConsoleSession) -> str:
    message, session.flash = session.flash, ""
    if message:
        _save(session)
    return message


def set_notice(session: ConsoleSession, message: str) -> None:
    session.notice = message[:300]
    _save(session)


def pop_notice(session: ConsoleSession) -> str:
    message, session.notice = session.notice, ""
    if message:
        _save(session)
    return message


def destroy_session(sid: str) -> None:
    get_redis().delete(_key(sid))


def rotate(old: ConsoleSession | None, user_id: int) -> ConsoleSession:
    """A fresh id and CSRF token at sign-in: a session id planted before login is worthless."""
    if old is not None:
        destroy_session(old.sid)
    return new_session(user_id)
