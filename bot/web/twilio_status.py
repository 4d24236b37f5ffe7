"""POST /twilio/status: delivery callbacks, stored once each, applied in any order."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.concurrency import run_in_threadpool

from bot.db.session import session_scope
from bot.services.delivery import record_delivery_status
from bot.web.twilio_request import (
    STATUS_FORM,
    WEBHOOK_ERRORS,
    required_sid,
    required_status,
    signed_form,
    webhook_openapi,
)

router = APIRouter()


@router.post(
    "/twilio/status",
    response_class=Response,
    status_code=204,
    summary="Twilio message status callback",
    responses=WEBHOOK_ERRORS,
    openapi_extra=webhook_openapi(STATUS_FORM, ("MessageSid", "MessageStatus")),
)
async def message_status(form: dict[str, str] = Depends(signed_form)) -> Response:
    sid = required_sid(form, "MessageSid", "SmsSid")
    status = required_status(form, "MessageStatus", "SmsStatus")

    def apply() -> None:
        with session_scope() as session:
            record_delivery_status(session, sid, status, form)

    await run_in_threadpool(apply)
    return Response(status_code=204)
