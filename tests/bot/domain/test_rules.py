"""The rules file is compiled for RE2: every configured pattern runs in linear time, a pattern
RE2 cannot run is refused by name, and abbreviations are folded word by word."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import re2

from bot.domain.rules import PatternError, Rules, compile_patterns, rules_from_dict

CONFIG = Path(__file__).resolve().parents[3] / "config" / "classifier.toml"
RE2_TYPE = type(re2.compile("a"))


@pytest.fixture(scope="module")
def rules() -> Rules:
    with CONFIG.open("rb") as fh:
        return rules_from_dict(tomllib.load(fh))


def test_every_configured_pattern_is_compiled_by_re2(rules: Rules) -> None:
    compiled = [rules.acted, *(s.regex for s in rules.signals)]
    for family in rules.families:
        compiled += [t.regex for t in family.terms] + [s.regex for s in family.signs]
    assert len(compiled) > 150
    assert all(isinstance(regex, RE2_TYPE) for regex in compiled)


@pytest.mark.parametrize(
    ("section", "where"),
    [
        ({"signals": {"urgency": {"patterns": ["vite", "(?<!pas )urgent"]}}}, "signals.urgency"),
        ({"acted": {"patterns": [r"(j ai) clique \1"]}}, "acted"),
        ({"families": {"bank": {"terms": {"banque(?=s)": 2}}}}, "families.bank.terms"),
        (
            {"families": {"bank": {"signs": {"courier": {"patterns": ["x{2000}"]}}}}},
            "families.bank.signs.courier",
        ),
    ],
)
def test_a_pattern_re2_cannot_run_is_refused_by_name(section: dict, where: str) -> None:
    with pytest.raises(PatternError) as refused:
        rules_from_dict(section)
    message = str(refused.value)
    assert message.startswith(f"{where}: pattern ")
    assert "cannot run on RE2" in message


def test_the_refused_pattern_is_the_one_named() -> None:
    with pytest.raises(PatternError, match=r"'\(\?<!pas \)urgent'"):
        compile_patterns(["vite", "(?<!pas )urgent", "now"], "signals.urgency")


def test_patterns_match_whole_words_only() -> None:
    regex = compile_patterns(["colis", r"\d+ €"], "test")
    assert regex.search(" votre colis est la ")
    assert regex.search(" colis ")
    assert regex.search("colis")
    assert not regex.search(" coliseum ")
    assert not regex.search(" xcolis ")
    assert regex.search(" payez 12 € ")
    assert not regex.search(" payez 312a € ")


def test_an_empty_list_matches_nothing() -> None:
    assert not compile_patterns([], "acted").search(" j ai clique ")
    assert not rules_from_dict({}).acted.search("  ")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ma securite sociale", True),
        ("securite sociale", True),
        ("mon numero de securite sociale", False),
        ("le renumero de securite sociale", False),
        ("numero du securite sociale", True),
        ("de securite sociale", True),
        ("numero de securite sociale et mes cotisations", True),
    ],
)
def test_securite_sociale_is_a_term_unless_it_follows_numero_de(
    rules: Rules, text: str, found: bool
) -> None:
    (term,) = [t for f in rules.families for t in f.terms if t.label.endswith("|cotisations?")]
    assert bool(term.regex.search(rules.normalise(text))) is found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("votre ligne sera coupee", True),
        ("ligne", True),
        ("payez en ligne", False),
        ("payez ligne", True),
        ("ma ligne et mon forfait", True),
        ("en ligne mais votre forfait", True),
    ],
)
def test_ligne_is_a_term_unless_it_follows_en(rules: Rules, text: str, found: bool) -> None:
    (term,) = [t for f in rules.families for t in f.terms if t.label.endswith("|forfait")]
    assert bool(term.regex.search(rules.normalise(text))) is found


def test_abbreviations_fold_word_by_word_longest_first(rules: Rules) -> None:
    assert rules.normalise("C moi, jai jai perdu mon tel svp") == (
        " c est moi j ai j ai perdu mon telephone s il vous plait "
    )
    assert rules.normalise("ses moi") == " c est moi "
    assert rules.normalise("cestmoi ces moi") == " cestmoi ces moi "
    assert rules.normalise("") == "  "
