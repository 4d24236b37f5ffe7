"""Liveness, readiness and metrics."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Header, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot.db.session import get_engine
from bot.queueing.connections import get_redis
from bot.settings import get_settings
from bot.web.metrics import scrape_registry

router = APIRouter()


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _check_database() -> str:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def _check_redis() -> str:
    try:
        get_redis().ping()
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


_READY = {
    "type": "object",
    "properties": {
        "status": {"type": "string"},
        "checks": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["status", "checks"],
}


@router.get(
    "/readyz",
    summary="The database and Redis answer",
    responses={
        200: {"description": "Ready", "content": {"application/json": {"schema": _READY}}},
        503: {
            "description": "A dependency is down",
            "content": {"application/json": {"schema": _READY}},
        },
    },
)
async def readyz() -> JSONResponse:
    checks = {
        "database": await run_in_threadpool(_check_database),
        "redis": await run_in_threadpool(_check_redis),
    }
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


def _scraper_allowed(authorization: str) -> bool:
    """METRICS_TOKEN, when set, is asked of every scrape; in production it must be set (the
    metrics tell how busy the bot is and how many reports each family has)."""
    settings = get_settings()
    if not settings.metrics_token:
        return not settings.is_production
    expected = f"Bearer {settings.metrics_token}"
    return hmac.compare_digest(authorization.encode(), expected.encode())


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        401: {"description": "METRICS_TOKEN is set and this scrape does not carry it"},
    },
)
def metrics(authorization: str = Header("", max_length=512)) -> Response:
    if not _scraper_allowed(authorization):
        return Response(
            "metrics need the bearer METRICS_TOKEN\n",
            status_code=401,
            media_type="text/plain",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Response(generate_latest(scrape_registry()), media_type=CONTENT_TYPE_LATEST)
