"""The statuses and kinds the tables store, as enums whose values are the stored strings.

A `StrEnum` member is a `str`: it is written to the `String` columns as its value and compares
equal to what a row holds, so the data is exactly what it was before these existed (no
migration). Code names a status by its member; a misspelt member fails at import, a misspelt
string only at the wrong moment. tests/test_code_rules.py refuses a status or kind compared with
a string literal in bot/ and workers/.
"""

from __future__ import annotations

from enum import StrEnum


class EventStatus(StrEnum):
    """`inbound_events.status`: a webhook stored, then processed once."""

    RECEIVED = "received"  # stored, waiting for (or in) its job
    DONE = "done"
    FAILED = "failed"  # given up by the sweeper


class EventKind(StrEnum):
    """`inbound_events.kind`: which webhook stored the event."""

    SMS = "sms"
    VOICE_REPORT = "voice_report"  # a number typed and confirmed in the voice menu
    CALL_FORWARD = "call_forward"  # a call forwarded to the bot: the caller is the suspect


CALL_EVENT_KINDS = frozenset({EventKind.VOICE_REPORT, EventKind.CALL_FORWARD})


class ReplyStatus(StrEnum):
    """`replies.status`: ours until Twilio takes the message, then Twilio's own states."""

    QUEUED = "queued"  # waiting in our queue (the sweeper re-enqueues it when late)
    SENDING = "sending"  # claimed by a send job: an attempt may have reached Twilio
    # held back, never sent (bot.services.abuse.hold_back_reason)
    SUPPRESSED = "suppressed"  # the reporter opted out
    RATE_LIMITED = "rate_limited"  # over the reporter's hourly budget
    LOOP = "loop"  # an automated sender answering our replies
    # Twilio's states, from its answer and its status callbacks
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    SENT = "sent"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    DELIVERED = "delivered"
    READ = "read"


HELD_BACK = (ReplyStatus.SUPPRESSED, ReplyStatus.RATE_LIMITED, ReplyStatus.LOOP)
NOT_SENT_YET = (ReplyStatus.QUEUED, ReplyStatus.SENDING)


class ReplyKind(StrEnum):
    """`replies.kind`: what the reply answers."""

    KEYWORD = "keyword"  # STOP's silence aside, START, HELP and a language's keyword
    SENDER_LOGGED = "sender_logged"  # the answer to "who sent it?"
    ADVICE = "advice"  # the advice on a report, by SMS or by call
    FORWARD = "forward"  # the advice on a forwarded call
    LOOP_CONFIRMED = "loop_confirmed"  # "the number you reported is a confirmed scam"


class VettingStatus(StrEnum):
    """`numbers.status` and `domains.status`: the analysts' workflow, new → a verdict."""

    NEW = "new"
    INVESTIGATING = "investigating"
    CONFIRMED_SCAM = "confirmed_scam"
    LEGITIMATE = "legitimate"
    DISMISSED = "dismissed"


VERDICTS = (VettingStatus.CONFIRMED_SCAM, VettingStatus.LEGITIMATE, VettingStatus.DISMISSED)


class CorpusKind(StrEnum):
    """A corpus record's `kind`, only on `unknown` ones: what the message is, family aside."""

    GENUINE = "genuine"
    SCAM = "scam"  # a scam of no family the classifier knows
    UNCLEAR = "unclear"
