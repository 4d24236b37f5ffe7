"""Every advice prompt and every complete reply fits in 2 SMS segments, in both languages, and
links only to official domains."""

from __future__ import annotations

import re

import pytest

from bot.domain.advice import MAX_SEGMENTS, display_number, report_reply, sender_logged_reply
from bot.domain.classifier import FAMILIES, Classification, Verdict
from bot.domain.families import SCAM_FAMILIES
from bot.domain.indicators import find_urls
from bot.domain.language import LANGUAGES, Language
from bot.domain.numbers import Number, parse_any
from bot.domain.official import is_official_domain
from bot.domain.segments import count_segments
from bot.prompts import all_prompt_keys, has_prompt, render

OFFICIAL_NUMBERS = ["3646", "3230", "3949", "33700", "0805805817", "38455"]
UCS2_FORCING = re.compile("[âêîôûëïÿœç«»’\u00a0\u202f]")


def _context(key: str) -> dict[str, object]:
    if key.endswith("sender_logged") or key == "sms/forward/logged":
        return {"number": "+44 7700 900614", "reporter_count": 123}
    if "official_number" in key:
        return {"number": "0 805 805 817", "name": "Info Escroqueries"}
    if key == "sms/loop/confirmed":
        return {"number": "+44 7700 900614", "is_name": False}
    return {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_prompt_fits_and_stays_gsm7(lang: Language) -> None:
    for key in all_prompt_keys()[lang]:
        if not key.startswith("sms/"):
            continue
        text = render(key, lang, **_context(key))
        count = count_segments(text)
        print(f"{lang} {key}: {count}")
        assert count.segments <= MAX_SEGMENTS, key
        assert count.encoding == "GSM-7", key
        assert not UCS2_FORCING.search(text), key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_family_has_advice(lang: Language) -> None:
    for family in [*SCAM_FAMILIES, "acted", "official_number", "cautious", "genuine_signs"]:
        assert has_prompt(f"sms/advice/{family}", lang), family


def _no_link_but_official(text: str) -> None:
    for _, url, domain in find_urls(text):
        assert is_official_domain(domain), url


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("ask_sender", [False, True])
@pytest.mark.parametrize("acted", [False, True])
def test_every_reply_fits(lang: Language, family: str, ask_sender: bool, acted: bool) -> None:
    reported = None if ask_sender else parse_any("06 12 34 56 78")
    verdict = Verdict.UNCERTAIN if family == "unknown" else Verdict.SCAM
    reply = report_reply(
        lang, Classification(family, [], acted, verdict=verdict), reported, ask_sender
    )
    count = count_segments(reply)
    print(f"{lang} {family} ask={ask_sender} acted={acted}: {count}")
    assert count.segments <= MAX_SEGMENTS
    _no_link_but_official(reply)
    if acted:
        assert reply.index(render("sms/advice/acted", lang)) < 60  # urgent steps come first
    if ask_sender:
        assert reply.endswith(render("sms/report/ask_sender", lang))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("raw", OFFICIAL_NUMBERS)
@pytest.mark.parametrize("acted", [False, True])
def test_official_number_reply(lang: Language, raw: str, acted: bool) -> None:
    number = parse_any(raw)
    assert isinstance(number, Number)
    reply = report_reply(lang, Classification("unknown", [], acted), number, ask_sender=False)
    print(f"{lang} {raw}: {count_segments(reply)} {reply}")
    assert count_segments(reply).segments <= MAX_SEGMENTS
    if not acted:
        assert "officiel" in reply or "official" in reply


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_uncertain_report_gets_protective_advice_never_reassurance(lang: Language) -> None:
    reply = report_reply(lang, Classification("unknown", [], False), None, ask_sender=False)
    assert reply.endswith(render("sms/advice/cautious", lang))
    assert re.search(r"(?i)\bcode\b", reply) and re.search(r"(?i)rappelez|call back", reply)
    assert not re.search(r"(?i)aucun signe|no known scam sign|\bs[uû]r\b|\bsafe\b", reply)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_genuine_signs_never_say_it_is_safe(lang: Language) -> None:
    result = Classification("unknown", ["official_links_only"], False, 0.99, Verdict.GENUINE_SIGNS)
    reply = report_reply(lang, result, None, ask_sender=False)
    assert reply.endswith(render("sms/advice/genuine_signs", lang))
    assert re.search(r"(?i)garanti|guarantee", reply)
    assert not re.search(r"(?i)\bsans danger\b|\bit is safe\b|\bs[uû]r\b", reply)


def test_a_low_confidence_scam_family_is_answered_with_the_cautious_advice() -> None:
    result = Classification("unknown", [], False, 0.41, Verdict.UNCERTAIN, top_family="bank")
    assert report_reply("fr", result, None, False).endswith(render("sms/advice/cautious", "fr"))


def test_a_sender_name_that_looks_like_a_domain_is_never_echoed_as_a_link() -> None:
    name = parse_any("evil.test")
    assert name is not None
    text = sender_logged_reply("fr", name, 1)
    assert "evil.test" not in text.lower() and "EVIL[.]TEST" in text
    assert display_number(parse_any("AMELI-INFO")) == "AMELI-INFO"  # type: ignore[arg-type]
