"""The console's catalogues are complete and shipped as they are written: every text the console
shows has a French translation, spelled right with its accents and with the same parameters, and
the committed .mo files are the compiled .po files (`make messages` keeps both)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from spellchecker import SpellChecker

from bot.web.console.i18n import TRANSLATIONS_DIR

ROOT = Path(__file__).resolve().parents[3]
PO = TRANSLATIONS_DIR / "fr" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")

# Words the dictionaries lack: names, the console's trade words, and correct French that
# pyspellchecker's list does not hold (auditer, classifieur, signalant, sextorsion...).
ALLOWED = frozenset(
    {
        "scamline",
        "vitale",
        "crit",
        "e",
        "mail",
        "admin",
        "admins",
        "app",
        "blocklist",
        "defanged",
        "landline",
        "neutralised",
        "organisation",
        "sextortion",
        "sextorsion",
        "audité",
        "auditée",
        "auditées",
        "classifieur",
        "cliquables",
        "scannez",
        "signalant",
        "signalants",
        "télécoms",
    }
)
ELISIONS = frozenset({"l", "d", "n", "s", "j", "m", "t", "c", "qu", "quelqu", "jusqu", "lorsqu"})
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
_MARKUP = re.compile(r"<[^>]+>|/api/v1/\w+")
_WORD = re.compile(r"[^\W\d_]+")


@cache
def catalogue() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="fr")


def extracted(tmp_path: Path) -> Catalog:
    """What `make messages` would extract today, with the project's babel.cfg."""
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(pot), str(ROOT)]
    )
    with pot.open("rb") as handle:
        return read_po(handle)


def _texts(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def test_every_text_of_the_console_has_a_french_translation(tmp_path: Path) -> None:
    wanted = {message.id for message in extracted(tmp_path) if message.id}
    have = {message.id: message for message in catalogue() if message.id}
    assert sorted(map(str, wanted - set(have))) == [], "run `make messages` and translate"
    assert sorted(map(str, set(have) - wanted)) == [], "entries no text uses any more"
    for message in have.values():
        assert all(_texts(message.string)), f"untranslated: {message.id!r}"
        assert not message.fuzzy, f"fuzzy: {message.id!r}"


def test_translations_keep_their_parameters() -> None:
    assert [(m.id, errors) for m, errors in catalogue().check() if errors] == []
    for message in catalogue():
        if not message.id:
            continue
        wanted = {name for text in _texts(message.id) for name in _PLACEHOLDER.findall(text)}
        given = [set(_PLACEHOLDER.findall(text)) for text in _texts(message.string)]
        assert all(names <= wanted for names in given), message.id
        assert set().union(*given) == wanted, message.id


def test_the_catalogue_counts_plurals_the_french_way() -> None:
    assert catalogue().num_plurals == 2 and catalogue().plural_expr == "(n > 1)"


def test_the_compiled_catalogue_is_the_written_one() -> None:
    with MO.open("rb") as handle:
        compiled = read_mo(handle)
    written = {_texts(m.id): _texts(m.string) for m in catalogue() if m.id}
    shipped = {_texts(m.id): _texts(m.string) for m in compiled if m.id}
    assert shipped == written, "run `make messages`"


def _words(text: str) -> list[str]:
    return _WORD.findall(_MARKUP.sub(" ", _PLACEHOLDER.sub(" ", text)))


@cache
def dictionary(lang: str) -> SpellChecker:
    return SpellChecker(language=lang)


def _misspelled(lang: str, texts: list[str]) -> set[str]:
    known = dictionary(lang)
    return {
        word
        for text in texts
        for word in _words(text)
        if word.lower() not in known
        and word.lower() not in ALLOWED
        and word.lower() not in ELISIONS
        and not (word.isupper() and len(word) <= 5)  # CPF, ARCEP, SMS, URI
    }


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_console_is_spelled_right(lang: str) -> None:
    """A French word missing its accents ("numero", "desactive") is not in the dictionary."""
    texts = [
        text
        for message in catalogue()
        if message.id
        for text in _texts(message.string if lang == "fr" else message.id)
    ]
    assert _misspelled(lang, texts) == set()
