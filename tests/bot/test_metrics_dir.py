"""`scamline serve` prepares prometheus-client's multiprocess directory before any web process
starts: the configured one, emptied of a previous run's files, or a temporary one for several
workers; none for a single process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.metrics_dir import prepared_metrics_dir
from bot.settings import get_settings


@pytest.fixture(autouse=True)
def restored_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")  # put back as it was after each test
    get_settings.cache_clear()


def test_one_process_alone_needs_no_directory() -> None:
    with prepared_metrics_dir(1) as directory:
        assert directory is None
        assert get_settings().prometheus_multiproc_dir == ""


def test_several_workers_get_a_temporary_directory_removed_afterwards() -> None:
    with prepared_metrics_dir(2) as directory:
        assert directory is not None and directory.is_dir()
        assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(directory)
        assert get_settings().prometheus_multiproc_dir == str(directory)
    assert not directory.exists()


def test_the_configured_directory_is_emptied_of_metrics_files_and_kept(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "counter_123.db").write_bytes(b"stale")
    (tmp_path / "histogram_123.db").write_bytes(b"stale")
    (tmp_path / "notes.txt").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    get_settings.cache_clear()
    with prepared_metrics_dir(1) as directory:
        assert directory == tmp_path
        assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert tmp_path.is_dir()
