"""The operators' blocklist: confirmed scam numbers and domains, with when and why.

Only status `confirmed_scam` is listed, so a later `legitimate` (or any other) verdict removes an
entry at the next fetch. Domains are published REFANGED (`colis-frais.test`, not
`colis-frais[.]test`): operators' filters match plain domains, and no human is meant to read the
feed in a browser. Everywhere else (database, console, search API) they stay defanged.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AuditEntry, Domain, ReportedNumber
from bot.domain.indicators import refang
from bot.domain.statuses import VettingStatus

CSV_FIELDS = ("type", "value", "confirmed_at", "reason")
# A spreadsheet runs a cell starting with these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# An E.164 number is "+" and digits: a spreadsheet reads it as a number, never runs anything, and
# operators' tools need the "+". Only that exact shape is exempt from the quote.
_E164 = re.compile(r"^\+\d{1,15}$")


@dataclass(frozen=True, slots=True)
class Entry:
    type: Literal["number", "domain"]
    value: str
    confirmed_at: datetime | None
    reason: str | None
    # What reports tell (the STIX feed's sightings): first and last report, how many.
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    report_count: int = 0
    number_type: str | None = None  # mobile, short_code, sender_name... (numbers only)


def entries(session: Session) -> list[Entry]:
    """All confirmed numbers, then all confirmed domains, oldest confirmation first."""
    numbers = session.scalars(
        select(ReportedNumber)
        .where(ReportedNumber.status == VettingStatus.CONFIRMED_SCAM)
        .order_by(ReportedNumber.status_changed_at, ReportedNumber.id)
    ).all()
    domains = session.scalars(
        select(Domain)
        .where(Domain.status == VettingStatus.CONFIRMED_SCAM)
        .order_by(Domain.status_changed_at, Domain.id)
    ).all()
    return [
        Entry(
            "number",
            n.number,
            n.status_changed_at,
            n.status_reason,
            n.first_reported_at,
            n.last_reported_at,
            n.report_count,
            n.number_type,
        )
        for n in numbers
    ] + [
        Entry(
            "domain",
            refang(d.domain),
            d.status_changed_at,
            d.status_reason,
            d.first_seen_at,
            d.last_seen_at,
            d.report_count,
        )
        for d in domains
    ]


def safe_cell(value: str) -> str:
    """Quote a cell a spreadsheet would run as a formula, even though values are normalised."""
    if value.startswith(_FORMULA_START) and not _E164.match(value):
        return "'" + value
    return value


def to_csv(rows: list[Entry]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for row in rows:
        writer.writerow(
            [
                safe_cell(row.type),
                safe_cell(row.value),
                row.confirmed_at.isoformat() if row.confirmed_at else "",
                safe_cell(row.reason or ""),
            ]
        )
    return buffer.getvalue()


def audit_export(session: Session, actor: str, fmt: str, count: int, ip: str | None = None) -> None:
    """Exports are audited, like views. (The console's audit service may take this over.)"""
    session.add(
        AuditEntry(
            actor=actor,
            action="blocklist_export",
            target_type="blocklist",
            ip=ip,
            detail={"format": fmt, "entries": count},
        )
    )
