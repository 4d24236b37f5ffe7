"""Grouped cross-validation of the training set: each report is classified by a model that saw
neither it nor its near-copies, with the thresholds training would choose."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.classifier import decide
from bot.training.evaluate import Scores, from_predictions
from bot.training.features import inputs_for
from bot.training.train import choose_thresholds, out_of_fold


def cross_validate(records: Sequence[dict[str, Any]], groups: Sequence[int]) -> Scores:
    labels = [str(r["family"]) for r in records]
    inputs = inputs_for([str(r["body"]) for r in records])
    probabilities, classes = out_of_fold(inputs, labels, groups)
    thresholds = choose_thresholds(probabilities, classes, labels, inputs)
    results = [
        decide(classes, row, score, thresholds)
        for row, score in zip(probabilities, inputs.scores, strict=True)
    ]
    name = f"training set, {len(records)} reports, grouped 5-fold cross-validation"
    return from_predictions(name, records, results)
