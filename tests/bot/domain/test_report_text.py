"""Calls described in the reporter's own words keep their channel and number."""

from __future__ import annotations

import pytest

from bot.domain.report_text import read_report


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
