"""The Makefile's targets pass on what the README promises."""

from __future__ import annotations

import os
import subprocess

from bot.settings import REPO_ROOT


def _planned(*args: str) -> list[str]:
    """The commands `make ARGS` would run, without running them."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "PORT"},
    )
    return result.stdout.splitlines()


def test_make_run_serves_on_the_port_given() -> None:
    assert _planned("run", "PORT=8123")[-1].endswith("/scamline run --port 8123")


def test_make_run_defaults_to_port_8000() -> None:
    assert _planned("run")[-1].endswith("/scamline run --port 8000")
