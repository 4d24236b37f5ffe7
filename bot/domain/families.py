"""The scam families, in the order of `design.md`. `unknown` is last: no known pattern, which
includes every genuine message."""

from __future__ import annotations

FAMILIES: tuple[str, ...] = (
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
SCAM_FAMILIES: tuple[str, ...] = FAMILIES[:-1]
UNKNOWN = "unknown"
