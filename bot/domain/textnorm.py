"""Normalise report text before matching rules: people type French with or without accents, in
upper case, with emoji, SMS abbreviations and typos. Rules are written against the normalised
form, so `Carte Vitale`, `CARTE VITALE 😱` and `carte vitâle` all read `carte vitale`."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": " ", "‘": " ", "`": " ", "´": " ", "'": " ", "ʼ": " "})
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_NOT_WORD = re.compile(r"[^a-z0-9€%+]+")
# "1,99€", "2.99 EUR", "1500e", "35 euros" all become "<n> €" so one rule matches them all.
# Other currencies are money too: "£1.45", "$500", "€800", "20 USD" and "300 dollars" read the
# same way, so English reports and the other ways people write amounts meet the same rules.
_AMOUNT = re.compile(r"(\d)\s*(?:€|£|\$|eur\b|euros?\b|e\b|usd\b|gbp\b|dollars?\b|pounds?\b)")
_LEADING_CURRENCY = re.compile(r"[€£$]\s*(\d[\d.,]*)")
_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise(text: str) -> str:
    """Lower case, no accents, no apostrophes or punctuation, amounts written `<n> €`.

    The result is words separated by single spaces, with a space at each end, so a phrase can be
    found as ` carte vitale ` without regex boundaries. SMS abbreviations are folded by the
    classifier's rules (`bot.domain.rules`), which come from config."""
    text = strip_accents(text.lower()).translate(_APOSTROPHES)
    text = _LEADING_CURRENCY.sub(r"\1 € ", text)
    text = _AMOUNT.sub(r"\1 € ", text)
    text = _NOT_WORD.sub(" ", text)
    return " " + _SPACES.sub(" ", text).strip() + " "
