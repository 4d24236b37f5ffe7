"""Texts that services raise for people to read, kept translatable by the console.

A message is an English gettext message id with `%(name)s` parameters. `str(error)` is the
English text (the CLI, logs and the API show it); the console looks the id up in its catalogue
(bot/web/translations) and fills the parameters in the analyst's language.
"""

from __future__ import annotations

import re


def N_(message: str) -> str:
    """Marks a message id for the catalogues (`pybabel extract`); translated where shown."""
    return message


class Translatable(ValueError):
    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid = msgid
        self.params = params


_PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)[sd]")


def parameters(msgid: str, text: str) -> dict[str, str] | None:
    """The parameters that made `text` from `msgid`, or None when `text` is not that message:
    how a message stored in English (an admins' alert) is shown again in another language."""
    pattern = _PLACEHOLDER.sub(lambda m: f"(?P<{m.group(1)}>.+?)", re.escape(msgid))
    match = re.fullmatch(pattern, text, flags=re.DOTALL)
    return match.groupdict() if match else None
