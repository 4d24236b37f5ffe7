"""Refusals on the console's pages (no such number, admins only, a wrong CSRF token...) as a
page in the analyst's language rather than FastAPI's JSON. The API keeps its JSON errors.

Only the code's own messages are shown (each marked for the catalogues here or where it is
raised); any other detail gives the status's general message, so no request can choose the
text a page shows.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from bot.web.console.i18n import N_, texts_for
from bot.web.console.rendering import render

# What the console's routes raise, word for word.
MESSAGES = frozenset(
    {
        N_("this number was never reported"),
        N_("this domain was never reported"),
        N_("no such campaign"),
        N_("no such report"),
        N_("no such account"),
        N_("no such action"),
        N_("no such token"),
        N_("no such language"),
        N_("admins only"),
        N_("missing or wrong CSRF token"),
        N_("choose one or more of the listed scopes"),
    }
)
GENERAL = {
    403: N_("This action is not allowed."),
    404: N_("There is no such page."),
    405: N_("This page cannot be used that way."),
}
TITLES = {403: N_("Not allowed"), 404: N_("Not found")}
REFUSED_TITLE = N_("Request refused")
REFUSED = N_("Request refused.")


async def console_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith("/console/") or not 400 <= exc.status_code < 500:
        return await http_exception_handler(request, exc)
    texts = texts_for(request)
    detail = exc.detail if isinstance(exc.detail, str) else ""
    message = detail if detail in MESSAGES else GENERAL.get(exc.status_code, REFUSED)
    said = texts.gettext(message)
    context = {
        "viewer": None,
        "alerts": 0,
        "title": texts.gettext(TITLES.get(exc.status_code, REFUSED_TITLE)),
        "message": said[:1].upper() + said[1:],
    }
    response = render(request, "console/error.html", context, status_code=exc.status_code)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response
