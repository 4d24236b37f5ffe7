"""Templates and the response headers every console page carries.

Autoescape is on for every template, whatever its name: reported texts are hostile by
definition. The Content-Security-Policy allows no inline script and no third-party origin,
so even a missed escape could not run code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.web.console import charts, labels
from bot.web.console.display import decimal_text, percent_text, shown_number, time_tag
from bot.web.console.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    NATIVE_NAMES,
    Lang,
    Texts,
    request_language,
    translations,
)

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _path_segment(value: object) -> str:
    """A number or domain as one URL path segment (`+33...`, `evil[.]test`, `AMELI INFO`)."""
    return quote(str(value), safe="+")


@lru_cache(maxsize=len(LANGUAGES))
def environment(lang: Lang = DEFAULT_LANGUAGE) -> Environment:
    """One environment per language, its translations installed once (thread-safe to share)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # `{% trans %}` blocks read as one line of text, whatever their line breaks (babel.cfg too).
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    texts = Texts(lang)
    env.filters["seg"] = _path_segment
    env.filters["dt"] = lambda d: time_tag(d, lang)
    env.filters["family"] = lambda code: labels.family_label(texts, code)
    env.filters["status"] = lambda code: labels.label(texts, labels.STATUSES, code)
    env.filters["number_type"] = lambda code: labels.label(texts, labels.NUMBER_TYPES, code)
    env.filters["channel"] = lambda code: labels.label(texts, labels.CHANNELS, code)
    env.filters["trend"] = lambda code: labels.label(texts, labels.TRENDS, code)
    env.filters["verdict"] = lambda code: labels.label(texts, labels.VERDICTS, code)
    env.filters["role"] = lambda code: labels.label(texts, labels.ROLES, code)
    env.filters["reason"] = lambda code: labels.reason_label(texts, code)
    env.filters["feature"] = lambda code: labels.feature_label(texts, code)
    env.globals["shown_number"] = shown_number
    env.globals["decimal"] = lambda value: decimal_text(value, lang)
    env.globals["percent"] = lambda value, digits=1: percent_text(value, lang, digits)
    env.globals["bar_chart"] = charts.bar_chart
    env.globals["lang"] = lang
    env.globals["languages"] = [(code, NATIVE_NAMES[code]) for code in LANGUAGES]
    return env


def secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _here(request: Request, status_code: int) -> str | None:
    """Where the language switch comes back to: this page, when a GET can show it again.

    A page answering a form (a new account's QR code, a token shown once) has no switch. A
    refusal (an overlong search, views locked) comes back to its path alone: its query is not
    repeated in a link."""
    if request.method != "GET":
        return None
    path = quote(request.url.path, safe="/+")
    query = request.url.query
    return path + (f"?{query}" if query and status_code == 200 else "")


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    lang = request_language(request)
    html = (
        environment(lang)
        .get_template(template)
        .render(request=request, here=_here(request, status_code), **context)
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language, Cookie"
    secure(response)
    return response


def redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    secure(response)
    return response
