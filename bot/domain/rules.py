"""The classifier's rules, read from `config/classifier.toml` and compiled once.

Patterns are matched against normalised text (see `bot.domain.textnorm`), with SMS abbreviations
folded by the table in the same file. Each list of patterns is compiled into one regex that only
matches whole words.

The patterns run on every reporter's text, so they run on RE2 (`google-re2`), whose matching
time is linear in the text whatever the pattern. On Python's backtracking engine, asks_payment's
`(send|need|pay) .{0,20}(money|(\\d+ ?)+€)` took 2.8 s on "send" and 24 digits, twice that for
each more digit. RE2 has no lookaround and no backreferences; a pattern it cannot run is refused
at load, by name."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import re2

from bot.domain.one_edit import OneEditIndex
from bot.domain.textnorm import normalise
from bot.settings import get_settings

_PLAIN_WORD = re.compile(r"[a-z]+")
# Patterns are only searched, never read for groups: without captures, RE2 answers with its DFA.
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.never_capture = True
_RE2_OPTIONS.log_errors = False
# RE2 has no lookbehind: the whole-word guards are matched characters, which is the same on
# normalised text, and so is the character class, as nothing but a-z, 0-9, €, % and + is left.
_WORD_BEFORE = "(?:^|[^a-z0-9€%+])"
_WORD_AFTER = "(?:[^a-z0-9]|$)"
_NEVER = r"[^\x00-\x{10FFFF}]"  # no character: matches nothing
LABEL = "label_"  # `label_<lang>` in a family's table: the family's name in that language


class Matcher(Protocol):
    def search(self, text: str) -> object | None: ...


class PatternError(ValueError):
    """A configured pattern that RE2 cannot run."""


def _re2(pattern: str, where: str) -> Matcher:
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        reason = b"".join(a for a in exc.args if isinstance(a, bytes)).decode() or str(exc)
        raise PatternError(f"{where}: pattern {pattern!r} cannot run on RE2: {reason}") from None


def compile_patterns(patterns: list[str], where: str) -> Matcher:
    """One regex for a list of patterns, each matching whole words of normalised text only.

    Each pattern is first compiled alone, so that the one RE2 refuses is named with `where` (its
    place in the rules file); an empty list matches nothing."""
    for pattern in patterns:
        _re2(pattern, where)
    body = "|".join(f"(?:{p})" for p in patterns) or _NEVER
    return _re2(f"{_WORD_BEFORE}(?:{body}){_WORD_AFTER}", where)


@dataclass(frozen=True, slots=True)
class Signal:
    name: str
    weight: float
    regex: Matcher


@dataclass(frozen=True, slots=True)
class Term:
    label: str  # the pattern as written in config
    weight: float
    regex: Matcher
    fuzzy: tuple[str, ...]  # long plain words that also match one typo away


@dataclass(frozen=True, slots=True)
class FamilyRules:
    name: str
    terms: tuple[Term, ...]
    signs: tuple[Signal, ...]
    # Its name for people, by language (`label_fr = "Colis"`): the console shows it.
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Rules:
    min_family_score: float
    min_risk: float
    shorteners: frozenset[str]
    messaging_domains: frozenset[str]
    weights: dict[str, float]
    acted: Matcher
    signals: tuple[Signal, ...]
    families: tuple[FamilyRules, ...]
    abbreviations: dict[str, str]  # normalised words -> their replacement, both space-separated
    longest_abbreviation: int  # in words
    fuzzy: OneEditIndex  # the terms' long plain words, to be matched one typo away

    def normalise(self, text: str) -> str:
        """Normalised text with SMS abbreviations folded (`c moi` -> `c est moi`).

        Word by word, the longest abbreviation that starts at a word is replaced, and the words
        it replaces are not read again: one dictionary look-up per word and length, no regex."""
        words = normalise(text).split()
        folded: list[str] = []
        i = 0
        while i < len(words):
            for size in range(min(self.longest_abbreviation, len(words) - i), 0, -1):
                replacement = self.abbreviations.get(" ".join(words[i : i + size]))
                if replacement is not None:
                    folded.append(replacement)
                    i += size
                    break
            else:
                folded.append(words[i])
                i += 1
        return " " + " ".join(folded) + " "

    def weight(self, name: str) -> float:
        return self.weights.get(name, 0.0)


def _signal(name: str, spec: dict[str, Any], where: str) -> Signal:
    patterns = list(spec["patterns"])
    return Signal(name, float(spec.get("weight", 1)), compile_patterns(patterns, where))


def _term(pattern: str, weight: float, fuzzy_min_length: int, where: str) -> Term:
    fuzzy = tuple(
        part
        for part in pattern.split("|")
        if _PLAIN_WORD.fullmatch(part) and len(part) >= fuzzy_min_length
    )
    return Term(pattern, float(weight), compile_patterns([pattern], where), fuzzy)


def rules_from_dict(data: dict[str, Any]) -> Rules:
    fuzzy_min_length = int(data.get("fuzzy_min_length", 6))
    families = tuple(
        FamilyRules(
            name=name,
            terms=tuple(
                _term(pattern, weight, fuzzy_min_length, f"families.{name}.terms")
                for pattern, weight in spec.get("terms", {}).items()
            ),
            signs=tuple(
                _signal(sign, s, f"families.{name}.signs.{sign}")
                for sign, s in spec.get("signs", {}).items()
            ),
            labels={
                key.removeprefix(LABEL): str(text)
                for key, text in spec.items()
                if key.startswith(LABEL)
            },
        )
        for name, spec in data.get("families", {}).items()
    )
    abbreviations = {
        normalise(k).strip(): normalise(v).strip() for k, v in data.get("abbreviations", {}).items()
    }
    return Rules(
        min_family_score=float(data.get("min_family_score", 3)),
        min_risk=float(data.get("min_risk", 2)),
        shorteners=frozenset(d.lower() for d in data.get("shorteners", [])),
        messaging_domains=frozenset(d.lower() for d in data.get("messaging_domains", [])),
        weights={k: float(v) for k, v in data.get("weights", {}).items()},
        acted=compile_patterns(list(data.get("acted", {}).get("patterns", [])), "acted"),
        signals=tuple(
            _signal(name, spec, f"signals.{name}") for name, spec in data.get("signals", {}).items()
        ),
        families=families,
        abbreviations=abbreviations,
        longest_abbreviation=max((len(k.split()) for k in abbreviations), default=0),
        fuzzy=OneEditIndex(w for f in families for term in f.terms for w in term.fuzzy),
    )


def load_rules(path: Path | None = None) -> Rules:
    """The rules of `path`, by default the rules file of the settings' CONFIG_DIR."""
    return _load_rules(path or get_settings().config_dir / "classifier.toml")


@lru_cache(maxsize=4)
def _load_rules(path: Path) -> Rules:
    with path.open("rb") as fh:
        return rules_from_dict(tomllib.load(fh))
