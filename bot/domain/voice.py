"""What the voice menu needs to decide, free of FastAPI and Twilio: withheld callers, the number a
caller types on the keypad, how it is read back, and which spoken advice fits a number type."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.language import Language
from bot.domain.numbers import Number, NumberType, parse_as_received, parse_phone
from bot.prompts import render

# A caller gets the first try plus at most this many more chances, then a polite goodbye.
MAX_RETRIES = 2
# The day used for "at most one SMS per suspect per reporter per day" is the reporters' day.
REPORTERS_TZ = ZoneInfo("Europe/Paris")

# How Twilio and carriers spell a withheld caller ID. `+266696687` is Twilio's placeholder (it
# spells ANONYMOUS on a keypad); `+7378742833` spells RESTRICTED.
_WITHHELD = frozenset(
    {
        "",
        "anonymous",
        "restricted",
        "unknown",
        "private",
        "blocked",
        "unavailable",
        "+266696687",
        "266696687",
        "+7378742833",
        "+86282452253",
        "+8656696",
    }
)
_DTMF_NUMBER = re.compile(r"\d{6,17}")

# Spoken advice for a called number, by its type. Types with no special advice share `general`.
_ADVICE_BY_TYPE = {
    NumberType.PREMIUM: "premium",
    NumberType.SPECIAL: "special",
    NumberType.FOREIGN: "foreign",
    NumberType.MOBILE: "mobile",
    NumberType.VOIP: "voip",
    NumberType.AUTOMATED: "automated",
}


def is_hidden(raw: str | None) -> bool:
    """True when the caller ID is one of the ways a withheld number is spelled."""
    return (raw or "").strip().lower() in _WITHHELD


def is_withheld(raw: str | None) -> bool:
    """True when the caller ID is hidden, or is not a phone number we could text back."""
    return is_hidden(raw) or parse_phone((raw or "").strip()) is None


def suspect_number(raw: str | None) -> Number | None:
    """Who called, in a call forwarded to the bot: None when withheld, else the caller ID as
    received, valid or not (a spoofed or malformed caller ID is what analysts need to see)."""
    return None if is_hidden(raw) else parse_as_received(raw or "")


def number_from_digits(digits: str | None) -> Number | None:
    """The number typed on the keypad: `0639981234`, `00225...`, or None when impossible.

    Only digits count (a `*` is a mistyped key, not part of a number); French numbers must fit the
    numbering plan, foreign ones must be possible numbers for their country.
    """
    typed = (digits or "").strip().rstrip("#")
    if not _DTMF_NUMBER.fullmatch(typed):
        return None
    return parse_phone(typed)


def spoken_digits(number: Number, lang: Language) -> str:
    """Digit by digit, in pairs for a French number (`zéro six, trois neuf, ...`).

    Digit by digit because a keypad number is checked digit by digit; the pairs keep the rhythm
    French readers know. Words come from `voice/digits` and `voice/plus`.
    """
    words = render("voice/digits", lang).split()
    if len(words) != 10:
        raise ValueError("voice/digits must list ten words, zero to nine")
    if number.country == "FR" and number.canonical.startswith("+33"):
        digits = "0" + number.canonical[3:]
        groups = [digits[i : i + 2] for i in range(0, len(digits), 2)]
        prefix: list[str] = []
    else:
        digits = number.canonical.lstrip("+")
        groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
        prefix = [render("voice/plus", lang)]
    spoken = [" ".join(words[int(d)] for d in group) for group in groups]
    return ", ".join(prefix + spoken)


def advice_key(number: Number) -> str:
    return f"voice/advice/{_ADVICE_BY_TYPE.get(number.number_type, 'general')}"


def reporters_day(moment: datetime) -> date:
    return moment.astimezone(REPORTERS_TZ).date()
