"""The console's language: French by default, English on request, with gettext catalogues.

The catalogues live in `bot/web/translations/<lang>/LC_MESSAGES/messages.po` (compiled to
`.mo`, shipped as package data). Their message ids are the English texts, so English needs no
catalogue. A request's language is, in order: the language cookie set by the header's switch,
then the browser's Accept-Language (French or English, whichever it prefers), then French.

Texts written by Python code (flash messages, notices) are translated when they are made, in
the language of the request that makes them: the next page is seen in that same language.
"""

from __future__ import annotations

import gettext as stdlib_gettext
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from babel.support import Translations
from fastapi import Request

from bot.messages import N_ as N_
from bot.messages import Translatable

Lang = Literal["fr", "en"]
LANGUAGES: tuple[Lang, ...] = ("fr", "en")
DEFAULT_LANGUAGE: Lang = "fr"
COOKIE_NAME = "scamline_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
# The language's own name, shown in the switch whatever the page's language.
NATIVE_NAMES: dict[Lang, str] = {"fr": "Français", "en": "English"}


def as_language(value: str | None) -> Lang | None:
    wanted = (value or "").strip().lower()
    return next((lang for lang in LANGUAGES if lang == wanted), None)


def accepted_language(header: str) -> Lang | None:
    """The console language an Accept-Language header prefers (`en-GB,en;q=0.9,fr;q=0.8`).

    Ranges are weighed by their q value (1 when absent), ties keep the header's order; a range
    with q=0 is refused. Only the primary subtag matters: `fr-CA` is French.
    """
    weighted: list[tuple[float, int, Lang]] = []
    for position, item in enumerate(header.split(",")[:32]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        lang = as_language(tag.split("-", 1)[0])
        if lang is not None and quality > 0:
            weighted.append((-quality, position, lang))
    return min(weighted)[2] if weighted else None


def request_language(request: Request) -> Lang:
    return (
        as_language(request.cookies.get(COOKIE_NAME))
        or accepted_language(request.headers.get("accept-language", ""))
        or DEFAULT_LANGUAGE
    )


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: Lang) -> stdlib_gettext.NullTranslations:
    if lang == "en":
        return stdlib_gettext.NullTranslations()  # the message ids are the English texts
    found = Translations.load(str(TRANSLATIONS_DIR), [lang], domain="messages")
    if not isinstance(found, Translations):
        raise RuntimeError(f"no compiled catalogue for {lang!r} under {TRANSLATIONS_DIR}")
    return found


@dataclass(frozen=True)
class Texts:
    """gettext for one language, with `%(name)s` parameters filled in (as in the templates)."""

    lang: Lang

    def gettext(self, message: str, **params: Any) -> str:
        text = translations(self.lang).gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, num: int, **params: Any) -> str:
        text = translations(self.lang).ngettext(singular, plural, num)
        return text % {"num": num, **params}

    def error(self, error: Translatable, **labelled: str) -> str:
        """A service's message in this language; `labelled` replaces parameters by labels."""
        return self.gettext(error.msgid, **(error.params | labelled))


def texts_for(request: Request) -> Texts:
    return Texts(request_language(request))
