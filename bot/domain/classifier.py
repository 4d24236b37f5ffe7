"""Scam-family classifier. Placeholder until the rules of issue 3 land: everything is `unknown`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.domain.indicators import Indicators
from bot.domain.numbers import Number

FAMILIES = (
    "health_insurance",
    "bank",
    "parcel",
    "training_account",
    "fine",
    "tax",
    "benefits",
    "utility_telecom",
    "family_impersonation",
    "callback_premium",
    "fake_authority",
    "job_offer",
    "investment",
    "romance",
    "unknown",
)

Channel = Literal["sms", "call"]


@dataclass(frozen=True, slots=True)
class Classification:
    family: str
    reasons: list[str] = field(default_factory=list)
    acted: bool = False  # the reporter may already have clicked, paid or given a code


def classify(
    text: str, indicators: Indicators, reported: Number | None, channel: Channel
) -> Classification:
    return Classification("unknown")
