"""The families come from the rules file alone, in its order, and agree with the shipped model;
they refuse to load, every problem named, when a family lacks its advice in a language, when
an advice prompt belongs to no family, or when a name or a brand's family is wrong."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from bot.domain.classifier import loaded_model
from bot.domain.families import (
    FAMILIES,
    SCAM_FAMILIES,
    UNKNOWN,
    FamilyError,
    families,
    family_problems,
    scam_families,
)
from bot.domain.language import LANGUAGES
from bot.domain.rule_scores import feature_names
from bot.settings import get_settings

ROOT = Path(__file__).resolve().parents[3]


def _brands() -> dict[str, str]:
    with (ROOT / "config" / "official.toml").open("rb") as fh:
        return {key: spec["family"] for key, spec in tomllib.load(fh)["brands"].items()}


def _settings_dir(monkeypatch: pytest.MonkeyPatch, name: str, path: Path) -> None:
    monkeypatch.setenv(name, str(path))
    get_settings.cache_clear()


def test_the_families_are_the_rules_tables_in_order_then_unknown() -> None:
    with (ROOT / "config" / "classifier.toml").open("rb") as fh:
        tables = tuple(tomllib.load(fh)["families"])
    assert scam_families() == tables
    assert families() == (*tables, UNKNOWN)
    assert tuple(FAMILIES) == families() and tuple(SCAM_FAMILIES) == scam_families()
    assert "bank" in FAMILIES and FAMILIES[-1] == UNKNOWN and len(SCAM_FAMILIES) == len(tables)


def test_the_shipped_model_was_trained_on_these_families_in_this_order() -> None:
    """The model's classes are the families, and its rule columns are in the rules' order."""
    model = loaded_model()
    assert sorted(model.classes) == sorted(families())
    assert feature_names(model.signal_names) == list(model.rule_names)


def test_the_shipped_prompts_and_brands_agree_with_the_families() -> None:
    assert family_problems(scam_families(), ROOT / "prompts", _brands()) == []


def test_a_family_without_its_advice_in_one_language_is_named(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    (prompts / "en" / "sms" / "advice" / "call" / "bank_short.txt").unlink()
    (prompts / "fr" / "sms" / "advice" / "parcel.txt").unlink()
    problems = family_problems(scam_families(), prompts, _brands())
    assert problems == [
        f"{prompts}/fr/sms/advice/parcel.txt: missing (family 'parcel' of the rules)",
        f"{prompts}/en/sms/advice/call/bank_short.txt: missing (family 'bank' of the rules)",
    ]


def test_an_advice_prompt_for_no_family_is_named(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    (prompts / "fr" / "sms" / "advice" / "parcel.txt").rename(
        prompts / "fr" / "sms" / "advice" / "parcels.txt"
    )
    problems = family_problems(scam_families(), prompts, _brands())
    assert f"{prompts}/fr/sms/advice/parcels.txt: advice for 'parcels', which is no family" in (
        problems
    )
    assert len(problems) == 2  # and parcel's own advice is missing


def test_reserved_and_malformed_names_and_a_brands_unknown_family_are_named() -> None:
    names = ["bank", UNKNOWN, "cautious", "Lottery", "x" * 33]
    problems = family_problems(names, ROOT / "prompts", {"ameli": "health_insurance"})
    assert "family 'unknown': reserved (no known pattern, given the generic advice)" in problems
    assert "family 'cautious': reserved (no known pattern, given the generic advice)" in problems
    assert any(p.startswith("family 'Lottery': a family is 1 to 32 of a-z") for p in problems)
    assert any(p.startswith(f"family '{'x' * 33}': a family is") for p in problems)
    assert "brand 'ameli' of official.toml: family 'health_insurance' is not in the rules" in (
        problems
    )


def test_a_family_added_to_the_rules_alone_stops_them_from_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    shutil.copy(ROOT / "config" / "official.toml", config)
    rules = (ROOT / "config" / "classifier.toml").read_text(encoding="utf-8")
    (config / "classifier.toml").write_text(
        rules + "\n[families.lottery.terms]\n'loto|lottery' = 3\n", encoding="utf-8"
    )
    _settings_dir(monkeypatch, "CONFIG_DIR", config)
    with pytest.raises(FamilyError) as refused:
        scam_families()
    message = str(refused.value)
    assert message.startswith("the scam families of the rules file")
    for lang in LANGUAGES:
        for key in ("lottery", "lottery_short", "call/lottery", "call/lottery_short"):
            assert f"/{lang}/sms/advice/{key}.txt: missing (family 'lottery'" in message


def test_a_stray_prompt_stops_the_families_from_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    (prompts / "en" / "sms" / "advice" / "call" / "lotery.txt").write_text("Hang up.\n")
    _settings_dir(monkeypatch, "PROMPTS_DIR", prompts)
    with pytest.raises(FamilyError, match=r"call/lotery\.txt: advice for 'lotery'"):
        families()
