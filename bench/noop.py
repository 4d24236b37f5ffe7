"""The no-op job: RQ's own ceiling for one worker class and serializer."""

from __future__ import annotations


def noop(n: int) -> int:
    return n
