"""Play Twilio's part: post a webhook signed exactly as Twilio signs it, then show the reply."""

from __future__ import annotations

import secrets
import time

import httpx
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from bot.db.models import InboundEvent, Reply
from bot.db.session import session_scope
from bot.settings import get_settings


def base_url(explicit: str = "") -> str:
    return (explicit or get_settings().public_base_url or "http://127.0.0.1:8000").rstrip("/")


def signed_post(url: str, params: dict[str, str], target: str | None = None) -> httpx.Response:
    """POST a form to `target` (default `url`), signed for `url` as Twilio would sign it."""
    signature = RequestValidator(get_settings().twilio_auth_token).compute_signature(url, params)
    return httpx.post(
        target or url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10
    )


def sms_params(sender: str, body: str, to: str, sid: str | None = None) -> dict[str, str]:
    settings = get_settings()
    return {
        "MessageSid": sid or "SM" + secrets.token_hex(16),
        "AccountSid": settings.twilio_account_sid or "AC" + "0" * 32,
        "From": sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }


def wait_for_reply(sid: str, timeout: float = 15.0) -> Reply | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope() as session:
            event = session.scalars(
                select(InboundEvent).where(InboundEvent.source_sid == sid)
            ).first()
            if event is not None and event.status == "done":
                reply = session.scalars(select(Reply).where(Reply.event_id == event.id)).first()
                if reply is None or reply.status not in ("queued", "sending"):
                    return reply
        time.sleep(0.2)
    return None


def simulate_sms(url: str, sender: str, body: str, to: str, wait: bool = True) -> int:
    params = sms_params(sender, body, to)
    target = base_url(url) + "/twilio/sms"
    started = time.monotonic()
    try:
        response = signed_post(target, params)
    except httpx.HTTPError as exc:
        print(
            f"cannot reach the bot at {target} ({exc.__class__.__name__}): is it running? "
            "Start it with `make run` or `scamline run`, or pass --url."
        )
        return 2
    print(
        f"POST {target} -> {response.status_code} in {1000 * (time.monotonic() - started):.0f} ms"
    )
    print(response.text)
    if response.status_code != 200:
        return 1
    if not wait:
        return 0
    reply = wait_for_reply(params["MessageSid"])
    elapsed = time.monotonic() - started
    if reply is None:
        print(f"no reply after {elapsed:.1f} s (is `scamline worker` running?)")
        return 1
    print(
        f"reply ({reply.status}, {reply.encoding}, {reply.segments} segment(s), {elapsed:.1f} s):"
    )
    print(reply.body)
    return 0
