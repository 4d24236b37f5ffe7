"""Build the reporter's reply from prompts: acknowledgement, the urgent steps when the reporter
may already have acted, the crowd's signal, advice for the family (or the answer to "is it
really them?" for an official number), and the question "who sent it?" when needed.

The advice is worded for the channel: a forwarded text gets the text's advice ("don't call the
number in the message"), a call the call's ("hang up"). Always at most 2 GSM-7 segments: the
longer wordings give way to the shorter ones, never the reverse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import phonenumbers

from bot.domain.classifier import Classification, Verdict
from bot.domain.families import UNKNOWN
from bot.domain.language import Language
from bot.domain.numbers import Number, NumberType
from bot.domain.official import official_name
from bot.domain.segments import count_segments
from bot.prompts import has_prompt, render

MAX_SEGMENTS = 2
Channel = Literal["sms", "call"]
Indicator = Literal["number", "sender", "link"]

ACTED_KEY = "sms/advice/acted"
OFFICIAL_NUMBER_KEY = "sms/advice/official_number"
CAUTIOUS_KEY = "sms/advice/cautious"
GENUINE_SIGNS_KEY = "sms/advice/genuine_signs"
CALL_ADVICE = "sms/advice/call/"


class ReplyTooLong(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class CrowdSignal:
    """What the crowd says of the reported number or link: how many people reported it, or that
    analysts confirmed it. Built only past the threshold, and never for a legitimate one."""

    what: Indicator
    count: int
    confirmed: bool = False


def display_number(number: Number) -> str:
    """How a French reader writes a number: `06 39 98 12 34`, `+44 7700 900614`, `AMELI`."""
    if number.number_type is NumberType.SENDER_NAME:
        # A sender name is the reporter's text: never let it read as a link in our SMS.
        return number.canonical.replace(".", "[.]")
    if number.number_type in (NumberType.SHORT_CODE, NumberType.INVALID):
        return number.canonical  # an invalid number has no format but the one it came in
    if number.country == "FR" and number.canonical.startswith("+33"):
        national = "0" + number.canonical[3:]
        return " ".join(national[i : i + 2] for i in range(0, len(national), 2))
    parsed = phonenumbers.parse(number.canonical, None)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def advice_key(classification: Classification, reported: Number | None = None) -> str:
    """Which advice answers a report (its text wording; `channel_key` gives the call's).

    - `sms/advice/<family>` for a family likely enough;
    - the official-number answer when the report names an official number and no scam family
      was found ("is it really them?");
    - `genuine_signs` only with a positive sign of a genuine message, and never "it is safe";
    - otherwise `cautious`: the generic protective advice, never a reassuring one."""
    if classification.verdict is Verdict.SCAM and classification.family != UNKNOWN:
        return f"sms/advice/{classification.family}"
    if official_name(reported) is not None:
        return OFFICIAL_NUMBER_KEY
    if classification.verdict is Verdict.GENUINE_SIGNS:
        return GENUINE_SIGNS_KEY
    return CAUTIOUS_KEY


def channel_key(key: str, channel: Channel, lang: Language) -> str:
    """The call's wording of an advice key, when there is one."""
    if channel == "call":
        call_key = CALL_ADVICE + key.rsplit("/", 1)[1]
        if has_prompt(call_key, lang):
            return call_key
    return key


def fit(*parts: str) -> str:
    """Join non-empty parts; refuse a text longer than the segment budget."""
    text = " ".join(p for p in parts if p)
    count = count_segments(text)
    if count.segments > MAX_SEGMENTS:
        raise ReplyTooLong(f"{count}: {text!r}")
    return text


def first_that_fits(*candidates: tuple[str, ...]) -> str:
    last_error: ReplyTooLong | None = None
    for parts in candidates:
        try:
            return fit(*parts)
        except ReplyTooLong as exc:
            last_error = exc
    assert last_error is not None
    raise last_error


def _render_advice(key: str, lang: Language, reported: Number | None, short: bool) -> str:
    if short and has_prompt(key + "_short", lang):
        key += "_short"
    if key.endswith(("official_number", "official_number_short")) and reported is not None:
        return render(key, lang, number=display_number(reported), name=official_name(reported))
    return render(key, lang)


def _advice_variants(
    lang: Language, classification: Classification, reported: Number | None, channel: Channel
) -> list[str]:
    """The advice part, from its longest wording to its shortest (and none at all)."""
    key = channel_key(advice_key(classification, reported), channel, lang)
    variants = [_render_advice(key, lang, reported, short) for short in (False, True)]
    if key.endswith("official_number") or official_name(reported) is None:
        return [*variants, ""]
    # A scam family that names an official number: "it is really their number, but spoofed"
    # first, then the family's advice if there is room.
    official = channel_key(OFFICIAL_NUMBER_KEY, channel, lang)
    answer = [_render_advice(official, lang, reported, short) for short in (False, True)]
    return [
        f"{answer[0]} {variants[1]}",
        f"{answer[1]} {variants[1]}",
        answer[0],
        answer[1],
    ]


def crowd_line(lang: Language, crowd: CrowdSignal | None) -> str:
    if crowd is None:
        return ""
    return render(
        "sms/report/crowd", lang, what=crowd.what, count=crowd.count, confirmed=crowd.confirmed
    )


def report_reply(
    lang: Language,
    classification: Classification,
    reported: Number | None,
    ask_sender: bool,
    channel: Channel = "sms",
    crowd: CrowdSignal | None = None,
) -> str:
    """The one SMS that answers a new report.

    When the reporter may already have acted, the urgent steps (stop the card, Perceval, change
    passwords, complain) come first. The crowd's signal is kept whatever the length: the advice
    is shortened to make room. An official number named as the sender needs no question."""
    received = render("sms/report/received", lang)
    ask_sender = ask_sender and official_name(reported) is None
    ask = render("sms/report/ask_sender", lang) if ask_sender else ""
    acted = [""]
    if classification.acted:
        acted = [render(ACTED_KEY, lang), render(ACTED_KEY + "_short", lang)]
    crowd_text = crowd_line(lang, crowd)
    advice = _advice_variants(lang, classification, reported, channel)
    return first_that_fits(
        *((received, urgent, crowd_text, part, ask) for urgent in acted for part in advice)
    )


def sender_logged_reply(lang: Language, number: Number, crowd: CrowdSignal | None) -> str:
    """The short confirmation once the reporter has told us who sent it."""
    return fit(
        render(
            "sms/report/sender_logged",
            lang,
            number=display_number(number),
            crowd=crowd_line(lang, crowd),
        )
    )


def family_advice(
    lang: Language,
    classification: Classification,
    reported: Number | None,
    short: bool,
    channel: Channel = "sms",
) -> str:
    """The advice part alone, for replies that open differently (a forwarded call was logged)."""
    key = channel_key(advice_key(classification, reported), channel, lang)
    return _render_advice(key, lang, reported, short)
