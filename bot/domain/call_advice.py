"""The SMS that tells a reporter a forwarded call was logged, with the advice for that scam.

Kept apart from `advice.report_reply` because its opening names the caller (or says it was
withheld) instead of "report received"; the advice part and the 2-segment budget are the same.
"""

from __future__ import annotations

from bot.domain.advice import advice_key, display_number, first_that_fits
from bot.domain.classifier import Classification
from bot.domain.language import Language
from bot.domain.numbers import Number
from bot.prompts import has_prompt, render


def forward_reply(lang: Language, classification: Classification, suspect: Number | None) -> str:
    """ "A call from ... was forwarded to us and logged", then the advice, within 2 segments."""
    if suspect is None:
        opening = render("sms/forward/withheld", lang)
    else:
        opening = render("sms/forward/logged", lang, number=display_number(suspect))
    key = advice_key(classification)
    full = render(key, lang)
    short = render(key + "_short", lang) if has_prompt(key + "_short", lang) else full
    return first_that_fits((opening, full), (opening, short), (opening,))
