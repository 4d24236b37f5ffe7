"""The SMS that tells a reporter a forwarded call was logged, with the advice for that scam.

Kept apart from `advice.report_reply` because its opening names the caller (or says it was
withheld) instead of "report received"; the advice part and the 2-segment budget are the same.
"""

from __future__ import annotations

from bot.domain.advice import display_number, family_advice, first_that_fits
from bot.domain.classifier import Classification
from bot.domain.language import Language
from bot.domain.numbers import Number
from bot.prompts import render


def forward_reply(lang: Language, classification: Classification, suspect: Number | None) -> str:
    """ "A call from ... was forwarded to us and logged", then the advice, within 2 segments."""
    if suspect is None:
        opening = render("sms/forward/withheld", lang)
    else:
        opening = render("sms/forward/logged", lang, number=display_number(suspect))
    return first_that_fits(
        (opening, family_advice(lang, classification, suspect, short=False)),
        (opening, family_advice(lang, classification, suspect, short=True)),
        (opening,),
    )
