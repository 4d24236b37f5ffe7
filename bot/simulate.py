"""Play Twilio's part: post a webhook signed exactly as Twilio signs it, then show the reply and,
when there is none or it was held back, say why.

The bot is found at --url, else SCAMLINE_URL, else the one `scamline run` started (its run file,
see bot.runfile), else PUBLIC_BASE_URL, else http://127.0.0.1:8000. Webhooks are signed for
PUBLIC_BASE_URL when it is set, since that is the URL the bot checks signatures against.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator

from bot.db.models import InboundEvent, Reply, Reporter
from bot.db.session import session_scope
from bot.domain.statuses import NOT_SENT_YET, EventStatus, ReplyStatus
from bot.runfile import read_run_info, run_file
from bot.services.abuse import LOOP_ANSWER_DELAY, LOOP_EXCHANGES, LOOP_WINDOW
from bot.settings import DEV_TWILIO_AUTH_TOKEN, get_settings

DEFAULT_URL = "http://127.0.0.1:8000"
# Replies that Twilio took or the outbox logged: what a reporter gets.
HANDED_OVER = ("outbox", "accepted", "sent", "delivered")


@dataclass(frozen=True)
class Target:
    base: str  # where the requests go
    source: str  # where that URL came from, to say so when it is the wrong one
    signed_base: str  # the base URL the signature is computed over


def find_target(explicit: str = "") -> Target:
    settings = get_settings()
    running = read_run_info(settings.var_dir)
    if explicit:
        base, source = explicit, "--url"
    elif settings.scamline_url:
        base, source = settings.scamline_url, "SCAMLINE_URL"
    elif running is not None:
        base = running.url
        source = f"the `scamline run` of {run_file(settings.var_dir)}, pid {running.pid}"
    elif settings.public_base_url:
        base, source = settings.public_base_url, "PUBLIC_BASE_URL"
    else:
        base, source = DEFAULT_URL, "the default; no `scamline run` found"
    base = base.rstrip("/")
    return Target(base, source, settings.public_base_url.rstrip("/") or base)


def signed_post(url: str, params: dict[str, str], target: str | None = None) -> httpx.Response:
    """POST a form to `target` (default `url`), signed for `url` as Twilio would sign it."""
    signature = RequestValidator(get_settings().twilio_auth_token).compute_signature(url, params)
    return httpx.post(
        target or url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10
    )


def post_webhook(target: Target, path: str, params: dict[str, str]) -> httpx.Response:
    return signed_post(target.signed_base + path, params, target.base + path)


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


@dataclass(frozen=True)
class ReplySeen:
    status: str
    encoding: str
    segments: int
    body: str
    error: str | None


@dataclass(frozen=True)
class Outcome:
    """What became of one inbound webhook, as the database tells it."""

    event_status: str | None  # None: not in the database this command reads
    reply: ReplySeen | None
    opted_out: bool  # the reporter has sent STOP

    @property
    def settled(self) -> bool:
        if self.event_status is None or self.event_status == EventStatus.RECEIVED:
            return False
        return self.reply is None or self.reply.status not in NOT_SENT_YET


def read_outcome(sid: str) -> Outcome:
    with session_scope() as session:
        event = session.scalars(select(InboundEvent).where(InboundEvent.source_sid == sid)).first()
        if event is None:
            return Outcome(None, None, False)
        reply = session.scalars(
            select(Reply).where(Reply.event_id == event.id).order_by(Reply.id)
        ).first()
        reporter = (
            session.scalars(
                select(Reporter).where(Reporter.pseudonym == event.reporter_pseudonym)
            ).first()
            if event.reporter_pseudonym
            else None
        )
        seen = None
        if reply is not None:
            error = " ".join(filter(None, (reply.error_code, reply.error_message))) or None
            seen = ReplySeen(reply.status, reply.encoding, reply.segments, reply.body, error)
        return Outcome(event.status, seen, bool(reporter and reporter.opted_out))


def wait_for_outcome(sid: str, timeout: float = 15.0) -> Outcome:
    deadline = time.monotonic() + timeout
    outcome = read_outcome(sid)
    while not outcome.settled and time.monotonic() < deadline:
        time.sleep(0.2)
        outcome = read_outcome(sid)
    return outcome


def held_back_note(status: str) -> str | None:
    """Why a stored reply was not sent, for the statuses that mean it was held back."""
    if status == ReplyStatus.SUPPRESSED:
        return (
            "not sent: this reporter opted out (STOP or ARRET). The bot sends them nothing "
            "until they send START; their reports are still stored."
        )
    if status == ReplyStatus.RATE_LIMITED:
        limit = get_settings().reporter_replies_per_hour
        return (
            "not sent: the per-reporter reply limit. This number already got "
            f"REPORTER_REPLIES_PER_HOUR ({limit}) replies in the last hour; its reports are "
            "still stored. Simulate from another --from, or wait."
        )
    if status == ReplyStatus.LOOP:
        minutes = int(LOOP_WINDOW.total_seconds() // 60)
        return (
            "not sent: the bot-loop guard (bot/services/abuse.py). This number answered the "
            f"bot's last {LOOP_EXCHANGES} replies within {LOOP_ANSWER_DELAY.seconds} s each, as "
            "an auto-responder does, so the bot stops answering it until fewer than "
            f"{LOOP_EXCHANGES} of its replies were sent in the last {minutes} minutes. Its "
            "reports are still stored. Quick simulations from one number look just like that: "
            "use another --from, or wait."
        )
    return None


def _not_processed(outcome: Outcome, elapsed: float, what: str) -> list[str]:
    settings = get_settings()
    running = read_run_info(settings.var_dir)
    if outcome.event_status is None:
        here = make_url(settings.database_url).render_as_string(hide_password=True)
        there = f" (`scamline run` uses {running.database})" if running else ""
        return [
            f"the bot took the webhook, but it is not in the database this command reads "
            f"({here}): the bot writes to another one{there}. Give this command the bot's "
            "DATABASE_URL."
        ]
    if outcome.event_status == EventStatus.RECEIVED:
        there = f" (`scamline run` uses Redis {running.redis})" if running else ""
        return [
            f"no {what} after {elapsed:.1f} s: the report is stored, but no worker has processed "
            "it. Is a worker running (`scamline worker`; `scamline run` starts one) on the bot's "
            f"Redis{there}?"
        ]
    return [
        f"the {what} is stored but still waiting to be sent after {elapsed:.1f} s: is the "
        f"worker running, and Twilio answering at {settings.twilio_api_base_url}?"
    ]


def explain(outcome: Outcome, elapsed: float, what: str = "reply") -> tuple[int, list[str]]:
    """What to print about the bot's answer to one webhook, and the exit status."""
    if not outcome.settled:
        return 1, _not_processed(outcome, elapsed, what)
    if outcome.event_status == EventStatus.FAILED:
        return 1, ["the worker failed to process this report; see its log"]
    reply = outcome.reply
    if reply is None:
        if outcome.opted_out:
            return 0, [
                f"no {what}, as expected: this reporter opted out (STOP or ARRET), so the bot "
                "sends them nothing, not even a confirmation, until they send START. Nothing is "
                "wrong with the worker."
            ]
        return 0, [f"no {what}: the bot processed this message and had nothing to answer"]
    counts = f"{reply.encoding}, {reply.segments} segment(s), {elapsed:.1f} s"
    lines = [f"{what} ({reply.status}, {counts}):", reply.body]
    note = held_back_note(reply.status)
    if note is not None:
        return 0, [*lines, note]
    if reply.status not in HANDED_OVER:
        return 1, [*lines, f"not delivered: Twilio answered {reply.error or reply.status}"]
    return 0, lines


