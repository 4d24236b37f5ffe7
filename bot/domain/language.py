"""Which language a reporter writes in: French by default, English when the words say so."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")

_WORD = re.compile(r"[a-zà-ÿ']+")
_EN = frozenset(
    [
        "the",
        "you",
        "your",
        "is",
        "are",
        "was",
        "have",
        "has",
        "this",
        "that",
        "it",
        "to",
        "of",
        "and",
        "for",
        "with",
        "on",
        "my",
        "me",
        "i",
        "got",
        "what",
        "please",
        "hi",
        "hello",
        "call",
        "received",
        "from",
        "number",
        "just",
        "did",
        "do",
        "does",
        "not",
        "scam",
        "message",
    ]
)
_FR = frozenset(
    [
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "du",
        "de",
        "je",
        "tu",
        "il",
        "vous",
        "votre",
        "vos",
        "mon",
        "ma",
        "mes",
        "est",
        "et",
        "pour",
        "sur",
        "avec",
        "ce",
        "ça",
        "ca",
        "pas",
        "recu",
        "reçu",
        "qui",
        "que",
        "quoi",
        "numero",
        "numéro",
        "appel",
        "bonjour",
        "c'est",
        "j'ai",
        "ai",
        "merci",
    ]
)


def detect_language(text: str, default: Language = "fr") -> Language:
    words = _WORD.findall(text.lower())
    english = sum(word in _EN for word in words)
    french = sum(word in _FR for word in words)
    if english > french:
        return "en"
    if french > english:
        return "fr"
    return default
