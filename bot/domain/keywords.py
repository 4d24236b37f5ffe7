"""Keywords a reporter may send instead of a report. A keyword is never stored as scam content.

The words that switch language come from the language registry (`bot.domain.language`)."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from bot.domain.language import REGISTRY, Language, language_or_default


class Keyword(StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    # One a language, valued its code, for processing.py's branch on them; new code asks
    # `keyword_language` instead.
    ENGLISH = "en"
    FRENCH = "fr"


_WORDS: dict[str, Keyword] = {
    **dict.fromkeys(
        ("STOP", "ARRET", "ARRETER", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"),
        Keyword.STOP,
    ),
    **dict.fromkeys(("START", "UNSTOP", "REPRENDRE"), Keyword.START),
    **dict.fromkeys(("AIDE", "HELP", "INFO"), Keyword.HELP),
}


def _language_keywords() -> dict[str, Keyword]:
    words: dict[str, Keyword] = {}
    for info in REGISTRY:
        member = next((keyword for keyword in Keyword if keyword.value == info.code), None)
        if member is None:
            raise RuntimeError(
                f"language {info.code!r}: bot/domain/keywords.py needs a Keyword valued "
                f"{info.code!r} (processing.py branches on them)"
            )
        taken = [word for word in info.keywords if word in _WORDS or word in words]
        if taken:
            raise RuntimeError(f"language {info.code!r}: keywords already taken: {taken}")
        words.update(dict.fromkeys(info.keywords, member))
    return words


_WORDS.update(_language_keywords())
_LANGUAGE_KEYWORDS = frozenset(_WORDS[word] for info in REGISTRY for word in info.keywords)


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


def keyword_language(keyword: Keyword) -> Language | None:
    """The language a keyword switches to (`EN`, `Français`), None for any other keyword."""
    return language_or_default(keyword.value) if keyword in _LANGUAGE_KEYWORDS else None
