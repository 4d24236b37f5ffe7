"""Which scam family a report belongs to, and how sure we are.

The learned model (`bot.domain.model`) gives a probability to every family from the report's
words and the rule signals (`bot.domain.rule_scores`). The decision then stays on the safe side:
- a report is a scam when its scam families together reach the scam threshold, and its family
  is the likeliest of them; that family's advice is given only when the family holds enough of
  the scam probability, else the generic protective advice (`uncertain`);
- "it looks genuine" needs the model's `unknown` above its own threshold AND a positive sign of
  a genuine message (only official links, an official number, a one-time code);
- anything else is `uncertain` too: no family, and the generic protective advice, never a
  reassuring reply. Forwarded texts are scams far more often than not.
The thresholds were chosen at training on out-of-fold predictions, never on a test set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np

from bot.domain.families import FAMILIES, UNKNOWN
from bot.domain.indicators import Indicators
from bot.domain.model import JSON_NAME, LearnedModel, Thresholds, current_model, model_text
from bot.domain.numbers import Number
from bot.domain.rule_scores import Channel, RuleScore, rule_score
from bot.settings import get_settings

__all__ = ["FAMILIES", "Channel", "Classification", "Verdict", "classify", "classify_many"]

# Positive signs of a genuine message (rule flags and signals).
GENUINE_SIGNS = ("official_links_only", "official_number", "genuine_otp")
# What official bodies never ask for (advice sources): a report that mentions one of these has no
# genuine sign, whatever number or link it shows; a displayed number can be spoofed.
SECRETS_ASKED = (
    "asks_credentials",
    "asks_bank_details",
    "asks_payment",
    "remote_access",
    "safe_account",
)


class Verdict(StrEnum):
    SCAM = "scam"  # a family likely enough to give its advice
    UNCERTAIN = "uncertain"  # no family likely enough: generic protective advice
    GENUINE_SIGNS = "genuine_signs"  # likely genuine, with a positive sign of it


@dataclass(frozen=True, slots=True)
class Classification:
    family: str
    reasons: list[str] = field(default_factory=list)
    acted: bool = False  # the reporter may already have clicked, paid or given a code
    confidence: float = 0.0  # the model's probability of `family`
    verdict: Verdict = Verdict.UNCERTAIN
    top_family: str = UNKNOWN  # the model's most likely family, kept even when not confident


def genuine_signs(score: RuleScore) -> list[str]:
    """The positive signs of a genuine message, unless the report says secrets were asked for.

    A one-time code message says "never give this code" (which reads as a request for a code);
    only without that sign does a code asked for cancel the genuine signs."""
    asked = [signal for signal in SECRETS_ASKED if signal in score.signals]
    if "asks_code" in score.signals and "genuine_otp" not in score.signals:
        asked.append("asks_code")
    if asked:
        return []
    return [sign for sign in GENUINE_SIGNS if score.has(sign) or sign in score.signals]


def decide(
    classes: Sequence[str], probabilities: np.ndarray, score: RuleScore, thresholds: Thresholds
) -> Classification:
    """The family, verdict and confidence for one report's row of probabilities.

    A report is a scam when the probabilities of all scam families together reach the scam
    threshold; its family is then the likeliest scam family. Its advice is that family's only
    when the family holds enough of the scam probability; otherwise the generic advice."""
    unknown = classes.index(UNKNOWN)
    scam_probability = 1.0 - float(probabilities[unknown])
    scam_rows = [i for i in range(len(classes)) if i != unknown]
    best = max(scam_rows, key=lambda i: float(probabilities[i]))
    top = int(np.argmax(probabilities))
    if scam_probability >= thresholds.scam:
        family, confidence = classes[best], float(probabilities[best])
        share = confidence / scam_probability if scam_probability > 0 else 0.0
        verdict = Verdict.SCAM if share >= thresholds.family else Verdict.UNCERTAIN
    else:
        family, confidence = UNKNOWN, float(probabilities[unknown])
        likely_genuine = confidence >= thresholds.genuine and genuine_signs(score)
        verdict = Verdict.GENUINE_SIGNS if likely_genuine else Verdict.UNCERTAIN
    reasons = score.reasons + score.signs.get(classes[best], [])
    return Classification(family, reasons, score.acted, confidence, verdict, classes[top])


def model_dir() -> Path:
    """Where the current model is: CLASSIFIER_MODEL_DIR once `scamline train` has written one
    there (a volume shared by the workers, in production), else the model the code ships with."""
    settings = get_settings()
    if (settings.classifier_model_dir / JSON_NAME).is_file():
        return settings.classifier_model_dir
    return settings.config_dir / "model"


def loaded_model() -> LearnedModel:
    return current_model(model_dir())


def classify_many(
    items: Sequence[tuple[str, Indicators, Number | None, Channel]],
    model: LearnedModel | None = None,
) -> list[Classification]:
    """Classify several reports at once: one matrix product for the batch."""
    if not items:
        return []
    model = model or loaded_model()
    scores = [rule_score(text, ind, reported, channel) for text, ind, reported, channel in items]
    rules = np.asarray([s.features(model.signal_names) for s in scores], dtype=np.float32)
    probabilities = model.probabilities([model_text(text) for text, *_ in items], rules)
    return [
        decide(model.classes, row, score, model.thresholds)
        for row, score in zip(probabilities, scores, strict=True)
    ]


def classify(
    text: str,
    indicators: Indicators,
    reported: Number | None,
    channel: Channel,
    model: LearnedModel | None = None,
) -> Classification:
    return classify_many([(text, indicators, reported, channel)], model)[0]


def explain(
    text: str, indicators: Indicators, reported: Number | None, channel: Channel, family: str
) -> list[str]:
    """The words and signals that pushed this report toward `family` most, for analysts."""
    model = loaded_model()
    score = rule_score(text, indicators, reported, channel)
    rules = np.asarray(score.features(model.signal_names), dtype=np.float32)
    if family not in model.classes:
        return []
    return model.contributions(model_text(text), rules, family)
