"""Read a Twilio webhook safely: size-limited, parsed as a form, signature checked by the SDK."""

from __future__ import annotations

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
    settings = get_settings()
    tokens = [settings.twilio_auth_token, settings.twilio_previous_auth_token]
    url = public_url(request)
    if not any(RequestValidator(token).validate(url, form, signature) for token in tokens if token):
        raise HTTPException(403, "invalid X-Twilio-Signature")


async def signed_form(request: Request) -> dict[str, str]:
    """The dependency every Twilio route uses."""
    settings = get_settings()
    raw = await read_limited_body(request, settings.max_body_bytes)
    form = parse_form(raw, settings.max_form_fields)
    verify_signature(request, form)
    return form
