"""Every text the bot says or speaks, in each language, is spelled right: run through a spelling
dictionary (pyspellchecker's French and English), so that a word written without the accents it
needs ("numero", "recu") fails. Brands, names and acronyms are in prompts/spelling-allowlist.txt.
Every SMS prompt is GSM-7 and within 2 segments."""

from __future__ import annotations

import itertools
import re
from functools import cache
from typing import Any

import pytest
from spellchecker import SpellChecker

from bot.domain.language import LANGUAGES, Language
from bot.domain.segments import count_segments
from bot.prompts import all_prompt_keys, render
from bot.settings import get_settings

ELISIONS = frozenset({"l", "d", "n", "s", "j", "m", "t", "c", "qu", "jusqu", "lorsqu", "puisqu"})
_LINK = re.compile(r"\b[\w-]+(?:\.[\w-]+)+\b")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@cache
def dictionary(lang: Language) -> SpellChecker:
    return SpellChecker(language=lang)


@cache
def allowed() -> frozenset[str]:
    path = get_settings().prompts_dir / "spelling-allowlist.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def contexts(key: str) -> list[dict[str, Any]]:
    """Every branch of a template, with values like the real ones."""
    if key.endswith("crowd"):
        return [
            {"what": what, "count": 6, "confirmed": confirmed}
            for what, confirmed in itertools.product(("number", "sender", "link"), (False, True))
        ]
    if key.endswith("sender_logged"):
        return [{"number": "06 39 98 12 34", "crowd": ""}]
    if "official_number" in key:
        return [{"number": "3646", "name": "Assurance Maladie"}]
    if key.endswith("loop/confirmed"):
        return [{"number": "06 39 98 12 34", "is_name": flag} for flag in (False, True)]
    if key in ("sms/forward/logged",):
        return [{"number": "06 39 98 12 34"}]
    if key.endswith("readback"):
        return [{"number": "0 6 3 9"}]
    return [{}]


def texts(lang: Language) -> list[tuple[str, str]]:
    return [
        (key, render(key, lang, **context))
        for key in all_prompt_keys()[lang]
        for context in contexts(key)
    ]


def misspelled(lang: Language, text: str) -> list[str]:
    words = _WORD.findall(_LINK.sub(" ", text))
    known = dictionary(lang)
    return [
        word
        for word in words
        if word.lower() not in ELISIONS
        and word.lower() not in allowed()
        and not (word.isupper() and len(word) <= 5)  # acronyms: CAF, AMF, DGFiP's kin
        and word.lower() not in known
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_prompt_is_spelled_right(lang: Language) -> None:
    wrong = {key: misspelled(lang, text) for key, text in texts(lang)}
    wrong = {key: words for key, words in wrong.items() if words}
    assert wrong == {}, {
        key: [(w, sorted(dictionary(lang).candidates(w.lower()) or [])[:3]) for w in words]
        for key, words in wrong.items()
    }


def test_a_word_without_its_accents_fails() -> None:
    assert misspelled("fr", "Votre numero est enregistré, signalement recu.") == ["numero", "recu"]
    assert misspelled("fr", "Votre numéro est enregistré.") == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_sms_prompt_is_gsm7_within_two_segments(lang: Language) -> None:
    for key, text in texts(lang):
        if key.startswith("sms/"):
            count = count_segments(text)
            assert count.encoding == "GSM-7" and count.segments <= 2, (key, count)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_help_fits_in_one_segment(lang: Language) -> None:
    assert count_segments(render("sms/keyword/help", lang)).segments == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_sms_part_ends_a_sentence(lang: Language) -> None:
    """Parts are joined into one SMS: each must end its sentence, or they run together."""
    for key, text in texts(lang):
        if key.startswith("sms/") and not key.endswith("crowd"):
            assert text.rstrip()[-1] in ".!?", key
