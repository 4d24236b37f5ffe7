"""The language registry is the one list of languages: each has its prompts (the same keys as
the default's), its keywords, its voice; detection and the voice menu's switch read it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from bot.domain.keywords import Keyword, LanguageKeyword, keyword_language, parse_keyword
from bot.domain.language import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    REGISTRY,
    Language,
    LanguageInfo,
    detect_language,
    is_language,
    language_info,
    language_or_default,
    next_language,
)
from bot.prompts import all_prompt_keys

ROOT = Path(__file__).resolve().parents[3]


def test_french_is_the_default_and_english_the_other() -> None:
    assert DEFAULT_LANGUAGE == "fr"
    assert LANGUAGES == ("fr", "en") == tuple(info.code for info in REGISTRY)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_prompt_of_the_default(lang: Language) -> None:
    keys = all_prompt_keys()
    assert keys[lang] == keys[DEFAULT_LANGUAGE]


@pytest.mark.parametrize("info", REGISTRY, ids=lambda info: info.code)
def test_every_keyword_of_a_language_switches_to_it(info: LanguageInfo) -> None:
    assert info is language_info(info.code)
    for word in info.keywords:
        keyword = parse_keyword(f" {word.lower()} !")
        assert keyword is not None and keyword_language(keyword) == info.code


def test_the_language_keywords_as_reporters_write_them() -> None:
    assert parse_keyword("Français") == LanguageKeyword("fr")
    assert parse_keyword("en") == LanguageKeyword("en")
    assert keyword_language(LanguageKeyword("en")) == "en"
    for other in (Keyword.STOP, Keyword.START, Keyword.HELP):
        assert keyword_language(other) is None


def test_a_stored_code_is_read_as_a_language_or_the_default() -> None:
    assert language_or_default("en") == "en"
    assert language_or_default("fr") == "fr"
    for stored in ("de", "", None, "EN", ["en"]):
        assert language_or_default(stored) == DEFAULT_LANGUAGE
        assert not is_language(stored)


def test_the_voice_menu_offers_the_next_language_round_the_registry() -> None:
    assert next_language("fr") == "en"
    assert next_language("en") == "fr"


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("Bonjour, j'ai reçu ce message de ma banque", "en", "fr"),
        ("Hello, I got this message from my bank", "fr", "en"),
        ("", "fr", "fr"),
        ("", "en", "en"),
        ("ok 06 12 34 56 78", "fr", "fr"),
        ("the le", "en", "en"),  # a tie keeps the default
        ("the le", "fr", "fr"),
    ],
)
def test_detection_counts_each_language_s_frequent_words(
    text: str, default: Language, expected: Language
) -> None:
    assert detect_language(text, default) == expected


# A new language reaches the keywords and the SMS processing through the registry alone.
ASK_THE_REGISTRY = (
    "bot/domain/keywords.py",
    "bot/domain/conversation.py",
    "bot/services/processing.py",
)


@pytest.mark.parametrize("path", ASK_THE_REGISTRY)
def test_no_language_code_is_written_where_the_registry_answers(path: str) -> None:
    tree = ast.parse((ROOT / path).read_text())
    codes = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in set(LANGUAGES)
    ]
    assert codes == [], f"{path} names languages: ask bot.domain.language instead"


def test_a_language_added_to_the_registry_has_its_keywords() -> None:
    """Run in a process of its own: the registry gains a language before keywords.py reads it."""
    script = """
import dataclasses
from bot.domain import language
german = dataclasses.replace(language.REGISTRY[1], code="de", keywords=("DE", "DEUTSCH"))
language.REGISTRY = (*language.REGISTRY, german)
language._BY_CODE["de"] = german
from bot.domain.conversation import KeywordSms, read_sms
from bot.domain.keywords import LanguageKeyword, parse_keyword
assert parse_keyword("Deutsch !") == LanguageKeyword("de"), parse_keyword("Deutsch !")
assert read_sms("de", None, 4000) == KeywordSms(LanguageKeyword("de"))
assert language.is_language("de") and parse_keyword("EN") == LanguageKeyword("en")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
