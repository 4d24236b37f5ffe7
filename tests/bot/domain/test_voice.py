"""The voice menu's pure decisions: withheld callers, keypad numbers, read-back, advice keys."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.numbers import parse_phone
from bot.domain.voice import (
    advice_key,
    is_withheld,
    number_from_digits,
    reporters_day,
    spoken_digits,
    suspect_number,
)
from bot.prompts import all_prompt_keys, render


@pytest.mark.parametrize(
    "raw", ["anonymous", "Anonymous", "+266696687", "Restricted", "", "  ", "UNKNOWN", None]
)
def test_withheld_caller_ids(raw: str | None) -> None:
    assert is_withheld(raw)


def test_a_real_number_is_not_withheld() -> None:
    assert not is_withheld("+33639981234")


@pytest.mark.parametrize(
    "raw", ["anonymous", "+266696687", "Restricted", "", "  ", "UNKNOWN", "+7378742833", None]
)
def test_a_withheld_caller_of_a_forwarded_call_is_no_number(raw: str | None) -> None:
    assert suspect_number(raw) is None


@pytest.mark.parametrize(
    ("raw", "canonical", "number_type"),
    [("+33639981234", "+33639981234", "mobile"), ("+22507123456", "+22507123456", "invalid")],
)
def test_the_caller_of_a_forwarded_call_is_kept_valid_or_not(
    raw: str, canonical: str, number_type: str
) -> None:
    number = suspect_number(raw)
    assert number is not None
    assert (number.canonical, number.number_type.value) == (canonical, number_type)


@pytest.mark.parametrize(
    ("digits", "canonical"),
    [
        ("0639981234", "+33639981234"),
        ("0639981234#", "+33639981234"),
        ("0033639981234", "+33639981234"),
        ("002250701020304", "+2250701020304"),
        ("0899123456", "+33899123456"),
    ],
)
def test_keypad_numbers(digits: str, canonical: str) -> None:
    number = number_from_digits(digits)
    assert number is not None and number.canonical == canonical


@pytest.mark.parametrize(
    "digits",
    ["", "9", "0612", "*0639981234", "06399812345678901234", "0012", "0022507123456"],
)
def test_impossible_keypad_numbers(digits: str) -> None:
    assert number_from_digits(digits) is None


def test_french_numbers_are_read_digit_by_digit_in_pairs() -> None:
    number = parse_phone("0639981234")
    assert number is not None
    assert spoken_digits(number, "fr") == "zéro six, trois neuf, neuf huit, un deux, trois quatre"
    assert spoken_digits(number, "en").startswith("zero six, three nine")


def test_foreign_numbers_start_with_plus() -> None:
    number = parse_phone("+2250701020304")
    assert number is not None
    assert spoken_digits(number, "fr").startswith("plus, deux deux cinq, zéro sept zéro")


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("0899123456", "premium"),
        ("+2250701020304", "foreign"),
        ("0639981234", "mobile"),
        ("0972123456", "voip"),
        ("0162123456", "automated"),
        ("0140123456", "general"),
        ("0810123456", "special"),
    ],
)
def test_spoken_advice_follows_the_number_type(raw: str, kind: str) -> None:
    number = parse_phone(raw)
    assert number is not None and advice_key(number) == f"voice/advice/{kind}"
    assert render(advice_key(number), "fr") and render(advice_key(number), "en")


def test_both_languages_have_the_same_voice_prompts() -> None:
    keys = all_prompt_keys()
    assert {k for k in keys["fr"] if k.startswith("voice/")} == {
        k for k in keys["en"] if k.startswith("voice/")
    }


def test_the_day_is_the_reporters_day_in_paris() -> None:
    late = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)  # already 2 June in Paris
    assert reporters_day(late).isoformat() == "2026-06-02"
