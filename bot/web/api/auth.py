"""Bearer-token authentication for /api/v1: the token must exist, hold the route's scope, and
be within its rate limit and daily quota (429 with Retry-After past them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from bot.db.session import session_scope
from bot.services.api_tokens import check_token, token_scopes
from bot.web.api.token_limits import spend
from bot.web.metrics import API_REFUSED

_bearer = HTTPBearer(auto_error=False)


class ErrorOut(BaseModel):
    detail: str


# Documented on every /api/v1 route, so clients (and the schema checks) know these answers.
UNAUTHORIZED: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Missing, invalid or revoked bearer token"},
    403: {"model": ErrorOut, "description": "The token lacks this route's scope"},
    429: {
        "model": ErrorOut,
        "description": "The token's rate limit or daily quota is spent; see Retry-After",
        "headers": {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
        },
    },
}
NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut, "description": "Not found"}
}


@dataclass(frozen=True, slots=True)
class Caller:
    token_id: int
    name: str
    scopes: frozenset[str]


def _caller(token: str) -> Caller | None:
    with session_scope() as session:
        record = check_token(session, token)
        return Caller(record.id, record.name, token_scopes(record)) if record else None


def require_scope(scope: str) -> Callable[..., Awaitable[str]]:
    """A dependency that lets through a valid token holding `scope`; returns its name."""

    async def dependency(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    ) -> str:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise HTTPException(
                401, "bearer token required", headers={"WWW-Authenticate": "Bearer"}
            )
        caller = await run_in_threadpool(_caller, credentials.credentials)
        if caller is None:
            raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
        if scope not in caller.scopes:
            API_REFUSED.labels(reason="scope").inc()
            raise HTTPException(403, f"this token does not have the scope {scope}")
        refusal = await run_in_threadpool(spend, caller.token_id)
        if refusal is not None:
            API_REFUSED.labels(reason=refusal.reason).inc()
            raise HTTPException(
                429,
                f"this token's {refusal.reason.replace('_', ' ')} is spent",
                headers={"Retry-After": str(refusal.retry_after)},
            )
        return caller.name

    return dependency
