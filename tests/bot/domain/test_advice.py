"""Every reply the bot can send, in each language and for each channel, fits in 2 GSM-7 segments
with the crowd's signal and the sender question, links only to official domains, and says the
right thing: the channel's words, the official-number answer, never a reassurance when unsure."""

from __future__ import annotations

import itertools
import re

import pytest

from bot.domain.advice import (
    MAX_SEGMENTS,
    CrowdSignal,
    display_number,
    report_reply,
    sender_logged_reply,
)
from bot.domain.call_advice import forward_reply
from bot.domain.classifier import Classification, Verdict
from bot.domain.families import families, scam_families
from bot.domain.indicators import find_urls
from bot.domain.language import LANGUAGES, Language
from bot.domain.numbers import Number, parse_any, parse_as_received
from bot.domain.official import is_official_domain
from bot.domain.segments import count_segments
from bot.prompts import has_prompt, render

OFFICIAL_NUMBERS = ["3646", "3230", "3949", "3960", "3639", "0805805817", "38455"]
CROWDS = [
    None,
    CrowdSignal("number", 123),
    CrowdSignal("sender", 123),
    CrowdSignal("link", 123),
    CrowdSignal("number", 123, confirmed=True),
    CrowdSignal("link", 123, confirmed=True),
]


def _sound(reply: str) -> None:
    count = count_segments(reply)
    assert count.encoding == "GSM-7" and count.segments <= MAX_SEGMENTS, (count, reply)
    for _, url, domain in find_urls(reply):
        assert is_official_domain(domain), url


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_family_has_advice_for_texts_and_calls(lang: Language) -> None:
    for family in [*scam_families(), "official_number", "cautious"]:
        for prefix in ("sms/advice/", "sms/advice/call/"):
            assert has_prompt(prefix + family, lang), prefix + family
            assert has_prompt(prefix + family + "_short", lang), prefix + family
    assert has_prompt("sms/advice/acted", lang) and has_prompt("sms/advice/genuine_signs", lang)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("family", families())
@pytest.mark.parametrize("channel", ["sms", "call"])
def test_every_reply_fits_with_the_crowd_and_the_question(
    lang: Language, family: str, channel: str
) -> None:
    verdict = Verdict.UNCERTAIN if family == "unknown" else Verdict.SCAM
    for acted, ask, crowd in itertools.product((False, True), (False, True), CROWDS):
        reported = None if ask else parse_any("06 12 34 56 78")
        result = Classification(family, [], acted, verdict=verdict)
        reply = report_reply(lang, result, reported, ask, channel, crowd)  # type: ignore[arg-type]
        _sound(reply)
        if acted:  # urgent steps first, in full or short
            urgent = render("sms/advice/acted_short", lang).split(" et ")[0].split(" and ")[0]
            assert 0 < reply.index(urgent) < 60
        if ask:
            assert reply.endswith(render("sms/report/ask_sender", lang))
        if crowd is not None:
            assert ("123" in reply) != crowd.confirmed
            assert re.search(r"confirm", reply) or not crowd.confirmed


@pytest.mark.parametrize("lang", LANGUAGES)
def test_call_advice_says_hang_up_and_text_advice_does_not(lang: Language) -> None:
    hang_up = re.compile(r"(?i)raccroch|hang up")
    for family in scam_families():
        result = Classification(family, [], False, verdict=Verdict.SCAM)
        assert not hang_up.search(report_reply(lang, result, None, True, "sms")), family
    bank = Classification("bank", [], False, verdict=Verdict.SCAM)
    assert hang_up.search(report_reply(lang, bank, parse_any("0199001234"), False, "call"))


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("raw", OFFICIAL_NUMBERS)
@pytest.mark.parametrize("channel", ["sms", "call"])
def test_is_it_really_them_gets_a_direct_answer_and_no_question(
    lang: Language, raw: str, channel: str
) -> None:
    number = parse_any(raw)
    assert isinstance(number, Number)
    for verdict, family in ((Verdict.UNCERTAIN, "unknown"), (Verdict.SCAM, "health_insurance")):
        result = Classification(family, [], False, verdict=verdict)
        reply = report_reply(lang, result, number, True, channel)  # type: ignore[arg-type]
        _sound(reply)
        assert re.search(r"officiel|official", reply), reply
        assert re.search(r"usurpe|fake", reply), reply
        assert render("sms/report/ask_sender", lang) not in reply


def test_the_sixth_reporter_is_told_the_count_in_words() -> None:
    result = Classification("bank", [], False, verdict=Verdict.SCAM)
    reply = report_reply(
        "fr", result, parse_any("01 99 00 58 43"), False, "call", CrowdSignal("number", 6)
    )
    assert "Ce numéro a déjà été signalé par 6 personnes." in reply
    english = report_reply("en", result, None, True, "sms", CrowdSignal("link", 4, confirmed=True))
    assert "This link is a confirmed scam." in english


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


def test_the_english_parcel_advice_never_says_a_fee_is_due() -> None:
    result = Classification("parcel", [], False, verdict=Verdict.SCAM)
    reply = report_reply("en", result, None, False)
    assert "never through a link" in reply and "06/07" not in reply


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("crowd", CROWDS)
def test_the_sender_confirmation_and_the_forward_reply_fit(
    lang: Language, crowd: CrowdSignal | None
) -> None:
    for raw in ("06 39 98 12 34", "+44 7700 900614", "AMELI-INFO", "38455", "+22507123456"):
        number = parse_any(raw) or parse_as_received(raw)
        assert number is not None
        _sound(sender_logged_reply(lang, number, crowd))
        _sound(forward_reply(lang, Classification("bank", [], verdict=Verdict.SCAM), number, crowd))


def test_a_sender_name_that_looks_like_a_domain_is_never_echoed_as_a_link() -> None:
    name = parse_any("evil.test")
    assert name is not None
    text = sender_logged_reply("fr", name, None)
    assert "evil.test" not in text.lower() and "EVIL[.]TEST" in text
    assert display_number(parse_any("AMELI-INFO")) == "AMELI-INFO"  # type: ignore[arg-type]


def test_a_number_that_is_not_valid_is_shown_as_received() -> None:
    typo, spoofed = parse_as_received("06 39 98 12 3"), parse_as_received("+225 07 12 34 56")
    assert typo is not None and spoofed is not None
    assert display_number(typo) == "063998123"
    reply = forward_reply("fr", Classification("unknown"), spoofed)
    assert reply.startswith(render("sms/forward/logged", "fr", number="+22507123456"))
