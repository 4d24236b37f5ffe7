"""POST /twilio/sms: verify, store, enqueue, answer. Nothing else happens on the request path."""

from __future__ import annotations

import asyncio
import logging
import weakref

import anyio
from fastapi import APIRouter, Depends, HTTPException, Response
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from bot.db.session import session_scope
from bot.domain.numbers import parse_phone
from bot.services.intake import record_inbound_event
from bot.web import metrics
from bot.web.twilio_request import (
    SMS_FORM,
    TWIML_OK,
    WEBHOOK_ERRORS,
    required_sid,
    signed_form,
    webhook_openapi,
)
from bot.web.twiml import empty_messaging_response
from workers.queues import enqueue_event

log = logging.getLogger(__name__)
router = APIRouter()

# Webhooks store and enqueue in threads. A few threads keep the database and Redis busy; more
# only fight over the GIL and open database connections past the pool, one per request.
STORE_THREADS = 8
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _limiter() -> anyio.CapacityLimiter:
    # One per event loop: a limiter belongs to the loop it was created in (tests run several).
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(STORE_THREADS)
    return limiter


def reporter_phone(raw: str) -> str | None:
    number = parse_phone(raw) if raw else None
    return number.canonical if number else (raw.strip() or None)


def store_and_enqueue(sid: str, kind: str, form: dict[str, str], phone: str | None) -> None:
    try:
        with session_scope() as session:
            event, created = record_inbound_event(session, sid, kind, form, phone)
            event_id = event.id
            pending = event.status == "received"
    except (OperationalError, SQLAlchemyError) as exc:
        # Answer 5xx so that Twilio calls the fallback URL: an acknowledged report is never lost.
        metrics.INTAKE_FAILURES.labels(reason="database").inc()
        log.error("intake: database unavailable (%s)", exc.__class__.__name__)
        raise HTTPException(503, "storage unavailable") from exc
    if not pending:
        return
    try:
        enqueue_event(event_id, sid)
    except RedisError as exc:
        # Stored is enough: the sweeper enqueues it once Redis answers again.
        metrics.INTAKE_FAILURES.labels(reason="redis").inc()
        log.warning(
            "intake: Redis unavailable (%s); event %s left to the sweeper",
            exc.__class__.__name__,
            event_id,
        )
    if created:
        metrics.EVENTS_RECEIVED.labels(kind=kind).inc()


@router.post(
    "/twilio/sms",
    response_class=Response,
    summary="Twilio inbound SMS webhook",
    responses={**TWIML_OK, **WEBHOOK_ERRORS},
    openapi_extra=webhook_openapi(SMS_FORM, ("MessageSid",)),
)
async def inbound_sms(form: dict[str, str] = Depends(signed_form)) -> Response:
    sid = required_sid(form, "MessageSid", "SmsSid")
    with metrics.WEBHOOK_LATENCY.labels(route="sms").time():
        await anyio.to_thread.run_sync(
            store_and_enqueue,
            sid,
            "sms",
            form,
            reporter_phone(form.get("From", "")),
            limiter=_limiter(),
        )
    return empty_messaging_response()
