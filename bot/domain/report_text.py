"""Read a reporter's SMS: is it a call report, which number does it name, is it a bare number?"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from bot.domain.indicators import Indicators, extract, find_marked_senders
from bot.domain.numbers import (
    Number,
    NumberType,
    find_phone_numbers,
    find_written_numbers,
    parse_any,
    parse_phone,
    written_number,
)

Channel = Literal["sms", "call"]

# What people write when they report a call rather than forward a text.
_CALL_MARKERS = re.compile(
    r"""(?ix)
    ^\s*(?:appel|spam\s*vocal|vocal|call|missed\s+call)\b
    | \bappels?\s+(?:du|de|d'un|d'une|manqu|en\s+absence|recu|reçu|hier|ce\s+matin|masqu)
    | \b(?:m['’]\s?a|m['’]\s?ont|on\s+m['’]\s?a|il\s+m['’]\s?a|elle\s+m['’]\s?a
        |j['’]\s?ai\s+[ée]t[ée]|me\s+suis\s+fait|nous\s+a)\s+(?:appel|t[ée]l[ée]phon|rappel)
    | \bm['’]\s?appell?e | \bm['’]\s?a\s+rappel
    | \bappel[ée]e?\s+(?:par|du|depuis)\b
    | \b(?:message|messagerie)\s+vocal | \br[ée]pondeur\b | \bsonnerie\b | \bd[ée]marchage\b
    | \bcoup\s+de\s+(?:fil|t[ée]l[ée]phone) | \bau\s+bout\s+du\s+fil\b
    | \b(?:j['’]\s?ai|il\s+a|elle\s+a|a)\s+(?:raccroch|d[ée]croch)
    | \b(?:num[ée]ro|appel)\s+masqu | \bau\s+t[ée]l[ée]phone\b | \bt[ée]l[ée]phon[ée]\s+(?:par|du)\b
    | \b(?:called|calling|rang|phoned)\s+(?:me|once|and|from|my|us|twice)\b | \bcall\s+from\b
    | \bvoice\s*mail\b | \b(?:got|had|received|get)\s+(?:a|an|this|the|two|several)\s+
        (?:\w+\s+)?(?:phone\s+)?calls?\b | \bphone\s+call\b | \bhung\s+up\b | \bcold\s+call
    """
)
# "de 06 ...", "reçu du +33 ...", "Expéditeur : ...", "from ...": the reporter names the sender.
# Spaces taken whole (`*+`): a colon is no space, and the two `\s*` shared a run of spaces in
# every way (quadratic; harmless on the 30 characters read here, but no need to).
_SENDER_BEFORE = re.compile(
    r"(?i)(?:^|[\s(«\"'])(?:de|du|from|exp[ée]diteur|envoy[ée]e?\s+par|sent\s+by|re[çc]ue?\s+d[eu]"
    r"|sms\s+d[eu]|texto\s+d[eu])\s*+:?\s*+$"
)
# Replies to "who sent it?" that are not a sender name.
_NOT_A_NAME = frozenset(
    [
        "OK",
        "OUI",
        "NON",
        "MERCI",
        "JSP",
        "JE",
        "SAIS",
        "PAS",
        "INCONNU",
        "YES",
        "NO",
        "THANKS",
        "THANK",
        "YOU",
        "IDK",
        "UNKNOWN",
        "AUCUNE",
        "IDEE",
        "BONJOUR",
        "HELLO",
        "HI",
        "SALUT",
    ]
)


@dataclass(frozen=True, slots=True)
class ReadReport:
    text: str
    channel: Channel
    indicators: Indicators
    reported: Number | None  # the number the report is about, if the text says it


def _strip_accents(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def is_call_report(text: str) -> bool:
    return bool(_CALL_MARKERS.search(text))


def _invalid_numbers(text: str) -> list[tuple[int, Number]]:
    """Numbers written in the text that are not valid ones: extraction leaves them out."""
    return [
        (pos, number)
        for pos, number in find_written_numbers(text)
        if number.number_type is NumberType.INVALID
    ]


def named_sender(text: str) -> Number | None:
    """The number or name the reporter marks as the sender, if any, valid or not."""
    # Valid numbers come first: at the same position, the one the matcher found wins.
    candidates = [
        (pos, number)
        for pos, number in find_phone_numbers(text) + _invalid_numbers(text)
        if _SENDER_BEFORE.search(text[max(0, pos - 30) : pos])
    ]
    candidates += find_marked_senders(text)
    candidates.sort(key=lambda item: item[0])
    return candidates[0][1] if candidates else None


def bare_number(text: str) -> Number | None:
    """The whole message is a phone number or short code (a call report with no comment), or a
    number written as a phone shows one that is not a valid number."""
    stripped = text.strip().strip(".!?")
    number = parse_phone(stripped)
    if number is None and re.fullmatch(r"[\d\s.\-]{4,8}", stripped):
        number = parse_any(stripped)
    return number or written_number(stripped)


def sender_answer(text: str) -> Number | None:
    """A reply to "who sent it?": `06 39 98 12 34`, `+33639981234`, `AMELI-INFO`, `38455`."""
    stripped = text.strip().strip(".!?\"'«»")
    if not stripped or len(stripped) > 40:
        return None
    number = parse_any(stripped)
    if number is not None and number.is_phone:
        return number
    if number is not None and _strip_accents(number.canonical) in _NOT_A_NAME:
        return None
    if number is not None:
        return number
    found = extract(stripped).numbers
    return found[0] if len(found) == 1 else written_number(stripped)


def read_report(text: str) -> ReadReport:
    indicators = extract(text)
    bare = bare_number(text)
    if bare is not None:
        return ReadReport(text, "call", indicators, bare)
    channel: Channel = "call" if is_call_report(text) else "sms"
    reported = named_sender(text)
    if reported is None and channel == "call":
        # A call is reported against the number that called, a malformed one included: spoofed
        # caller IDs are what analysts need to see.
        called = indicators.numbers or [number for _, number in _invalid_numbers(text)]
        reported = called[0] if called else None
    return ReadReport(text, channel, indicators, reported)
