"""The rule signals as the learned model reads them: its columns are fixed by the trained model."""

from __future__ import annotations

from bot.domain.indicators import Indicators
from bot.domain.numbers import parse_as_received, parse_phone
from bot.domain.rule_scores import rule_score, signal_names


def test_an_invalid_reported_number_reads_as_no_number_to_the_model() -> None:
    # No `reported:invalid` column: the model in config/model was trained without one.
    invalid = parse_as_received("+22507123456")
    assert invalid is not None and invalid.number_type.value == "invalid"
    names = signal_names()
    as_invalid = rule_score("", Indicators(), invalid, "call")
    assert as_invalid.reported_type == "none"
    assert as_invalid.features(names) == rule_score("", Indicators(), None, "call").features(names)
    mobile = rule_score("", Indicators(), parse_phone("06 39 98 12 34"), "call")
    assert mobile.features(names) != as_invalid.features(names)
