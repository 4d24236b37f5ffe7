"""The classifier's rules, read from `config/classifier.toml` and compiled once.

Patterns are matched against normalised text (see `bot.domain.textnorm`), with SMS abbreviations
folded by the table in the same file. Each list of patterns is compiled into one regex that only
matches whole words."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.domain.one_edit import OneEditIndex
from bot.domain.textnorm import normalise
from bot.settings import get_settings

_PLAIN_WORD = re.compile(r"[a-z]+")


def compile_patterns(patterns: list[str]) -> re.Pattern[str]:
    """One regex for a list of patterns, each matching whole words of normalised text only."""
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"(?<![a-z0-9€%+])(?:{body})(?![a-z0-9])")


@dataclass(frozen=True, slots=True)
class Signal:
    name: str
    weight: float
    regex: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Term:
    label: str  # the pattern as written in config
    weight: float
    regex: re.Pattern[str]
    fuzzy: tuple[str, ...]  # long plain words that also match one typo away


@dataclass(frozen=True, slots=True)
class FamilyRules:
    name: str
    terms: tuple[Term, ...]
    signs: tuple[Signal, ...]


@dataclass(frozen=True, slots=True)
class Rules:
    min_family_score: float
    min_risk: float
    shorteners: frozenset[str]
    messaging_domains: frozenset[str]
    weights: dict[str, float]
    acted: re.Pattern[str]
    signals: tuple[Signal, ...]
    families: tuple[FamilyRules, ...]
    abbreviations: dict[str, str]
    abbreviation_regex: re.Pattern[str] | None
    fuzzy: OneEditIndex  # the terms' long plain words, to be matched one typo away

    def normalise(self, text: str) -> str:
        """Normalised text with SMS abbreviations folded (`c moi` -> `c est moi`)."""
        text = normalise(text)
        if self.abbreviation_regex is None:
            return text
        return self.abbreviation_regex.sub(lambda m: self.abbreviations[m.group(0)], text)

    def weight(self, name: str) -> float:
        return self.weights.get(name, 0.0)


def _signal(name: str, spec: dict[str, Any]) -> Signal:
    return Signal(name, float(spec.get("weight", 1)), compile_patterns(list(spec["patterns"])))


def _term(pattern: str, weight: float, fuzzy_min_length: int) -> Term:
    fuzzy = tuple(
        part
        for part in pattern.split("|")
        if _PLAIN_WORD.fullmatch(part) and len(part) >= fuzzy_min_length
    )
    return Term(pattern, float(weight), compile_patterns([pattern]), fuzzy)


def rules_from_dict(data: dict[str, Any]) -> Rules:
    fuzzy_min_length = int(data.get("fuzzy_min_length", 6))
    families = tuple(
        FamilyRules(
            name=name,
            terms=tuple(
                _term(pattern, weight, fuzzy_min_length)
                for pattern, weight in spec.get("terms", {}).items()
            ),
            signs=tuple(_signal(sign, s) for sign, s in spec.get("signs", {}).items()),
        )
        for name, spec in data.get("families", {}).items()
    )
    abbreviations = {
        normalise(k).strip(): normalise(v).strip() for k, v in data.get("abbreviations", {}).items()
    }
    abbreviation_regex = None
    if abbreviations:
        keys = sorted(abbreviations, key=len, reverse=True)
        abbreviation_regex = re.compile(
            r"(?<= )(?:" + "|".join(re.escape(k) for k in keys) + r")(?= )"
        )
    return Rules(
        min_family_score=float(data.get("min_family_score", 3)),
        min_risk=float(data.get("min_risk", 2)),
        shorteners=frozenset(d.lower() for d in data.get("shorteners", [])),
        messaging_domains=frozenset(d.lower() for d in data.get("messaging_domains", [])),
        weights={k: float(v) for k, v in data.get("weights", {}).items()},
        acted=compile_patterns(list(data.get("acted", {}).get("patterns", ["(?!)"]))),
        signals=tuple(_signal(name, spec) for name, spec in data.get("signals", {}).items()),
        families=families,
        abbreviations=abbreviations,
        abbreviation_regex=abbreviation_regex,
        fuzzy=OneEditIndex(w for f in families for term in f.terms for w in term.fuzzy),
    )


@lru_cache(maxsize=4)
def load_rules(path: Path | None = None) -> Rules:
    with (path or get_settings().config_dir / "classifier.toml").open("rb") as fh:
        return rules_from_dict(tomllib.load(fh))
