"""The small file `scamline run` keeps under VAR_DIR (`var/run.json`) while it runs: the URL of
the bot it started, so that `scamline simulate` in another terminal finds it, and which Redis
and database that bot uses. It is removed when `scamline run` stops; one left by a killed run
is ignored, as its process is gone."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

RUN_FILE = "run.json"


@dataclass(frozen=True)
class RunInfo:
    url: str  # where the web app listens, e.g. http://127.0.0.1:8000
    pid: int  # the `scamline run` process
    redis: str  # which Redis and database number, for people (no password)
    database: str  # the database URL, password hidden


def run_file(var_dir: Path) -> Path:
    return var_dir / RUN_FILE


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def write_run_info(var_dir: Path, info: RunInfo) -> None:
    var_dir.mkdir(parents=True, exist_ok=True)
    partial = var_dir / f".{RUN_FILE}.{info.pid}"
    partial.write_text(json.dumps(asdict(info), indent=2) + "\n", encoding="utf-8")
    partial.replace(run_file(var_dir))  # readers never see half a file


def read_run_info(var_dir: Path) -> RunInfo | None:
    """The running `scamline run`'s details, or None if none runs from this VAR_DIR."""
    try:
        data = json.loads(run_file(var_dir).read_text(encoding="utf-8"))
        info = RunInfo(
            url=str(data["url"]),
            pid=int(data["pid"]),
            redis=str(data.get("redis", "")),
            database=str(data.get("database", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info if pid_alive(info.pid) else None


def remove_run_info(var_dir: Path, pid: int) -> None:
    """Remove the run file if it is this process's (a later run may have replaced it)."""
    path = run_file(var_dir)
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == pid:
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass
