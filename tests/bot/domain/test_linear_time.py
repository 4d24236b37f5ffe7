"""Reporter text is handled in linear time: no text makes a worker backtrack for seconds.

A red-team finding: normalise("1" * 800) took 2.4 s and 1,600 digits 20 s, in the amount pattern
of `bot.domain.simhash`; 1,600 spaces held the preamble pattern 1.6 s. Each call here is timed
with the best of three runs (a 2-core CI machine shared with other jobs can stall any one run),
against 50 ms: a linear pass over 1,600 characters takes well under a millisecond per pattern.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from bot.domain import simhash

LENGTH = 1600
BUDGET_MS = 50.0


def best_ms(function: Callable[[str], object], text: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - start)
    return best * 1000


@pytest.mark.parametrize(
    "text",
    ["1" * LENGTH, " " * LENGTH, "1" * (LENGTH - 2) + " x", "a" + " " * (LENGTH - 1)],
    ids=["digits", "spaces", "digits-then-word", "word-then-spaces"],
)
def test_simhash_normalise_is_linear_on_the_reported_texts(text: str) -> None:
    assert best_ms(simhash.normalise, text) < BUDGET_MS
