"""The one-typo index gives exactly what comparing every pair with `within_one_edit` gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.lookalike import within_one_edit
from bot.domain.one_edit import OneEditIndex, deletion_variants

# A small alphabet, so that words one edit apart (and two apart) come up often.
WORD = st.text(alphabet="abcde", min_size=0, max_size=7)


@settings(max_examples=300, deadline=None)
@given(st.lists(WORD, max_size=12), st.lists(WORD, max_size=12))
def test_matches_are_those_of_every_pair_compared(vocabulary: list[str], words: list[str]) -> None:
    expected = {v for v in vocabulary if any(within_one_edit(w, v) for w in words)}
    assert OneEditIndex(vocabulary).matches(words) == expected


def test_typos_swaps_and_near_misses() -> None:
    index = OneEditIndex(["colis", "amende", "remboursement"])
    assert index.matches(["colsi"]) == {"colis"}  # neighbours swapped
    assert index.matches(["amande", "rembousement"]) == {"amende", "remboursement"}
    assert index.matches(["cols"]) == index.matches(["coliss"]) == {"colis"}  # one out, one in
    assert index.matches(["cloiss", "slioc", "amendes!!"]) == set()  # two edits or more
    assert deletion_variants("ab") == {"ab", "a", "b"}
