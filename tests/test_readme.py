"""The README's promises that code can check: a quick start of two commands, and the test
settings it names are the ones the tests read."""

from __future__ import annotations

import re

from bot.settings import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_the_quick_start_is_two_commands() -> None:
    section = README.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert [c for c in commands if c] == ["make run", "make test"]


def test_the_test_settings_named_are_the_ones_the_tests_read() -> None:
    conftest = (REPO_ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")
    named = set(re.findall(r"`(SCAMLINE_TEST_\w+)`", README))
    assert named == {"SCAMLINE_TEST_DB", "SCAMLINE_TEST_PG", "SCAMLINE_TEST_REDIS"}
    assert all(f'"{name}"' in conftest for name in named)
