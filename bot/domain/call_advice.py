"""The SMS that tells a reporter a forwarded call was logged, with the advice for that scam.

Kept apart from `advice.report_reply` because its opening names the caller (or says it was
withheld) instead of "report received"; the advice part and the 2-segment budget are the same.
"""

from __future__ import annotations

from bot.domain.advice import (
    CrowdSignal,
    crowd_line,
    display_number,
    family_advice,
    first_that_fits,
)
from bot.domain.classifier import Classification
from bot.domain.language import Language
from bot.domain.numbers import Number
from bot.prompts import render


def forward_reply(
    lang: Language,
    classification: Classification,
    suspect: Number | None,
    crowd: CrowdSignal | None = None,
) -> str:
    """ "A call from ... was forwarded to us and logged", the crowd's signal, then the advice
    for a call, within 2 segments."""
    if suspect is None:
        opening = render("sms/forward/withheld", lang)
    else:
        opening = render("sms/forward/logged", lang, number=display_number(suspect))
    crowd_text = crowd_line(lang, crowd)
    return first_that_fits(
        (opening, crowd_text, family_advice(lang, classification, suspect, False, "call")),
        (opening, crowd_text, family_advice(lang, classification, suspect, True, "call")),
        (opening, crowd_text),
    )
