"""Play Twilio's part in a phone call: post each step of the voice menu signed as Twilio signs it,
follow the <Gather> actions with the digits a caller would type, and print every TwiML answer.

The walk is written against a `post(path, params)` function, so the same code drives a running
bot over HTTP (`scamline simulate call`) and the app in-process in the tests.
"""

from __future__ import annotations

import secrets
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bot.settings import get_settings
from bot.simulate import (
    cannot_reach,
    explain,
    explain_refusal,
    find_target,
    post_webhook,
    wait_for_outcome,
)

Post = Callable[[str, dict[str, str]], tuple[int, str]]
MAX_STEPS = 12  # a menu that needs more than this is looping: stop and say so


@dataclass(frozen=True)
class Step:
    path: str
    sent: str | None  # the digits sent with this request, None for the first one or a redirect
    status: int
    twiml: str


def call_params(
    caller: str, to: str, sid: str, forwarded_from: str | None = None
) -> dict[str, str]:
    params = {
        "CallSid": sid,
        "AccountSid": get_settings().twilio_account_sid or "AC" + "0" * 32,
        "From": caller,
        "Caller": caller,
        "To": to,
        "Called": to,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
    }
    if forwarded_from:
        params["ForwardedFrom"] = forwarded_from
    return params


def _next_request(document: str, digits: str, confirm: str) -> tuple[str, str | None, str] | None:
    """Where Twilio would go next, what the caller types there and the key that ended it."""
    root = ET.fromstring(document)  # noqa: S314 - our own bot's answer
    for verb in root:
        if verb.tag == "Gather":
            if verb.get("numDigits") == "1":
                return verb.get("action", ""), confirm, ""
            return verb.get("action", ""), digits, verb.get("finishOnKey", "#")
        if verb.tag == "Redirect":
            return (verb.text or "").strip(), None, ""
        if verb.tag in ("Hangup", "Reject"):
            return None
    return None


def walk_call(
    post: Post,
    caller: str,
    digits: str,
    *,
    to: str = "+33700000000",
    forwarded_from: str | None = None,
    confirm: str = "1",
    sid: str | None = None,
) -> list[Step]:
    """Call the bot, type `digits` then # at the menu and `confirm` at the read-back."""
    params = call_params(caller, to, sid or "CA" + secrets.token_hex(16), forwarded_from)
    steps: list[Step] = []
    path, sent, finished_on = "/twilio/voice", None, ""
    while len(steps) < MAX_STEPS:
        form = dict(params)
        if sent is not None:
            form["Digits"] = sent
            form["FinishedOnKey"] = finished_on
        status, body = post(path, form)
        steps.append(Step(path, sent, status, body))
        if status != 200:
            break
        following = _next_request(body, digits, confirm)
        if following is None:
            break
        path, sent, finished_on = following
        params["CallStatus"] = "in-progress"
    return steps


def print_transcript(steps: list[Step]) -> None:
    for number, step in enumerate(steps, 1):
        typed = "" if step.sent is None else f"  digits sent: {step.sent or '(nothing)'}"
        print(f"--- step {number}: POST {step.path}{typed} -> {step.status}")
        print(step.twiml)


def http_poster(url: str = "") -> Post:
    target = find_target(url)

    def post(path: str, params: dict[str, str]) -> tuple[int, str]:
        response = post_webhook(target, path, params)
        if response.status_code != 200:
            print("\n".join(explain_refusal(response, target, path)))
        return response.status_code, response.text

    return post


def simulate_call(
    url: str,
    caller: str,
    digits: str,
    to: str,
    forwarded_from: str | None = None,
    wait: bool = True,
) -> int:
    sid = "CA" + secrets.token_hex(16)
    started = time.monotonic()
    try:
        steps = walk_call(
            http_poster(url), caller, digits, to=to, forwarded_from=forwarded_from, sid=sid
        )
    except httpx.HTTPError as exc:
        print(cannot_reach(find_target(url), exc))
        return 2
    print_transcript(steps)
    if not steps or steps[-1].status != 200 or "<Hangup" not in steps[-1].twiml:
        print("the call did not end with <Hangup/>")
        return 1
    if not wait:
        return 0
    outcome = wait_for_outcome(sid)
    status, lines = explain(outcome, time.monotonic() - started, what="SMS")
    if outcome.settled and outcome.reply is None and not outcome.opted_out:
        # A call ends with an SMS only when it made a report to answer.
        lines = ["no SMS for this call (number withheld, already told today, or no report)"]
    print("\n".join(lines))
    return status
