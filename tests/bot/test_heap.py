"""The startup heap is frozen once per process, in fresh interpreters (the flag is per process)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from bot.settings import REPO_ROOT


def run_python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_freezing_takes_the_live_objects_out_of_full_collections_once() -> None:
    out = run_python(
        """
        import gc
        from bot.heap import freeze_startup_heap
        import fastapi, sqlalchemy  # a startup's worth of objects
        tracked = len(gc.get_objects())
        first, again = freeze_startup_heap(), freeze_startup_heap()
        print(first, again, gc.get_freeze_count() >= tracked * 0.9, len(gc.get_objects()) < 1000)
        """
    )
    assert out == "True False True True"


def test_garbage_cycles_made_after_freezing_are_still_collected() -> None:
    out = run_python(
        """
        import gc, weakref
        from bot.heap import freeze_startup_heap
        freeze_startup_heap()
        class Node: pass
        a, b = Node(), Node()
        a.other, b.other = b, a
        alive = weakref.ref(a)
        del a, b
        gc.collect()
        print(alive() is None)
        """
    )
    assert out == "True"


def test_the_web_app_freezes_its_heap_when_it_starts() -> None:
    out = run_python(
        """
        import gc
        from fastapi.testclient import TestClient
        from bot.web.app import create_app
        before = gc.get_freeze_count()
        with TestClient(create_app()):
            print(before == 0, gc.get_freeze_count() > 50_000)
        """
    )
    assert out == "True True"
