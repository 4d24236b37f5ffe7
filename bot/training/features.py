"""Reports as the model sees them: the same reading as in production (`read_report`), the rule
signals, and the text the n-grams are taken from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.domain.model import model_text
from bot.domain.report_text import read_report
from bot.domain.rule_scores import RuleScore, feature_names, rule_score, signal_names


@dataclass(frozen=True)
class Inputs:
    texts: list[str]
    rules: np.ndarray  # one row of rule features per report
    scores: list[RuleScore]
    signal_names: tuple[str, ...]

    @property
    def rule_names(self) -> list[str]:
        return feature_names(self.signal_names)


def inputs_for(bodies: Sequence[str]) -> Inputs:
    names = signal_names()
    texts: list[str] = []
    rows: list[list[float]] = []
    scores: list[RuleScore] = []
    for body in bodies:
        read = read_report(body)
        score = rule_score(read.text, read.indicators, read.reported, read.channel)
        scores.append(score)
        rows.append(score.features(names))
        texts.append(model_text(body))
    matrix = np.asarray(rows, dtype=np.float32).reshape(len(rows), len(feature_names(names)))
    return Inputs(texts, matrix, scores, names)


def bodies(records: Sequence[dict[str, Any]]) -> list[str]:
    return [str(r["body"]) for r in records]
