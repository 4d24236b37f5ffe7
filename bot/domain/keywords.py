"""Keywords a reporter may send instead of a report. A keyword is never stored as scam content.

The words that switch language come from the language registry (`bot.domain.language`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.language import REGISTRY, Language


class Keyword(StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"


@dataclass(frozen=True, slots=True)
class LanguageKeyword:
    """A whole message naming a language (`EN`, `Français`): answer in it from now on."""

    language: Language


AnyKeyword = Keyword | LanguageKeyword

_WORDS: dict[str, AnyKeyword] = {
    **dict.fromkeys(
        ("STOP", "ARRET", "ARRETER", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"),
        Keyword.STOP,
    ),
    **dict.fromkeys(("START", "UNSTOP", "REPRENDRE"), Keyword.START),
    **dict.fromkeys(("AIDE", "HELP", "INFO"), Keyword.HELP),
}


def _language_keywords() -> dict[str, AnyKeyword]:
    """Each registered language's words; one word may not mean two things."""
    words: dict[str, AnyKeyword] = {}
    for info in REGISTRY:
        taken = [word for word in info.keywords if word in _WORDS or word in words]
        if taken:
            raise RuntimeError(f"language {info.code!r}: keywords already taken: {taken}")
        words.update(dict.fromkeys(info.keywords, LanguageKeyword(info.code)))
    return words


_WORDS.update(_language_keywords())


def fold(text: str) -> str:
    """Upper case, accents and punctuation removed: `Arrêt !` -> `ARRET`."""
    decomposed = unicodedata.normalize("NFKD", text)
    no_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^A-Z0-9]+", " ", no_accents.upper()).strip()


def parse_keyword(body: str) -> AnyKeyword | None:
    """The whole message must be the keyword (punctuation and case aside)."""
    folded = fold(body)
    if not folded or " " in folded:
        return None
    return _WORDS.get(folded)


def keyword_language(keyword: AnyKeyword) -> Language | None:
    """The language a keyword switches to (`EN`, `Français`), None for any other keyword."""
    return keyword.language if isinstance(keyword, LanguageKeyword) else None
