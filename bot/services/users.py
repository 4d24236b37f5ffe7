"""Console accounts: creation with a TOTP secret, sign-in checks, lockout, unlocking.

Every account has a second factor from the start: there is no "enable 2FA later" state,
because a password-only account is exactly what the 2022 breach went through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import User
from bot.db.types import utcnow
from bot.messages import N_, Translatable
from bot.security import passwords, totp
from bot.services.audit import raise_alert, record_audit, resolve_alerts

ROLES = ("analyst", "admin")
# Stored in English; the console shows it in the admin's language (bot.web.console.admin).
LOCKED_ALERT = N_("%(email)s: too many failed sign-ins, locked for %(minutes)s min")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,63}$")


class UserError(Translatable):
    """A request about an account that cannot be honoured, with a message fit to show."""


@dataclass(frozen=True)
class Enrolment:
    user: User
    secret: str
    uri: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalise_email(email))).one_or_none()


def create_user(session: Session, email: str, role: str, password: str) -> Enrolment:
    email = normalise_email(email)
    if not _EMAIL.fullmatch(email):
        raise UserError(N_("not an e-mail address: %(email)s"), email=repr(email))
    if role not in ROLES:
        raise UserError(N_("role must be one of %(roles)s"), roles=", ".join(ROLES))
    if find_user(session, email) is not None:
        raise UserError(N_("an account already exists for %(email)s"), email=email)
    try:
        password_hash = passwords.hash_password(password)
    except passwords.PasswordTooShort as exc:
        raise UserError(
            N_("a password needs at least %(count)s characters"), count=exc.minimum
        ) from exc
    secret = totp.new_secret()
    user = User(
        email=email,
        password_hash=password_hash,
        totp_secret_enc=totp.encrypt_secret(secret),
        role=role,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return Enrolment(user, secret, totp.provisioning_uri(secret, email))


def end_sessions(user: User) -> None:
    """Every session of this account opened until now stops working (see web.console.deps)."""
    user.sessions_valid_after = utcnow()


def session_is_current(user: User, opened_at: float) -> bool:
    """Whether a session opened at this epoch time is still valid for the account."""
    return user.sessions_valid_after is None or opened_at >= user.sessions_valid_after.timestamp()


def reset_totp(session: Session, user: User) -> Enrolment:
    """A new secret (lost phone): the old codes stop working at once, and so do the sessions."""
    secret = totp.new_secret()
    user.totp_secret_enc = totp.encrypt_secret(secret)
    user.totp_last_step = None
    end_sessions(user)
    return Enrolment(user, secret, totp.provisioning_uri(secret, user.email))


def reset_account(session: Session, email: str, password: str) -> Enrolment:
    """A new password and a new second factor (`scamline user reset`); ends the sessions."""
    user = find_user(session, email)
    if user is None:
        raise UserError(N_("no account for %(email)s"), email=normalise_email(email))
    change_password(user, password)
    user.locked_until = None
    return reset_totp(session, user)


def check_current_factors(session: Session, user: User, password: str, code: str) -> bool:
    """The account's own password and a fresh code, before it changes either (the code is
    spent, as at sign-in)."""
    checked = check_credentials(session, user.email, password, code)
    return checked is not None and checked.id == user.id


def is_locked(user: User) -> bool:
    return user.locked_until is not None and user.locked_until > utcnow()


def check_credentials(session: Session, email: str, password: str, code: str) -> User | None:
    """The user if the password AND a fresh TOTP code are right and the account may sign in.

    The row is locked while the code is checked so that two requests cannot both spend the
    same code. Both factors are always checked, so a response does not tell which one failed.
    """
    user = session.scalars(
        select(User).where(User.email == normalise_email(email)).with_for_update()
    ).one_or_none()
    password_ok = passwords.verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.active or is_locked(user):
        return None
    secret = totp.decrypt_secret(user.totp_secret_enc)
    step = totp.matching_step(secret, code, user.totp_last_step) if secret else None
    if step is None:
        return None
    user.totp_last_step = step
    user.last_login_at = utcnow()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


def lock_account(session: Session, user: User, seconds: int, ip: str | None) -> None:
    user.locked_until = utcnow() + timedelta(seconds=seconds)
    record_audit(
        session,
        user.email,
        "account_locked",
        target_type="user",
        target_id=str(user.id),
        ip=ip,
        detail={"seconds": seconds},
    )
    raise_alert(
        session,
        "account_locked",
        LOCKED_ALERT % {"email": user.email, "minutes": seconds // 60},
        user.id,
    )


def unlock(session: Session, user: User, actor: str) -> None:
    """Clear both the sign-in lockout and the view-quota lock; resolve the user's alerts."""
    user.locked_until = None
    user.views_locked_at = None
    resolve_alerts(session, user.id, actor)


def set_active(user: User, active: bool) -> None:
    user.active = active
    if not active:
        end_sessions(user)


def change_password(user: User, password: str) -> None:
    """A new password; every session opened with the old one ends."""
    try:
        user.password_hash = passwords.hash_password(password)
    except passwords.PasswordTooShort as exc:
        raise UserError(
            N_("a password needs at least %(count)s characters"), count=exc.minimum
        ) from exc
    end_sessions(user)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)).all())
