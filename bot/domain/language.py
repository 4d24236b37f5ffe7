"""The languages the bot speaks: one registry, French first (the default), then English.

Adding a language is:
- a prompts folder, `prompts/<code>/`, with every key the others have (tests check it, the
  families refuse to load without their advice in it);
- one entry in `REGISTRY` below, and its code in `Language`.
The rules file has no per-language part: its patterns run on every text, in every language.
Keywords, language detection, the voice menu and the checks read this registry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, TypeGuard, get_args

Language = Literal["fr", "en"]


@dataclass(frozen=True, slots=True)
class LanguageInfo:
    code: Language  # stored on reporters, reports and replies; the prompts folder's name
    name: str  # in English, for people reading logs and code
    keywords: tuple[str, ...]  # whole messages that switch to it, folded: upper case, no accents
    voice: str  # the Twilio <Say> voice of its prompts
    locale: str  # ... and the locale it speaks them in
    hints: frozenset[str]  # frequent lower-case words that tell a text is written in it


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


REGISTRY: tuple[LanguageInfo, ...] = (
    LanguageInfo(
        code="fr",
        name="French",
        keywords=("FR", "FRANCAIS", "FRENCH"),
        voice="Polly.Lea",
        locale="fr-FR",
        hints=_words(
            "le la les un une des du de je tu il vous votre vos mon ma mes est et pour sur avec"
            " ce ça ca pas recu reçu qui que quoi numero numéro appel bonjour c'est j'ai ai merci"
        ),
    ),
    LanguageInfo(
        code="en",
        name="English",
        keywords=("EN", "ENGLISH", "ANGLAIS"),
        voice="Polly.Joanna",
        locale="en-US",
        hints=_words(
            "the you your is are was have has this that it to of and for with on my me i got what"
            " please hi hello call received from number just did do does not scam message"
        ),
    ),
)

LANGUAGES: tuple[Language, ...] = tuple(info.code for info in REGISTRY)
DEFAULT_LANGUAGE: Language = REGISTRY[0].code
_BY_CODE: dict[str, LanguageInfo] = {info.code: info for info in REGISTRY}

if sorted(LANGUAGES) != sorted(get_args(Language)) or len(_BY_CODE) != len(REGISTRY):
    raise RuntimeError(
        f"bot/domain/language.py: the registry's codes {LANGUAGES} and Language "
        f"{get_args(Language)} must be the same, each once"
    )

_WORD = re.compile(r"[a-zà-ÿ']+")


def is_language(code: object) -> TypeGuard[Language]:
    """A code of the registry (a stored value may come from an older or newer release)."""
    return isinstance(code, str) and code in _BY_CODE


def language_or_default(code: object) -> Language:
    """The language with this code, or the default one for anything else (None included)."""
    return code if is_language(code) else DEFAULT_LANGUAGE


def language_info(lang: Language) -> LanguageInfo:
    return _BY_CODE[lang]


def next_language(lang: Language) -> Language:
    """The language offered after `lang` (the voice menu's switch): the next in the registry,
    the first after the last."""
    return LANGUAGES[(LANGUAGES.index(lang) + 1) % len(LANGUAGES)]


def detect_language(text: str, default: Language = DEFAULT_LANGUAGE) -> Language:
    """The language whose hints the text has most of; `default` when none leads alone."""
    words = _WORD.findall(text.lower())
    counts = [(sum(word in info.hints for word in words), info.code) for info in REGISTRY]
    best = max(count for count, _ in counts)
    leaders = [code for count, code in counts if count == best]
    return leaders[0] if len(leaders) == 1 else default
