"""Phone numbers, short codes and sender names: parse any common spelling into one canonical form.

France is the default region. Reports use numbers from ranges reserved for fiction, which
`phonenumbers.is_valid_number` rejects, so we accept `is_possible_number` plus the French numbering
plan (ARCEP) for French numbers.

A caller ID or a written number that is not a valid number (`+22507123456`, an old Ivorian
format; a spoofed or mistyped one) is still logged, as received: type `invalid`, keyed by its
digits and a leading + (`parse_as_received`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

DEFAULT_REGION = "FR"
# The other region whose national spelling a reporter may copy, and what that spelling looks like
# once its separators are gone: a 0 and ten digits, which no French number has.
NATIONAL_FALLBACK_REGION = "GB"
_NATIONAL_FALLBACK = re.compile(r"0\d{10}")
_MAYBE_NATIONAL_FALLBACK = re.compile(r"0(?:[\s.\-/()]{0,3}\d){10}")

# ARCEP: automated calls must come from these ranges (national significant number prefixes).
AUTOMATED_CALL_PREFIXES = (
    "162",
    "163",
    "270",
    "271",
    "377",
    "378",
    "424",
    "425",
    "568",
    "569",
    "948",
    "949",
)


class NumberType(StrEnum):
    MOBILE = "mobile"  # 06/07
    GEOGRAPHIC = "geographic"  # 01-05
    AUTOMATED = "automated"  # ARCEP ranges for automated calls
    VOIP = "voip"  # 09, non-geographic
    FREEPHONE = "freephone"  # 0800-0805
    PREMIUM = "premium"  # 089x
    SPECIAL = "special"  # other 08 ranges (shared cost)
    SHORT_CODE = "short_code"  # 3xxxx, 36xxx/38xxx business senders, 3646...
    SENDER_NAME = "sender_name"  # alphanumeric sender ID, at most 11 characters
    FOREIGN = "foreign"
    OTHER = "other"
    INVALID = "invalid"  # not a valid number: kept as received, digits and a leading + only


@dataclass(frozen=True, slots=True)
class Number:
    canonical: str  # E.164, short code digits, or upper-cased sender name
    number_type: NumberType
    country: str | None = None  # ISO 3166 region of a phone number

    @property
    def is_phone(self) -> bool:
        return self.number_type not in (NumberType.SHORT_CODE, NumberType.SENDER_NAME)

    @property
    def national_prefix(self) -> str:
        """The first digits as a French reader writes them (`0899`), for reasons and advice."""
        if self.country == "FR" and self.canonical.startswith("+33"):
            return "0" + self.canonical[3:6]
        return self.canonical[:4]


_QUOTES_AND_SPACES = "\"'«»“” \t\r\n\u00a0\u202f"
_SEPARATORS = re.compile(r"[\s.\-/()\u00a0\u202f]+")
# E.164 has 15 digits at most: room for a malformed number, none for junk.
MAX_AS_RECEIVED = 20
# A number written the way a phone shows one, valid or not: a leading + or 0, then 8 to 17
# digits in all, grouped by spaces, dots or dashes, glued to no word, link or reference.
_WRITTEN_NUMBER = re.compile(r"(?<![\w+\-./])(?:\+[0-9]|0)(?:[ .\-]?[0-9]){7,16}(?![\w+\-/])")
_DATE = re.compile(r"\d{1,2}([./-])\d{1,2}\1\d{2,4}")
_SHORT_CODE = re.compile(r"^[1-9]\d{3,5}$")
_SENDER_NAME = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9][A-Za-z0-9 ._&'-]{0,10}$")


def french_number_type(national: str) -> NumberType:
    """Type of a French number from its 9-digit national significant number."""
    if national.startswith(AUTOMATED_CALL_PREFIXES) or national.startswith(
        ("9475", "9476", "9477", "9478", "9479")
    ):
        return NumberType.AUTOMATED
    first = national[0]
    if first in "12345":
        return NumberType.GEOGRAPHIC
    if first in "67":
        return NumberType.MOBILE
    if first == "9":
        return NumberType.VOIP
    if first == "8":
        if national[:3] in ("800", "801", "802", "803", "804", "805"):
            return NumberType.FREEPHONE
        if national.startswith("89"):
            return NumberType.PREMIUM
        return NumberType.SPECIAL
    return NumberType.OTHER


def from_phonenumber(parsed: phonenumbers.PhoneNumber) -> Number | None:
    if not phonenumbers.is_possible_number(parsed):
        return None
    region = phonenumbers.region_code_for_number(parsed)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if parsed.country_code == 33:
        national = str(parsed.national_number)
        if len(national) != 9 or national[0] == "0":
            return None
        return Number(e164, french_number_type(national), "FR")
    region = region or phonenumbers.region_code_for_country_code(parsed.country_code or 0)
    return Number(e164, NumberType.FOREIGN, None if region in (None, "ZZ", "001") else region)


def parse_phone(raw: str, region: str = DEFAULT_REGION) -> Number | None:
    """A phone number written any usual way: `06 39 98 12 34`, `+33639981234`, `0033 6...`."""
    compact = _SEPARATORS.sub("", raw.strip())
    if not re.fullmatch(r"\+?\d{6,17}", compact):
        return None
    try:
        parsed = phonenumbers.parse(compact, region)
    except phonenumbers.NumberParseException:
        return None
    return from_phonenumber(parsed)


def reporter_number(raw: str) -> str | None:
    """The key a reporter is known by: their number in E.164 when it is a phone number, else
    the address as Twilio gave it (stripped); None when there is none."""
    number = parse_phone(raw) if raw else None
    return number.canonical if number else (raw.strip() or None)


def parse_short_code(raw: str) -> Number | None:
    compact = _SEPARATORS.sub("", raw.strip())
    if _SHORT_CODE.fullmatch(compact):
        return Number(compact, NumberType.SHORT_CODE, "FR")
    return None


def parse_sender_name(raw: str) -> Number | None:
    # Spaces and quotes go together, in any order (`AMELI '`, `A' «`): else the key keeps a
    # quote or a space that a lookup of the same name strips, and one sender has two keys.
    text = raw.strip(_QUOTES_AND_SPACES)
    if _SENDER_NAME.fullmatch(text) and not text.replace(" ", "").isdigit():
        return Number(re.sub(r"\s+", " ", text).upper(), NumberType.SENDER_NAME)
    return None


def parse_any(raw: str, region: str = DEFAULT_REGION) -> Number | None:
    """What a reporter types when asked "who sent it?": a number, a short code or a sender name."""
    return parse_phone(raw, region) or parse_short_code(raw) or parse_sender_name(raw)


def parse_as_received(raw: str) -> Number | None:
    """An identifier as Twilio or a reporter gave it: the number it spells when that is valid,
    else an `invalid` number keyed by the identifier trimmed, with only its digits and a leading
    + kept, cut to MAX_AS_RECEIVED characters. None without a digit: nothing to log it against.

    The key is checked once cut, so that looking it up again gives the same key."""
    text = raw.strip()
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    if not digits:
        return None
    compact = (("+" if text.startswith("+") else "") + digits)[:MAX_AS_RECEIVED]
    return parse_phone(compact) or parse_short_code(compact) or Number(compact, NumberType.INVALID)


def written_number(text: str) -> Number | None:
    """The whole text is one number written as a phone shows it, valid or not."""
    text = text.strip()
    if _WRITTEN_NUMBER.fullmatch(text) is None or _DATE.fullmatch(text) is not None:
        return None
    return parse_as_received(text)


def find_written_numbers(text: str) -> list[tuple[int, Number]]:
    """Numbers written as a phone shows them, valid or not (`+22507123456`, `06 39 98 12 3`), with
    their positions: what a reporter copies from a screen. A date (`01.02.2024`) is none."""
    found: list[tuple[int, Number]] = []
    for match in _WRITTEN_NUMBER.finditer(text):
        if _DATE.fullmatch(match.group(0)) is None:
            number = parse_as_received(match.group(0))
            if number is not None:
                found.append((match.start(), number))
    return found


def canonical_lookup(raw: str) -> str | None:
    """The canonical key to look a number up by, from any spelling, for the API and search: an
    invalid number is found by its identifier as received."""
    number = parse_any(raw) or parse_as_received(raw)
    return number.canonical if number else None


def find_phone_numbers(text: str, region: str = DEFAULT_REGION) -> list[tuple[int, Number]]:
    """Every possible phone number in a free text, with its position, in order of appearance.

    A number written in another country's national format is read as that country's when it
    cannot be French: `07700 900418`, 0 and ten digits, is British (a French number is 0 and
    nine), as an English-speaking reporter copies it from their phone."""
    found = _numbers_matched(text, region)
    # The second pass costs more than the first: only for a text with 0 and ten digits in a row.
    if region == DEFAULT_REGION and _MAYBE_NATIONAL_FALLBACK.search(text):
        taken = [(start, end) for start, end, _ in found]
        found += [
            (start, end, number)
            for start, end, number in _numbers_matched(text, NATIONAL_FALLBACK_REGION)
            if _NATIONAL_FALLBACK.fullmatch(_SEPARATORS.sub("", text[start:end]))
            and not any(start < e and s < end for s, e in taken)
        ]
    return [(start, number) for start, _, number in sorted(found, key=lambda f: f[0])]


def _numbers_matched(text: str, region: str) -> list[tuple[int, int, Number]]:
    found: list[tuple[int, int, Number]] = []
    for match in PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
        if _glued_to_a_reference(text, match.start):
            continue
        number = from_phonenumber(match.number)
        if number is not None:
            found.append((match.start, match.end, number))
    return found


def _glued_to_a_reference(text: str, start: int) -> bool:
    """Digits that continue a reference (`PP-2025-11874`, `n°A12...`) are not a phone number."""
    before = text[max(0, start - 2) : start]
    return bool(before) and (before[-1].isalnum() or (before[-1] in "-_/" and before[:1].isalnum()))
