"""POST /twilio/sms: verify, store, enqueue, answer. Nothing else happens on the request path."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from bot.domain.statuses import EventKind
from bot.services.intake import Inbound
from bot.web.intake_writer import store_inbound
from bot.web.twilio_request import (
    SMS_FORM,
    TWIML_OK,
    WEBHOOK_ERRORS,
    required_sid,
    signed_form,
    webhook_openapi,
)
from bot.web.twiml import empty_messaging_response

router = APIRouter()


def posted_number(raw: str) -> str | None:
    """The reporter's number as Twilio posted it. The worker makes it canonical and derives the
    pseudonym (`identify_reporter`): phonenumbers has no place on the request path."""
    return raw.strip() or None


@router.post(
    "/twilio/sms",
    response_class=Response,
    summary="Twilio inbound SMS webhook",
    responses={**TWIML_OK, **WEBHOOK_ERRORS},
    openapi_extra=webhook_openapi(SMS_FORM, ("MessageSid",)),
)
async def inbound_sms(request: Request) -> Response:
    # The busiest route reads its form itself rather than through `Depends`: FastAPI's
    # dependency solver costs more per request than the signature check it would call.
    form = await signed_form(request)
    sid = required_sid(form, "MessageSid", "SmsSid")
    await store_inbound(
        Inbound(sid, EventKind.SMS, form, posted_number(form.get("From", ""))), "sms"
    )
    return empty_messaging_response()
