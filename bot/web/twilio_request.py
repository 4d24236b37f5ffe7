"""Read a Twilio webhook safely: size-limited, parsed as a form, signature checked by the SDK."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi import HTTPException, Request
from twilio.request_validator import RequestValidator

from bot.settings import get_settings


async def read_limited_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, "request body too large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, "request body too large")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_form(raw: bytes, max_fields: int) -> dict[str, str]:
    try:
        pairs = parse_qsl(
            raw.decode("utf-8", errors="replace"),
            keep_blank_values=True,
            max_num_fields=max_fields,
        )
    except ValueError as exc:
        raise HTTPException(400, "too many form fields") from exc
    form: dict[str, str] = {}
    for key, value in pairs:
        form[key] = value
    return form


def public_url(request: Request) -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL + path + query, never what a proxy passed on."""
    base = get_settings().public_base_url.rstrip("/")
    if not base:
        return str(request.url)
    query = request.url.query
    return f"{base}{request.url.path}" + (f"?{query}" if query else "")


def verify_signature(request: Request, form: dict[str, str]) -> None:
    signature = request.headers.get("x-twilio-signature", "")
    if not signature:
        raise HTTPException(403, "missing X-Twilio-Signature")
    validator = RequestValidator(get_settings().twilio_auth_token)
    if not validator.validate(public_url(request), form, signature):
        raise HTTPException(403, "invalid X-Twilio-Signature")


# Twilio SIDs are two letters and 32 hex digits. They become RQ job ids and unique keys, so
# anything else (punctuation, NUL, non-ASCII digits) is refused at the edge rather than crashing
# the enqueue or the database later.
_SID = re.compile(r"[A-Za-z0-9]{2,64}")
# Delivery and call states are short lower-case words: `delivered`, `in-progress`, `no-answer`.
_STATUS = re.compile(r"[a-z][a-z_-]{0,23}")


def required_sid(form: dict[str, str], *names: str) -> str:
    """The first of `names` present in the form, which must look like a Twilio SID (else 400)."""
    sid = next((form[name] for name in names if form.get(name)), "")
    if not _SID.fullmatch(sid):
        raise HTTPException(400, f"{names[0]} is required")
    return sid


def required_status(form: dict[str, str], *names: str) -> str:
    status = next((form[name] for name in names if form.get(name)), "").strip().lower()
    if not _STATUS.fullmatch(status):
        raise HTTPException(400, f"{names[0]} is required")
    return status


async def signed_form(request: Request) -> dict[str, str]:
    """The dependency every Twilio route uses."""
    settings = get_settings()
    raw = await read_limited_body(request, settings.max_body_bytes)
    form = parse_form(raw, settings.max_form_fields)
    verify_signature(request, form)
    return form
