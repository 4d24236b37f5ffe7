"""Build the reporter's reply from prompts: acknowledgement, the urgent steps when the reporter
may already have acted, advice for the family (or for an official number), and the question
"who sent it?" when needed. Always at most 2 SMS segments."""

from __future__ import annotations

from bot.domain.classifier import Classification, Verdict
from bot.domain.families import UNKNOWN
from bot.domain.language import Language
from bot.domain.numbers import Number, NumberType
from bot.domain.official import official_name
from bot.domain.segments import count_segments
from bot.prompts import has_prompt, render

MAX_SEGMENTS = 2


class ReplyTooLong(ValueError):
    pass


def display_number(number: Number) -> str:
    """How a French reader writes a number: `06 39 98 12 34`, `+44 7700 900614`, `AMELI`."""
    if number.number_type is NumberType.SENDER_NAME:
        # A sender name is the reporter's text: never let it read as a link in our SMS.
        return number.canonical.replace(".", "[.]")
    if number.number_type is NumberType.SHORT_CODE:
        return number.canonical
    if number.country == "FR" and number.canonical.startswith("+33"):
        national = "0" + number.canonical[3:]
        return " ".join(national[i : i + 2] for i in range(0, len(national), 2))
    import phonenumbers

    parsed = phonenumbers.parse(number.canonical, None)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


ACTED_KEY = "sms/advice/acted"
OFFICIAL_NUMBER_KEY = "sms/advice/official_number"
CAUTIOUS_KEY = "sms/advice/cautious"
GENUINE_SIGNS_KEY = "sms/advice/genuine_signs"


def advice_key(classification: Classification, reported: Number | None = None) -> str:
    """Which advice answers a report.

    - `sms/advice/<family>` for a family likely enough;
    - the official-number advice when the report names an official number and no scam was found
      ("is it really them?");
    - `genuine_signs` only with a positive sign of a genuine message, and never "it is safe";
    - otherwise `cautious`: the generic protective advice, never a reassuring one."""
    if classification.verdict is Verdict.SCAM and classification.family != UNKNOWN:
        return f"sms/advice/{classification.family}"
    if official_name(reported) is not None:
        return OFFICIAL_NUMBER_KEY
    if classification.verdict is Verdict.GENUINE_SIGNS:
        return GENUINE_SIGNS_KEY
    return CAUTIOUS_KEY


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


def _advice(
    lang: Language, classification: Classification, reported: Number | None, short: bool
) -> str:
    key = advice_key(classification, reported)
    if short and has_prompt(key + "_short", lang):
        key += "_short"
    if key.startswith(OFFICIAL_NUMBER_KEY) and reported is not None:
        return render(key, lang, number=display_number(reported), name=official_name(reported))
    return render(key, lang)


def report_reply(
    lang: Language, classification: Classification, reported: Number | None, ask_sender: bool
) -> str:
    """The one SMS that answers a new report.

    When the reporter may already have acted, the urgent steps (stop the card, Perceval, change
    passwords, complain) come first; the family advice is shortened, or left out, to make room."""
    received = render("sms/report/received", lang)
    ask = render("sms/report/ask_sender", lang) if ask_sender else ""
    acted = render(ACTED_KEY, lang) if classification.acted else ""
    return first_that_fits(
        (received, acted, _advice(lang, classification, reported, short=False), ask),
        (received, acted, _advice(lang, classification, reported, short=True), ask),
        (received, acted, ask),
    )


def sender_logged_reply(lang: Language, number: Number, reporter_count: int) -> str:
    """The short confirmation once the reporter has told us who sent it."""
    return fit(
        render(
            "sms/report/sender_logged",
            lang,
            number=display_number(number),
            reporter_count=reporter_count,
        )
    )


def family_advice(
    lang: Language, classification: Classification, reported: Number | None, short: bool
) -> str:
    """The advice part alone, for replies that open differently (a forwarded call was logged)."""
    return _advice(lang, classification, reported, short)
