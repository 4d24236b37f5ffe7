"""Text normalisation: the forms people type read the same after normalising."""

from __future__ import annotations

import pytest

from bot.domain.textnorm import normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Frais : 1,99€", " frais 1 99 € "),
        ("pay £1.45 now", " pay 1 45 € now "),
        ("earn $150 per day", " earn 150 € per day "),
        ("il reste €800", " il reste 800 € "),
        ("20 USD", " 20 € "),
        ("100 USDT", " 100 usdt "),
    ],
)
def test_amounts_in_any_currency_read_as_amounts(raw: str, expected: str) -> None:
    assert normalise(raw) == expected
