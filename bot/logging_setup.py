"""Logging configuration, with a filter that masks phone numbers and tokens in every record."""

from __future__ import annotations

import logging
import re

# International (+33..., 0033...) or French national (06...) spellings; dates and addresses
# (2026-11-29, 127.0.0.1) do not start with + or 0.
_PHONE = re.compile(r"(?<![\w:.+-])((?:\+|0)\d(?:[ .-]?\d){7,})")
_TOKEN = re.compile(r"\b(scl_[A-Za-z0-9_-]{6})[A-Za-z0-9_-]+")


class RedactingFilter(logging.Filter):
    """A last line of defence: code already masks numbers, this catches what slips through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN.sub(r"\1…", message)
        redacted = _PHONE.sub(lambda m: m.group(1)[:4] + "…", redacted)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if any(isinstance(f, RedactingFilter) for h in root.handlers for f in h.filters):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(level)