def explain_refusal(response: httpx.Response, target: Target, path: str) -> list[str]:
    """Why the bot refused a webhook, and what to check."""
    status = response.status_code
    if status == 403:
        settings = get_settings()
        token = (
            "the development default"
            if settings.twilio_auth_token == DEV_TWILIO_AUTH_TOKEN
            else "the TWILIO_AUTH_TOKEN set here"
        )
        return [
            "403: the bot refused the signature. It checks X-Twilio-Signature with its "
            "TWILIO_AUTH_TOKEN over its PUBLIC_BASE_URL + path (or, when unset, the URL it was "
            "called at).",
            f"This command signed {target.signed_base}{path} (PUBLIC_BASE_URL "
            f"{settings.public_base_url or 'unset here'}) with {token}. Give it the bot's "
            "PUBLIC_BASE_URL and TWILIO_AUTH_TOKEN (environment or .env), and check that "
            f"{target.base} ({target.source}) is the bot you mean (--url, SCAMLINE_URL).",
        ]
    if status == 404:
        return [
            f"404: nothing answers {path} at {target.base} ({target.source}): is that a Scamline "
            "bot? Pass --url or set SCAMLINE_URL."
        ]
    if status == 503:
        return ["503: the bot could not store the report (its database is unreachable)."]
    return [f"{status}: the bot refused the webhook."]


def cannot_reach(target: Target, exc: Exception) -> str:
    return (
        f"cannot reach the bot at {target.base} ({target.source}; {exc.__class__.__name__}): "
        "is it running? Start it with `make run` or `scamline run`, or pass --url or set "
        "SCAMLINE_URL."
    )


def simulate_sms(url: str, sender: str, body: str, to: str, wait: bool = True) -> int:
    params = sms_params(sender, body, to)
    target = find_target(url)
    path = "/twilio/sms"
    started = time.monotonic()
    try:
        response = post_webhook(target, path, params)
    except httpx.HTTPError as exc:
        print(cannot_reach(target, exc))
        return 2
    print(
        f"POST {target.base}{path} -> {response.status_code} in "
        f"{1000 * (time.monotonic() - started):.0f} ms"
    )
    print(response.text)
    if response.status_code != 200:
        print("\n".join(explain_refusal(response, target, path)))
        return 1
    if not wait:
        return 0
    outcome = wait_for_outcome(params["MessageSid"])
    status, lines = explain(outcome, time.monotonic() - started)
    print("\n".join(lines))
    return status
