"""Properties of SMS segment counting: GSM-7 and UCS-2 limits, extension characters, growth."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.segments import GSM7_BASIC, GSM7_EXTENSION, count_segments

BASIC = st.text(sorted(GSM7_BASIC), max_size=500)
GSM = st.text(sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=400)
# Outside GSM-7, in the Basic Multilingual Plane (one UTF-16 unit each).
NON_GSM_BMP = st.characters(
    min_codepoint=0x100,
    max_codepoint=0xFFFF,
    exclude_categories=("Cs",),
).filter(lambda ch: ch not in GSM7_BASIC and ch not in GSM7_EXTENSION)


def expected(units: int, single: int, multi: int) -> int:
    if units <= single:
        return 1
    return -(-units // multi)


@given(BASIC)
def test_gsm7_is_160_in_one_segment_then_153_per_segment(text: str) -> None:
    count = count_segments(text)
    assert count.encoding == "GSM-7"
    assert count.units == len(text)
    assert count.segments == expected(len(text), 160, 153)


@given(GSM)
def test_extension_characters_count_two_septets(text: str) -> None:
    count = count_segments(text)
    extended = sum(ch in GSM7_EXTENSION for ch in text)
    assert count.encoding == "GSM-7"
    assert count.units == len(text) + extended
    assert count.segments == expected(len(text) + extended, 160, 153)


@given(BASIC, NON_GSM_BMP, st.integers(0, 500))
def test_one_character_outside_gsm7_makes_it_ucs2_70_then_67(
    text: str, other: str, at: int
) -> None:
    message = text[:at] + other + text[at:]
    count = count_segments(message)
    assert count.encoding == "UCS-2"
    assert count.units == len(message)
    assert count.segments == expected(len(message), 70, 67)


@given(st.text(max_size=300))
def test_astral_characters_count_two_ucs2_units(text: str) -> None:
    message = text + "😀"
    count = count_segments(message)
    assert count.encoding == "UCS-2"
    assert count.units == len(message) + sum(ord(ch) > 0xFFFF for ch in text) + 1


@given(st.sampled_from([160, 161, 306, 307, 459, 460]))
def test_exact_gsm7_boundaries(length: int) -> None:
    assert (
        count_segments("a" * length).segments
        == {160: 1, 161: 2, 306: 2, 307: 3, 459: 3, 460: 4}[length]
    )
    assert count_segments("é" * length).encoding == "GSM-7"


@given(st.sampled_from([70, 71, 134, 135, 201, 202]))
def test_exact_ucs2_boundaries(length: int) -> None:
    assert (
        count_segments("ą" * length).segments
        == {70: 1, 71: 2, 134: 2, 135: 3, 201: 3, 202: 4}[length]
    )


@given(st.one_of(GSM, st.text(max_size=300)))
def test_segments_never_decrease_as_the_text_grows(text: str) -> None:
    counts = [count_segments(text[:i]).segments for i in range(len(text) + 1)]
    assert counts == sorted(counts)
    assert all(c >= 1 for c in counts)
