"""Times in Paris with their zone, numbers in the format a French analyst reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.web.console.display import (
    decimal_text,
    format_moment,
    percent_text,
    shown_number,
    time_tag,
)


@pytest.mark.parametrize(
    ("moment", "french", "english"),
    [
        (datetime(2026, 12, 7, 8, 45, tzinfo=UTC), "07/12/2026 09:45 CET", "7 Dec 2026 09:45 CET"),
        (
            datetime(2026, 7, 14, 22, 30, tzinfo=UTC),
            "15/07/2026 00:30 CEST",
            "15 Jul 2026 00:30 CEST",
        ),
        (
            datetime(2026, 3, 29, 1, 0),
            "29/03/2026 03:00 CEST",
            "29 Mar 2026 03:00 CEST",
        ),  # naive: UTC
    ],
)
def test_times_are_shown_in_paris_with_their_zone(
    moment: datetime, french: str, english: str
) -> None:
    assert format_moment(moment, "fr") == french
    assert format_moment(moment, "en") == english


def test_a_time_tag_keeps_the_instant_for_machines() -> None:
    tag = time_tag(datetime(2026, 12, 7, 8, 45, tzinfo=UTC), "fr")
    assert tag == '<time datetime="2026-12-07T08:45:00Z">07/12/2026 09:45 CET</time>'
    assert time_tag(None, "fr") == "—"


@pytest.mark.parametrize(
    ("key", "text", "kind", "title"),
    [
        ("+33639987755", "06 39 98 77 55", "phone", "+33639987755"),
        ("+33975123456", "09 75 12 34 56", "phone", "+33975123456"),
        ("+33899123456", "08 99 12 34 56", "phone", "+33899123456"),
        ("+447700900614", "+44 7700 900614", "phone", "+447700900614"),
        ("+262692123456", "+262 692 12 34 56", "phone", "+262692123456"),
        ("38455", "38455", "short_code", None),
        ("3646", "3646", "short_code", None),
        ("AMELI-INFO", "AMELI-INFO", "sender_name", None),
    ],
)
def test_numbers_are_shown_the_way_they_are_read(
    key: str, text: str, kind: str, title: str | None
) -> None:
    shown = shown_number(key)
    assert (shown.key, shown.text, shown.kind, shown.e164) == (key, text, kind, title)


def test_decimals_and_shares_follow_the_language() -> None:
    assert decimal_text(1.5, "fr") == "1,5" and decimal_text(1.5, "en") == "1.5"
    assert percent_text(33.3, "fr") == "33,3\u00a0%" and percent_text(33.3, "en") == "33.3%"
    assert percent_text(87.4, "fr", 0) == "87\u00a0%"
