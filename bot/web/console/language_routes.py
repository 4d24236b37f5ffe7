"""The header's language switch: remembers the choice in a cookie and comes back to the page.

Open to signed-out visitors too (the sign-in page has the switch). The page to come back to is
only ever a console path: the switch is no open redirect.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from bot.settings import get_settings
from bot.web.console.i18n import COOKIE_MAX_AGE, COOKIE_NAME, as_language
from bot.web.console.rendering import redirect

router = APIRouter(prefix="/console")

HOME = "/console/"
# A console path and its query, printable ASCII without backslashes; never `//host`.
_CONSOLE_PATH = re.compile(r"^/console(?:/(?!/)[\x21-\x5b\x5d-\x7e]*)?$")


def safe_back(back: str) -> str:
    return back if _CONSOLE_PATH.fullmatch(back) else HOME


@router.get("/language/{lang}")
def switch_language(lang: str, back: str = Query(HOME, alias="next", max_length=2000)) -> Response:
    chosen = as_language(lang)
    if chosen is None:
        raise HTTPException(404, "no such language")
    response = redirect(safe_back(back))
    response.set_cookie(
        COOKIE_NAME,
        chosen,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        secure=get_settings().secure_cookies,
        samesite="lax",
        path="/console",
    )
    return response
