"""Times and numbers as a French analyst reads them.

Times are stored in UTC and shown in Paris time with the zone ("07/12/2026 09:45 CET"). A French
number is shown in its national format (`06 39 98 77 55`) with its E.164 form on hover; a foreign
one in international format (`+44 7700 900614`); short codes and sender names as they are. Links
and the API keep the canonical key (E.164, short code digits, or the upper-cased sender name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal
from markupsafe import Markup

from bot.domain.advice import display_number
from bot.domain.numbers import NumberType, parse_phone
from bot.web.console.i18n import Lang

PARIS = ZoneInfo("Europe/Paris")

Kind = Literal["phone", "short_code", "sender_name"]


def local_time(moment: datetime) -> datetime:
    """A stored moment (naive values are UTC, as SQLite returns them) in Paris time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS)


def format_moment(moment: datetime, lang: Lang) -> str:
    local = local_time(moment)
    zone = local.strftime("%Z")  # CET or CEST
    if lang == "fr":
        return f"{local:%d/%m/%Y %H:%M} {zone}"
    # English readers meet day-first numeric dates as ambiguous: the month is spelled out.
    return f"{format_datetime(local, 'd MMM yyyy HH:mm', locale='en')} {zone}"


def time_tag(moment: datetime | None, lang: Lang) -> Markup:
    """`<time datetime="...Z">07/12/2026 09:45 CET</time>`, or a dash for no time."""
    if moment is None:
        return Markup("—")
    utc = local_time(moment).astimezone(UTC)
    return Markup('<time datetime="{}">{}</time>').format(
        utc.strftime("%Y-%m-%dT%H:%M:%SZ"), format_moment(moment, lang)
    )


def decimal_text(value: float, lang: Lang, digits: int = 1) -> str:
    """`1,5` in French, `1.5` in English."""
    pattern = "0." + "#" * digits if digits else "0"
    return format_decimal(value, pattern, locale=lang)


def percent_text(value: float, lang: Lang, digits: int = 1) -> str:
    """A percentage already scaled to 100: `33,3 %` (a no-break space) or `33.3%`."""
    number = decimal_text(value, lang, digits)
    return f"{number}\u00a0%" if lang == "fr" else f"{number}%"


@dataclass(frozen=True, slots=True)
class ShownNumber:
    key: str  # what links and the API use
    text: str  # what the page shows
    kind: Kind
    e164: str | None  # the hover title of a phone number


def shown_number(key: str) -> ShownNumber:
    """How the console shows a stored number key (E.164, short code or sender name)."""
    if key.startswith("+"):
        number = parse_phone(key)
        if number is not None and number.number_type is not NumberType.SENDER_NAME:
            return ShownNumber(key, display_number(number), "phone", number.canonical)
        return ShownNumber(key, key, "phone", key)
    if key.isdigit():
        return ShownNumber(key, key, "short_code", None)
    return ShownNumber(key, key, "sender_name", None)
