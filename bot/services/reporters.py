"""Reporters, known only by pseudonym; their conversation state and opt-out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from bot.db.models import Reporter
from bot.db.types import utcnow
from bot.security.pseudonyms import encrypt_phone
from bot.services.dialect import insert_returning


def get_or_create_reporter(session: Session, pseudonym: str, phone: str | None) -> Reporter:
    now = utcnow()
    # Created, or seen again: either way the row comes back locked, in one statement.
    reporter = insert_returning(
        session,
        Reporter,
        {
            "pseudonym": pseudonym,
            "phone_enc": encrypt_phone(phone) if phone else None,
            "language": "fr",
            "language_chosen": False,
            "opted_out": False,
            "created_at": now,
            "last_seen_at": now,
        },
        "pseudonym",
        update={"last_seen_at": now},
    )
    assert reporter is not None  # DO UPDATE always returns the row
    if phone and reporter.phone_enc is None:
        reporter.phone_enc = encrypt_phone(phone)
    return reporter


def opt_out(reporter: Reporter) -> None:
    reporter.opted_out = True
    reporter.opted_out_at = utcnow()
    clear_awaiting(reporter)


def opt_in(reporter: Reporter) -> None:
    reporter.opted_out = False
    reporter.opted_out_at = None


def set_language(reporter: Reporter, language: str) -> None:
    reporter.language = language
    reporter.language_chosen = True


def await_sender(reporter: Reporter, report_id: int, ttl_seconds: int) -> None:
    reporter.awaiting_report_id = report_id
    reporter.awaiting_until = utcnow() + timedelta(seconds=ttl_seconds)


def awaited_report_id(reporter: Reporter) -> int | None:
    if reporter.awaiting_report_id is None or reporter.awaiting_until is None:
        return None
    if reporter.awaiting_until < utcnow():
        return None
    return reporter.awaiting_report_id


def clear_awaiting(reporter: Reporter) -> None:
    reporter.awaiting_report_id = None
    reporter.awaiting_until = None
