"""Bearer-token authentication for /api/v1."""

from __future__ import annotations

from fastapi import Depends, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from bot.db.session import session_scope
from bot.services.api_tokens import check_token

_bearer = HTTPBearer(auto_error=False)


class ErrorOut(BaseModel):
    detail: str


# Documented on every /api/v1 route, so clients (and the schema checks) know these answers.
UNAUTHORIZED: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Missing, invalid or revoked bearer token"}
}
NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut, "description": "Not found"}
}


async def require_token(
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(401, "bearer token required", headers={"WWW-Authenticate": "Bearer"})

    def check() -> str | None:
        with session_scope() as session:
            record = check_token(session, credentials.credentials)
            return record.name if record else None

    name = await run_in_threadpool(check)
    if name is None:
        raise HTTPException(401, "invalid token", headers={"WWW-Authenticate": "Bearer"})
    return name
