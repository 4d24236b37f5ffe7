"""Create and check API bearer tokens."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import ApiToken
from bot.db.types import utcnow
from bot.security.tokens import hash_token, new_token


def create_token(session: Session, name: str) -> tuple[ApiToken, str]:
    token = new_token()
    record = ApiToken(name=name, token_hash=hash_token(token))
    session.add(record)
    session.flush()
    return record, token


def check_token(session: Session, token: str) -> ApiToken | None:
    record = session.scalars(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
        )
    ).one_or_none()
    if record is not None:
        record.last_used_at = utcnow()
    return record
