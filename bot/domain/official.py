"""Official numbers, sender names, domains and the brands scammers imitate, read from
`config/official.toml` once. An analyst tunes that file, not this code."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.domain.numbers import Number, parse_any
from bot.domain.textnorm import normalise
from bot.settings import get_settings


@dataclass(frozen=True, slots=True)
class Brand:
    key: str
    family: str
    names: tuple[str, ...]  # normalised phrases that claim the brand in a text
    tokens: tuple[str, ...]  # what a look-alike domain contains
    domains: tuple[str, ...]  # the brand's own registrable domains


@dataclass(frozen=True, slots=True)
class Official:
    domains: frozenset[str]
    suffixes: tuple[str, ...]
    numbers: dict[str, str]  # canonical number -> name
    brands: tuple[Brand, ...]
    min_fuzzy_length: int
    lookalike_ignore: frozenset[str]
    homoglyphs: tuple[tuple[str, str], ...]


def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=4)
def load_official(path: Path | None = None) -> Official:
    data = _load(path or get_settings().config_dir / "official.toml")
    brands = tuple(
        Brand(
            key=key,
            family=spec["family"],
            names=tuple(normalise(n).strip() for n in spec.get("names", [])),
            tokens=tuple(t.lower() for t in spec.get("tokens", [])),
            domains=tuple(d.lower() for d in spec.get("domains", [])),
        )
        for key, spec in data.get("brands", {}).items()
    )
    numbers: dict[str, str] = {}
    for raw, name in data.get("numbers", {}).items():
        number = parse_any(raw)
        if number is not None:
            numbers[number.canonical] = name
    brand_domains = {d for b in brands for d in b.domains}
    lookalike = data.get("lookalike", {})
    return Official(
        domains=frozenset(d.lower() for d in data.get("domains", [])) | brand_domains,
        suffixes=tuple(s.lower().lstrip(".") for s in data.get("official_suffixes", [])),
        numbers=numbers,
        brands=brands,
        min_fuzzy_length=int(lookalike.get("min_fuzzy_length", 5)),
        lookalike_ignore=frozenset(lookalike.get("ignore", [])),
        homoglyphs=tuple(lookalike.get("homoglyphs", {}).items()),
    )


def is_official_domain(domain: str) -> bool:
    """A registrable domain that belongs to an official body or a listed brand."""
    official = load_official()
    domain = domain.lower().strip(".")
    return domain in official.domains or any(
        domain.endswith("." + suffix) for suffix in official.suffixes
    )


def official_name(number: Number | None) -> str | None:
    """The body behind an official number or short code (`3646` -> `Assurance Maladie`)."""
    if number is None:
        return None
    return load_official().numbers.get(number.canonical)


def brands_named(normalised_text: str) -> list[Brand]:
    """Brands that a normalised text claims to be, in config order."""
    return [
        brand
        for brand in load_official().brands
        if any(f" {name} " in normalised_text for name in brand.names)
    ]
