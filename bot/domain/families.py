"""The scam families: the `[families.<name>]` tables of the rules file (config/classifier.toml),
in the file's order, then `unknown` (no known pattern, which includes every genuine message).

The rules file is the only list. The names are stored in the database and are the learned
model's classes, and their order gives the model's rule columns (`rule:<family>`): renaming,
removing or moving a family means retraining, and renaming one a data migration too.

A family needs its advice in every language: `prompts/<lang>/sms/advice/<family>.txt`, its
`_short` wording and the call's (`call/<family>.txt`, `call/<family>_short.txt`). The families
are checked when first read, and any of these stops them from loading, every problem named:
- a family without one of its advice prompts, in any language;
- an advice prompt for no family (a typo, or a family renamed in the rules only);
- `unknown`, or a name that cannot be a prompt file and a 32-character column, as a family;
- a brand of config/official.toml that claims a family the rules do not have."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import overload

from bot.domain.language import LANGUAGES
from bot.domain.official import load_official
from bot.domain.rules import load_rules
from bot.settings import get_settings

UNKNOWN = "unknown"
# Advice that belongs to no family: the urgent steps, the generic protective advice, "it looks
# genuine" and "is it really them?" for an official number.
GENERAL_ADVICE = frozenset({"acted", "cautious", "genuine_signs", "official_number"})
ADVICE_DIRS = ("sms/advice", "sms/advice/call")
SHORT = "_short"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


class FamilyError(ValueError):
    """The families of the rules file disagree with the prompts or official.toml."""


def family_problems(
    names: Sequence[str], prompts_dir: Path, brand_families: dict[str, str]
) -> list[str]:
    """Everything wrong with these families, each named; empty when they can load.

    `brand_families`: brand key -> the family it claims, from config/official.toml."""
    problems = [
        f"family {name!r}: a family is 1 to 32 of a-z, 0-9 and _, starting with a letter"
        for name in names
        if not _NAME.fullmatch(name)
    ]
    problems += [
        f"family {name!r}: reserved (no known pattern, given the generic advice)"
        for name in names
        if name == UNKNOWN or name in GENERAL_ADVICE
    ]
    problems += [
        f"brand {brand!r} of official.toml: family {family!r} is not in the rules"
        for brand, family in brand_families.items()
        if family not in names
    ]
    known = set(names) | GENERAL_ADVICE
    for lang in LANGUAGES:
        for directory in ADVICE_DIRS:
            folder = prompts_dir / lang / directory
            problems += [
                f"{folder / f'{name}{suffix}.txt'}: missing (family {name!r} of the rules)"
                for name in names
                for suffix in ("", SHORT)
                if not (folder / f"{name}{suffix}.txt").is_file()
            ]
            problems += [
                f"{path}: advice for {path.stem.removesuffix(SHORT)!r}, which is no family"
                for path in sorted(folder.glob("*.txt"))
                if path.stem.removesuffix(SHORT) not in known
            ]
    return problems


@lru_cache(maxsize=4)
def _checked(names: tuple[str, ...], prompts_dir: Path) -> tuple[str, ...]:
    brands = {brand.key: brand.family for brand in load_official().brands}
    problems = family_problems(names, prompts_dir, brands)
    if problems:
        raise FamilyError(
            "the scam families of the rules file (config/classifier.toml) cannot load:\n- "
            + "\n- ".join(problems)
        )
    return names


def scam_families() -> tuple[str, ...]:
    """The scam families, in the rules file's order (checked once, then cached)."""
    names = tuple(family.name for family in load_rules().families)
    return _checked(names, get_settings().prompts_dir)


def families() -> tuple[str, ...]:
    """Every family a report can have: the scam families, then `unknown`."""
    return (*scam_families(), UNKNOWN)


class FamilyNames(Sequence[str]):
    """A read-only view of the families, read from the rules file on first use (not at import),
    for code that uses them as a constant: `family in FAMILIES`, `for f in SCAM_FAMILIES`."""

    def __init__(self, read: Callable[[], tuple[str, ...]]) -> None:
        self._read = read

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self._read()[index]

    def __len__(self) -> int:
        return len(self._read())

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __contains__(self, value: object) -> bool:
        return value in self._read()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FamilyNames):
            return self._read() == other._read()
        return self._read() == other

    def __hash__(self) -> int:
        return hash(self._read())

    def __repr__(self) -> str:
        return repr(self._read())


FAMILIES = FamilyNames(families)
SCAM_FAMILIES = FamilyNames(scam_families)
