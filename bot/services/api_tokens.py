"""Create and check API bearer tokens, each limited to the scopes it was given."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import ApiToken
from bot.db.types import utcnow
from bot.security.tokens import hash_token, new_token

NUMBERS_READ = "numbers:read"  # GET /api/v1/numbers/{number}
REPORTS_READ = "reports:read"  # reports, search and campaigns: texts' indicators, source SIDs
BLOCKLIST_READ = "blocklist:read"  # the operators' feed, and nothing else
SCOPES = (NUMBERS_READ, REPORTS_READ, BLOCKLIST_READ)
# Without --scope a token looks numbers up and reads the feed; reports need asking for.
DEFAULT_SCOPES = (NUMBERS_READ, BLOCKLIST_READ)


class UnknownScope(ValueError):
    pass


def create_token(
    session: Session, name: str, scopes: Iterable[str] = DEFAULT_SCOPES
) -> tuple[ApiToken, str]:
    wanted = sorted(set(scopes))
    unknown = [scope for scope in wanted if scope not in SCOPES]
    if unknown or not wanted:
        raise UnknownScope(f"scopes must be among {', '.join(SCOPES)}: got {unknown or 'none'}")
    token = new_token()
    record = ApiToken(name=name, token_hash=hash_token(token), scopes=" ".join(wanted))
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


def token_scopes(record: ApiToken) -> frozenset[str]:
    return frozenset(record.scopes.split())
