"""Identifiers that are not valid numbers: logged and looked up as received."""

from __future__ import annotations

import pytest

from bot.domain.numbers import (
    MAX_AS_RECEIVED,
    canonical_lookup,
    find_phone_numbers,
    find_written_numbers,
    parse_as_received,
)


@pytest.mark.parametrize(
    ("raw", "canonical", "number_type"),
    [
        ("+22507123456", "+22507123456", "invalid"),  # Côte d'Ivoire before its 10-digit plan
        (" +225 07 12 34 56 ", "+22507123456", "invalid"),
        ("06 39 98 12 3", "063998123", "invalid"),
        ("sip:0612@carrier.test", "0612", "invalid"),
        ("9" * 30, "9" * MAX_AS_RECEIVED, "invalid"),
        ("+33 6 39 98 12 34", "+33639981234", "mobile"),  # a valid one stays what it is
        ("3646", "3646", "short_code"),
    ],
)
def test_an_identifier_is_kept_as_received(raw: str, canonical: str, number_type: str) -> None:
    number = parse_as_received(raw)
    assert number is not None
    assert (number.canonical, number.number_type.value) == (canonical, number_type)
    assert canonical_lookup(raw) == canonical_lookup(canonical) == canonical


@pytest.mark.parametrize("raw", ["", "anonymous", "<script>", "+"])
def test_an_identifier_without_digits_is_nothing(raw: str) -> None:
    assert parse_as_received(raw) is None


def test_written_numbers_valid_or_not_are_found_but_not_dates_links_or_references() -> None:
    text = (
        "appel du +225 07 12 34 56 le 01.02.2024, puis du 06 39 98 12 34 ; "
        "https://x.test/0612345678 dossier PP-2025-0611874 carte 4970101234567890123456"
    )
    assert [n.canonical for _, n in find_written_numbers(text)] == [
        "+22507123456",
        "+33639981234",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call from 07700 900418, said my account was hacked", ["+447700900418"]),
        ("the number was 07700900418", ["+447700900418"]),
        ("appel du 06 39 98 12 34 puis du 07700 900 419", ["+33639981234", "+447700900419"]),
        ("+44 7700 900418 then 020 7946 0018", ["+447700900418", "+442079460018"]),
        # A French number is 0 and nine digits: never read as British.
        ("rappelez le 01 99 00 41 22", ["+33199004122"]),
        # Glued to a reference, or too long: no number.
        ("commande CMD-07700900418 expédiée", []),
        ("ref 077009004181 validée", []),
    ],
)
def test_a_british_number_in_its_national_spelling_is_found(text: str, expected: list[str]) -> None:
    assert [n.canonical for _, n in find_phone_numbers(text)] == expected
