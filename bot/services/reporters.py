"""Reporters, known only by pseudonym; their conversation state and opt-out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.db.models import Reporter
from bot.db.types import utcnow
from bot.domain.language import DEFAULT_LANGUAGE
from bot.security.pseudonyms import encrypt_phone


def get_or_create_reporter(session: Session, pseudonym: str, phone: str | None) -> Reporter:
    return get_or_create_reporters(session, {pseudonym: encrypt_phone(phone) if phone else None})[
        pseudonym
    ]


def get_or_create_reporters(
    session: Session, phones: Mapping[str, str | None]
) -> dict[str, Reporter]:
    """The reporters of these pseudonyms (with their encrypted phones), created or seen again.

    One statement for all: the rows come back locked until commit, in pseudonym order. A known
    reporter without a phone on record gets this one.
    """
    if not phones:
        return {}
    now = utcnow()
    rows = [
        {
            "pseudonym": pseudonym,
            "phone_enc": phone_enc,
            "language": DEFAULT_LANGUAGE,
            "language_chosen": False,
            "opted_out": False,
            "created_at": now,
            "last_seen_at": now,
        }
        for pseudonym, phone_enc in sorted(phones.items())
    ]
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(Reporter).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["pseudonym"],
        set_={
            "last_seen_at": now,
            "phone_enc": func.coalesce(Reporter.phone_enc, statement.excluded.phone_enc),
        },
    )
    reporters = session.scalars(
        statement.returning(Reporter), execution_options={"populate_existing": True}
    ).all()
    return {reporter.pseudonym: reporter for reporter in reporters}


def is_opted_out(session: Session, pseudonym: str) -> bool:
    """Whether this person sent STOP (and not START since): they get no SMS at all."""
    opted = session.scalar(select(Reporter.opted_out).where(Reporter.pseudonym == pseudonym))
    return bool(opted)


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
