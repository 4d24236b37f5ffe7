"""The TwiML of each voice-menu step, one helper per step, built with the Twilio SDK.

Every text spoken comes from `prompts/<lang>/voice/...`; the SDK escapes it. Every <Gather> posts
to a step of the menu even when nothing was typed (`actionOnEmptyResult`), and is followed by a
<Redirect> to the same step for carriers or SDKs that skip it: the step then counts a silence.
The state a step needs (language, attempt, typed number) travels in the action URL's query, which
Twilio's signature covers, so a caller cannot forge it.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.domain.language import DEFAULT_LANGUAGE, Language, language_info, next_language
from bot.domain.numbers import Number
from bot.domain.voice import advice_key, spoken_digits
from bot.prompts import render

VOICE_PATH = "/twilio/voice"
NUMBER_PATH = "/twilio/voice/number"
CONFIRM_PATH = "/twilio/voice/confirm"
GATHER_TIMEOUT_SECONDS = 8
SWITCH_KEY = "9"
CONFIRM_KEY = "1"
RETYPE_KEY = "2"


def step_url(path: str, **params: str | int) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _say(node: VoiceResponse | Gather, text: str, lang: Language) -> None:
    """In the language's named voice (the registry's), so that every <Say> sounds the same
    whatever Twilio's default."""
    info = language_info(lang)
    node.say(text, voice=info.voice, language=info.locale)


def _say_all(node: VoiceResponse | Gather, keys: list[str], lang: Language) -> None:
    for key in keys:
        _say(node, render(key, lang), lang)


def _gather(response: VoiceResponse, action: str, **options: str | int) -> Gather:
    gather = Gather(
        input="dtmf",
        action=action,
        method="POST",
        timeout=GATHER_TIMEOUT_SECONDS,
        action_on_empty_result=True,
        **options,
    )
    response.append(gather)
    return gather


def menu(lang: Language, attempt: int, preface: list[str], switched: bool = False) -> str:
    """Ask for the number that called, ending with #. Offers the next language until used."""
    response = VoiceResponse()
    _say_all(response, preface, lang)
    params: dict[str, str | int] = {"lang": lang, "attempt": attempt}
    if switched:
        params["sw"] = 1
    action = step_url(NUMBER_PATH, **params)
    gather = _gather(response, action, finish_on_key="#")
    _say(gather, render("voice/menu", lang), lang)
    if not switched:
        other = next_language(lang)
        _say(gather, render("voice/switch", other), other)
    response.redirect(action, method="POST")
    return str(response)


def readback(lang: Language, number: Number, attempt: int, preface: list[str]) -> str:
    """Read the typed number back and ask for 1 (confirm) or 2 (retype)."""
    response = VoiceResponse()
    _say_all(response, preface, lang)
    action = step_url(CONFIRM_PATH, lang=lang, n=number.canonical, attempt=attempt)
    gather = _gather(response, action, num_digits=1)
    _say(gather, render("voice/readback", lang, number=spoken_digits(number, lang)), lang)
    response.redirect(action, method="POST")
    return str(response)


SmsFollow = Literal["sms", "none", "opted_out"]
_FOLLOW_PROMPTS: dict[SmsFollow, str] = {
    "sms": "voice/sms_follows",
    "none": "voice/no_sms",  # withheld: nowhere to send it
    "opted_out": "voice/opted_out",  # STOP was sent: no SMS, and no promise of one
}


def recorded(lang: Language, number: Number, follow: SmsFollow) -> str:
    """Thanks, the advice for calls from that kind of number, whether an SMS follows; hang up."""
    response = VoiceResponse()
    follow_key = _FOLLOW_PROMPTS[follow]
    _say_all(response, ["voice/recorded", advice_key(number), follow_key, "voice/goodbye"], lang)
    response.hangup()
    return str(response)


def give_up(lang: Language, preface: list[str]) -> str:
    """After the last chance: say why, how else to report, goodbye; hang up."""
    response = VoiceResponse()
    _say_all(response, [*preface, "voice/give_up"], lang)
    response.hangup()
    return str(response)


def forwarded_call() -> str:
    """What a forwarded (suspect) caller hears: neutral, nothing recorded, then hang up."""
    response = VoiceResponse()
    _say(response, render("voice/forward/neutral", DEFAULT_LANGUAGE), DEFAULT_LANGUAGE)
    response.hangup()
    return str(response)
