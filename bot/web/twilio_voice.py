"""POST /twilio/voice and its steps: a keypad menu to report the number that called, and calls
forwarded to the bot. Like SMS, each request is signature-checked; a report is stored (unique on
the CallSid) and enqueued with only its id before the answer; the worker does the rest."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.concurrency import run_in_threadpool

from bot.db.session import session_scope
from bot.domain.language import DEFAULT_LANGUAGE, LANGUAGES, Language, next_language
from bot.domain.numbers import parse_phone, reporter_number
from bot.domain.statuses import EventKind
from bot.domain.voice import MAX_RETRIES, is_hidden, is_withheld, number_from_digits
from bot.security.pseudonyms import pseudonym
from bot.services import reporters as reporter_service
from bot.services.call_status import record_call_status
from bot.services.intake import Inbound
from bot.web import voice_twiml
from bot.web.intake_writer import store_inbound
from bot.web.twilio_request import (
    CALL_FORM,
    TWIML_OK,
    WEBHOOK_ERRORS,
    required_sid,
    required_status,
    signed_form,
    webhook_openapi,
)
from bot.web.twilio_sms import posted_number
from bot.web.twiml import twiml

router = APIRouter()

CALL_DOCS: dict[str, Any] = {
    "responses": {**TWIML_OK, **WEBHOOK_ERRORS},
    "openapi_extra": webhook_openapi(CALL_FORM, ("CallSid",)),
}

LangParam = Query(DEFAULT_LANGUAGE, pattern=f"^({'|'.join(LANGUAGES)})$")
AttemptParam = Query(0, ge=0, le=MAX_RETRIES)


def call_sid(form: dict[str, str]) -> str:
    return required_sid(form, "CallSid")


def caller_phone(form: dict[str, str]) -> str | None:
    """The caller's number when we could text them back; None when withheld."""
    raw = form.get("From", "")
    return None if is_withheld(raw) else posted_number(raw)


def _retry_or_give_up(
    lang: Language,
    attempt: int,
    preface: list[str],
    again: Literal["menu", "readback"],
    n: str = "",
    switched: bool = False,
) -> Response:
    """Another chance while any is left, else a polite goodbye: a caller never loops forever."""
    if attempt >= MAX_RETRIES:
        return twiml(voice_twiml.give_up(lang, preface))
    number = parse_phone(n) if again == "readback" else None
    if number is not None:
        return twiml(voice_twiml.readback(lang, number, attempt + 1, preface))
    return twiml(voice_twiml.menu(lang, attempt + 1, preface, switched=switched))


@router.post(
    "/twilio/voice", response_class=Response, summary="Twilio inbound call webhook", **CALL_DOCS
)
async def inbound_call(form: dict[str, str] = Depends(signed_form)) -> Response:
    sid = call_sid(form)
    if form.get("ForwardedFrom", "").strip():
        return await _forwarded(sid, form)
    preface = ["voice/welcome"]
    if caller_phone(form) is None:
        preface.append("voice/withheld")
    return twiml(voice_twiml.menu(DEFAULT_LANGUAGE, 0, preface))


async def _forwarded(sid: str, form: dict[str, str]) -> Response:
    """The forwarder reports; `From` is the suspect, as received (the worker logs it even when it
    is not a valid number), or withheld (then logged as an event only)."""
    forwarder = form.get("ForwardedFrom", "")
    reporter = None if is_withheld(forwarder) else posted_number(forwarder)
    suspect = "" if is_hidden(form.get("From")) else form.get("From", "").strip()
    params = {**form, "Suspect": suspect}
    await store_inbound(Inbound(sid, EventKind.CALL_FORWARD, params, reporter), "voice")
    return twiml(voice_twiml.forwarded_call())


@router.post(
    "/twilio/voice/number", response_class=Response, summary="Voice menu: typed number", **CALL_DOCS
)
async def typed_number(
    form: dict[str, str] = Depends(signed_form),
    lang: Language = LangParam,
    attempt: int = AttemptParam,
    sw: int = Query(0, ge=0, le=1),
) -> Response:
    call_sid(form)
    digits = form.get("Digits", "").strip()
    if digits == voice_twiml.SWITCH_KEY and not sw:
        return twiml(voice_twiml.menu(next_language(lang), attempt, [], switched=True))
    if not digits:
        return _retry_or_give_up(lang, attempt, ["voice/no_input"], "menu", switched=bool(sw))
    number = number_from_digits(digits)
    if number is None:
        preface = ["voice/invalid_number"]
        return _retry_or_give_up(lang, attempt, preface, "menu", switched=bool(sw))
    return twiml(voice_twiml.readback(lang, number, attempt, []))


@router.post(
    "/twilio/voice/confirm", response_class=Response, summary="Voice menu: confirm", **CALL_DOCS
)
async def confirm_number(
    form: dict[str, str] = Depends(signed_form),
    lang: Language = LangParam,
    attempt: int = AttemptParam,
    n: str = Query("", max_length=20),
) -> Response:
    sid = call_sid(form)
    number = parse_phone(n)
    if number is None:
        return twiml(voice_twiml.give_up(lang, ["voice/invalid_number"]))
    digits = form.get("Digits", "").strip()
    if digits == voice_twiml.RETYPE_KEY:
        return _retry_or_give_up(lang, attempt, [], "menu")
    if digits != voice_twiml.CONFIRM_KEY:
        preface = ["voice/not_understood" if digits else "voice/no_input"]
        return _retry_or_give_up(lang, attempt, preface, "readback", n)
    reporter = caller_phone(form)
    params = {**form, "ReportedNumber": number.canonical, "Language": lang}
    await store_inbound(Inbound(sid, EventKind.VOICE_REPORT, params, reporter), "voice")
    follow = "none" if reporter is None else await run_in_threadpool(_sms_follow, reporter)
    return twiml(voice_twiml.recorded(lang, number, follow))


def _sms_follow(phone: str) -> voice_twiml.SmsFollow:
    """Whether the caller will get the advice by SMS: not after STOP (until START)."""
    number = reporter_number(phone)
    if number is None:
        return "none"
    with session_scope() as session:
        opted_out = reporter_service.is_opted_out(session, pseudonym(number))
    return "opted_out" if opted_out else "sms"


@router.post(
    "/twilio/voice/status",
    response_class=Response,
    status_code=204,
    summary="Twilio call status callback",
    responses=WEBHOOK_ERRORS,
    openapi_extra=webhook_openapi({**CALL_FORM}, ("CallSid", "CallStatus")),
)
async def call_status(form: dict[str, str] = Depends(signed_form)) -> Response:
    sid = call_sid(form)
    status = required_status(form, "CallStatus")

    def apply() -> None:
        with session_scope() as session:
            record_call_status(session, sid, status, form)

    await run_in_threadpool(apply)
    return Response(status_code=204)
