"""Mask personal data in a report's text before it is used to train the classifier.

What a scam text says (the brand, the pretext, the call to action) stays; what could identify a
person goes: phone numbers become a fictional number of the same kind (so that the model still
sees a mobile, a 09 or a premium number), e-mail addresses, long digit runs (card, account and
social security numbers) and IBANs are blanked, and a name after a salutation is replaced."""

from __future__ import annotations

import re

from bot.domain.numbers import NumberType, find_phone_numbers

# ARCEP's fiction ranges, one per kind of number; other kinds keep a neutral fiction number.
_FICTION = {
    NumberType.MOBILE: "06 39 98 00 00",
    NumberType.GEOGRAPHIC: "01 99 00 00 00",
    NumberType.AUTOMATED: "01 62 00 00 00",
    NumberType.VOIP: "09 75 10 00 00",
    NumberType.PREMIUM: "08 99 00 00 00",
    NumberType.SPECIAL: "08 20 00 00 00",
    NumberType.FREEPHONE: "08 00 00 00 00",
    NumberType.FOREIGN: "+44 7700 900000",
}
# An address; or (group `chain`) a run with no address after it, which a try from each later
# character of it would read again (45 ms on 1,600 characters, growing as a square).
_EMAIL = re.compile(r"[\w.+-]++@[\w-]+(?:\.[\w-]+)+|(?P<chain>[\w.+-]++)")
_NUMBER_AS_WRITTEN = re.compile(r"\+?[\d\s.\-/()]*\d")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b")
_LONG_DIGITS = re.compile(r"\d(?:[\s.-]?\d){9,}")
_SALUTATION = re.compile(
    r"(?i)\b(bonjour|bonsoir|cher|ch[èe]re|madame|monsieur|mme|mr|m\.|dear|hello|hi)\s+"
    r"(?-i:[A-ZÉÈ][\w'-]+(?:\s+[A-ZÉÈ][\w'-]+)?)"
)


def mask_personal_data(text: str) -> str:
    # Masks go in as placeholders first, so that no mask is masked again by the next one.
    masks: list[str] = []

    def hold(mask: str) -> str:
        masks.append(mask)
        return f"\x00{len(masks) - 1}\x00"

    text = text.replace("\x00", "")
    pieces: list[str] = []
    last = 0
    for start, number in find_phone_numbers(text):
        match = None if start < last else _NUMBER_AS_WRITTEN.match(text, start)
        if match is None:
            continue
        pieces += [text[last:start], hold(_FICTION.get(number.number_type, "01 99 00 00 00"))]
        last = match.end()
    text = "".join(pieces) + text[last:]
    text = _EMAIL.sub(lambda m: m.group("chain") or hold("adresse@exemple.test"), text)
    text = _IBAN.sub(lambda _: hold("FR00 0000 0000 0000"), text)
    text = _LONG_DIGITS.sub(lambda _: hold("0000000000"), text)
    text = _SALUTATION.sub(lambda m: f"{m.group(1)} {hold('Dupont')}", text)
    return re.sub("\x00(\\d+)\x00", lambda m: masks[int(m.group(1))], text)
