"""Calls described in the reporter's own words keep their channel and number, valid or not."""

from __future__ import annotations

import pytest

from bot.domain.report_text import read_report, sender_answer


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("un conseiller m'a appelé du 01 99 00 12 34, il veut mes codes", "+33199001234"),
        ("j'ai eu un coup de fil du 06 39 98 12 34 pour ma carte", "+33639981234"),
        ("got a weird call from +44 7700 900123 saying my card was cloned", "+447700900123"),
        ("on m'a téléphoné du 09 75 10 44 21 au sujet de mon CPF", "+33975104421"),
        ("0639981234", "+33639981234"),
    ],
)
def test_a_call_in_own_words_keeps_its_number(text: str, number: str) -> None:
    read = read_report(text)
    assert read.channel == "call"
    assert read.reported is not None and read.reported.canonical == number


@pytest.mark.parametrize(
    "text",
    [
        "Appelez le 09 75 10 12 34 pour débloquer votre carte",
        "Suite à notre appel, merci de régler la facture",
        "Colis en attente : frais 1,99€ sur colis.test",
    ],
)
def test_a_forwarded_text_is_not_a_call(text: str) -> None:
    assert read_report(text).channel == "sms"


def test_a_withheld_caller_is_a_call_with_no_number() -> None:
    read = read_report("numéro masqué, personne au bout du fil")
    assert read.channel == "call" and read.reported is None


@pytest.mark.parametrize(
    "text",
    [
        "appel +22507123456",
        "+22507123456",
        "j'ai eu un coup de fil du +225 07 12 34 56, il voulait mon code",
        "reçu de +22507123456 : votre colis est bloqué",
    ],
)
def test_a_number_that_is_not_valid_is_reported_as_written(text: str) -> None:
    read = read_report(text)
    assert read.reported is not None
    assert (read.reported.canonical, read.reported.number_type.value) == (
        "+22507123456",
        "invalid",
    )
    assert read.indicators.numbers == []  # extraction still finds only valid numbers


def test_a_valid_number_wins_over_one_that_is_not_when_neither_is_named_the_caller() -> None:
    read = read_report("appel, c'était le +22507123456 ou le 06 39 98 12 34 ?")
    assert read.reported is not None and read.reported.canonical == "+33639981234"


@pytest.mark.parametrize(
    "text", ["appel le 01.02.2024 d'un faux conseiller", "appel 0612", "Colis 06 39 98 12 3"]
)
def test_a_date_a_short_number_or_a_text_that_is_not_a_call_names_no_invalid_number(
    text: str,
) -> None:
    assert read_report(text).reported is None


def test_the_sender_asked_for_can_be_a_number_that_is_not_valid() -> None:
    answer = sender_answer("+22507123456")
    assert answer is not None and answer.number_type.value == "invalid"
    assert sender_answer("0612") is None
