"""Send stored replies through Twilio, each at most once.

The sending state is written by bot.services.sending, in the order that makes it safe: a job's
replies are committed as `sending` (claimed) before any HTTP call, and each Twilio SID is
committed as soon as Twilio answers. If a worker dies in between, the next attempt finds
`sending` without a SID and asks Twilio whether the message exists before it sends anything.
This module makes one call: to Twilio, paced; workers/in_flight.py keeps many in flight.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from twilio.base.exceptions import TwilioRestException

from bot.domain.statuses import ReplyStatus
from bot.queueing.connections import get_redis
from bot.services import sending
from bot.services.sending import Claim
from bot.settings import get_settings
from workers.pacing import SendPacer
from workers.twilio_client import twilio_client

log = logging.getLogger(__name__)

# Twilio error codes that no retry can fix.
PERMANENT_ERRORS = {21211, 21212, 21408, 21610, 21612, 21614, 21617, 30003, 30004, 30005, 30006}


class TransientSendError(RuntimeError):
    """Twilio was busy or failing and did not take the message: the reply is `queued` again."""


class ClaimLost(RuntimeError):
    """The claim's lease ran out while the reply waited for the pacer, and another claim took it
    (or its answer is stored): this sender leaves it alone."""


def sender_pacer() -> SendPacer:
    """The pacer of this deployment's sender: its messaging service, number, or one default."""
    settings = get_settings()
    key = settings.twilio_messaging_service_sid or settings.twilio_sender or "default"
    return SendPacer(get_redis(), key, settings.sender_rate_per_second)


def _already_sent(reply_id: int, to: str, body: str) -> str | None:
    """After a crash mid-send: did Twilio take the message? Look it up instead of resending."""
    started = sending.attempt_started_at(reply_id)
    if started is None:
        return None
    settings = get_settings()
    messages = twilio_client().messages.list(
        to=to, date_sent_after=started - timedelta(minutes=1), limit=50
    )
    candidates = [
        message.sid
        for message in messages
        if message.sid
        and message.body == body
        and (not settings.twilio_sender or message.from_ in (None, settings.twilio_sender))
    ]
    # A SID that another reply holds is not this one's.
    return sending.first_unclaimed_sid(candidates) if candidates else None


def deliver(claim: Claim) -> str:
    """Send one claimed reply through Twilio, paced, and store Twilio's answer at once.

    Raises TransientSendError when Twilio turned the message away for now (429, 5xx), ClaimLost
    when the lease ran out before the call, and whatever the call raised when no answer came (a
    timeout, a dropped connection): the message may then exist, and the reply stays `sending`
    for a later claim to ask Twilio."""
    settings = get_settings()
    reply_id, to, body = claim.reply_id, claim.to, claim.body
    if claim.previous_state == ReplyStatus.SENDING:
        sid = _already_sent(reply_id, to, body)
        if sid is not None:
            sending.record_found_sent(reply_id, sid)
            return "found already sent"

    options: dict[str, str] = {"to": to, "body": body}
    if settings.twilio_messaging_service_sid:
        options["messaging_service_sid"] = settings.twilio_messaging_service_sid
    else:
        options["from_"] = settings.twilio_sender
    if settings.public_base_url:
        options["status_callback"] = settings.public_base_url.rstrip("/") + "/twilio/status"
    try:
        with sender_pacer().permit():
            if not sending.renew_claim(claim):
                raise ClaimLost(f"reply {reply_id}: another claim holds it")
            message = twilio_client().messages.create(**options)
    except TwilioRestException as exc:
        code = exc.code or 0
        if code in PERMANENT_ERRORS or (400 <= exc.status < 500 and exc.status != 429):
            log.warning("reply %s refused by Twilio: %s %s", reply_id, exc.status, code)
            sending.record_refused(reply_id, str(code or exc.status), str(exc.msg)[:500])
            return "failed"
        # Twilio answered with an error, so it did not create the message: safe to retry.
        sending.record_for_retry(reply_id, str(code or exc.status))
        raise TransientSendError(f"Twilio {exc.status} {code}") from exc
    sending.record_accepted(reply_id, message.sid, message.status)
    log.info("reply %s sent as %s", reply_id, message.sid)
    return message.sid or "sent"
