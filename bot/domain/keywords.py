"""Keywords a reporter may send instead of a report. A keyword is never stored as scam content."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Keyword(StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    ENGLISH = "en"
    FRENCH = "fr"


_WORDS: dict[str, Keyword] = {
    **dict.fromkeys(
        ("STOP", "ARRET", "ARRETER", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"),
        Keyword.STOP,
    ),
    **dict.fromkeys(("START", "UNSTOP", "REPRENDRE"), Keyword.START),
    **dict.fromkeys(("AIDE", "HELP", "INFO"), Keyword.HELP),
    **dict.fromkeys(("EN", "ENGLISH", "ANGLAIS"), Keyword.ENGLISH),
    **dict.fromkeys(("FR", "FRANCAIS", "FRENCH"), Keyword.FRENCH),
}


def fold(text: str) -> str:
    """Upper case, accents and punctuation removed: `Arrêt !` -> `ARRET`."""
    decomposed = unicodedata.normalize("NFKD", text)
    no_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^A-Z0-9]+", " ", no_accents.upper()).strip()


def parse_keyword(body: str) -> Keyword | None:
    """The whole message must be the keyword (punctuation and case aside)."""
    folded = fold(body)
    if not folded or " " in folded:
        return None
    return _WORDS.get(folded)
