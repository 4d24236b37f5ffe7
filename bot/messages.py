"""Texts that services raise for people to read, kept translatable by the console.

A message is an English gettext message id with `%(name)s` parameters. `str(error)` is the
English text (the CLI, logs and the API show it); the console looks the id up in its catalogue
(bot/web/translations) and fills the parameters in the analyst's language.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message id for the catalogues (`pybabel extract`); translated where shown."""
    return message


class Translatable(ValueError):
    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid = msgid
        self.params = params
