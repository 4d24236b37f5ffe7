"""Domains named in reports: counted as reports arrive, and given a status by analysts.

Domains are stored defanged (`colis-frais[.]test`), like the report's own indicator list, so a
console, a log or a CSV opened by a human never holds a clickable link. Only the operators' feed
refangs them (see services.blocklist).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot.db.models import Domain, DomainStatusChange, Report, ReportDomain
from bot.db.types import utcnow
from bot.domain.indicators import defang, refang, registrable_domain
from bot.domain.statuses import VettingStatus
from bot.services.dialect import earlier_of, insert_ignore_many, later_of, upsert_many

STATUSES = tuple(VettingStatus)


class UnknownStatus(ValueError):
    pass


def domain_key(raw: str) -> str | None:
    """The stored (defanged) key for any spelling: `hxxps://www.a[.]test/x`, `A.TEST`, `a.test`."""
    text = refang(raw.strip()).lower()
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    host = text.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].split(":", 1)[0]
    domain = registrable_domain(host)
    return defang(domain) if domain else None


def record_domains(
    session: Session, reports: Sequence[tuple[int, Sequence[str], datetime]]
) -> list[int]:
    """Count the domains of new reports (report id, defanged domains, received at) and link them.

    Two statements for any number of reports: one upsert counts each domain (its rows locked
    until commit, in sorted order, so that two workers never wait on each other in a cycle);
    one insert links the reports to them. Returns the domains' ids.
    """
    seen: dict[str, list[datetime]] = {}
    for _, domains, at in reports:
        for value in set(domains):
            seen.setdefault(value, []).append(at)
    rows = [
        {
            "domain": value,
            "report_count": len(times),
            "first_seen_at": min(times),
            "last_seen_at": max(times),
            "status": VettingStatus.NEW,
        }
        for value, times in seen.items()
    ]
    counted = upsert_many(
        session,
        Domain,
        rows,
        "domain",
        lambda new: {
            "report_count": Domain.report_count + new.report_count,
            "first_seen_at": earlier_of(Domain.first_seen_at, new.first_seen_at),
            "last_seen_at": later_of(Domain.last_seen_at, new.last_seen_at),
        },
        Domain.id,
        Domain.domain,
    )
    ids = {value: domain_id for domain_id, value in counted}
    links = [
        {"report_id": report_id, "domain_id": ids[value]}
        for report_id, domains, _ in reports
        for value in sorted(set(domains))
    ]
    insert_ignore_many(session, ReportDomain, links, "report_id", "domain_id")
    return sorted(ids.values())


def find_domain(session: Session, raw: str) -> Domain | None:
    key = domain_key(raw)
    if key is None:
        return None
    return session.scalars(select(Domain).where(Domain.domain == key)).one_or_none()


def set_domain_status(
    session: Session, domain: Domain, new_status: str, actor: str, note: str | None
) -> bool:
    """Change a domain's status and keep the history. Returns whether anything changed.

    `status_reason` is what the blocklist feed publishes as "why": the analyst's note.
    """
    if new_status not in STATUSES:
        raise UnknownStatus(new_status)
    locked = session.scalars(select(Domain).where(Domain.id == domain.id).with_for_update()).one()
    if locked.status == new_status:
        return False
    session.add(
        DomainStatusChange(
            domain_id=locked.id,
            actor=actor,
            from_status=locked.status,
            to_status=new_status,
            note=note,
        )
    )
    locked.status = new_status
    locked.status_changed_at = utcnow()
    locked.status_reason = note
    session.flush()
    return True


def domain_history(session: Session, domain_id: int) -> list[DomainStatusChange]:
    """Who changed this domain's status, when and why, newest first."""
    return list(
        session.scalars(
            select(DomainStatusChange)
            .where(DomainStatusChange.domain_id == domain_id)
            .order_by(DomainStatusChange.at.desc(), DomainStatusChange.id.desc())
        ).all()
    )


@dataclass
class DomainConfirmation:
    """What confirm_domains did, by domain (defanged)."""

    confirmed: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    kept_legitimate: list[str] = field(default_factory=list)


def confirm_domains(
    session: Session, domains: Sequence[Domain], actor: str, note: str
) -> DomainConfirmation:
    """Confirm these domains as scams (they enter the blocklist feed with `note` as the reason).

    As for numbers in a campaign, a domain an analyst judged legitimate keeps that verdict: a
    bulk action does not overrule a decision taken on the domain's own page."""
    outcome = DomainConfirmation()
    for domain in sorted(domains, key=lambda d: d.id):
        if domain.status == VettingStatus.CONFIRMED_SCAM:
            outcome.already.append(domain.domain)
        elif domain.status == VettingStatus.LEGITIMATE:
            outcome.kept_legitimate.append(domain.domain)
        elif set_domain_status(session, domain, VettingStatus.CONFIRMED_SCAM, actor, note):
            outcome.confirmed.append(domain.domain)
    return outcome


def domains_named(
    session: Session, reports: ColumnElement[bool], limit: int
) -> list[tuple[Domain, int]]:
    """The domains named in the reports that `reports` selects (a number's, a campaign's), with
    how many of those reports name each, most named first."""
    count = func.count(ReportDomain.report_id)
    rows = session.execute(
        select(Domain, count)
        .join(ReportDomain, ReportDomain.domain_id == Domain.id)
        .join(Report, Report.id == ReportDomain.report_id)
        .where(reports)
        .group_by(Domain.id)
        .order_by(count.desc(), Domain.id)
        .limit(limit)
    ).all()
    return [(domain, int(n)) for domain, n in rows]


def named_domain_records(
    session: Session, reports: ColumnElement[bool], wanted: Collection[str]
) -> list[Domain]:
    """The domains among `wanted` (defanged) that the reports `reports` selects name; others are
    ignored, so a form cannot confirm a domain through a number or campaign that never named it."""
    if not wanted:
        return []
    named = (
        select(ReportDomain.domain_id)
        .join(Report, Report.id == ReportDomain.report_id)
        .where(reports)
    )
    return list(
        session.scalars(
            select(Domain)
            .where(Domain.id.in_(named), Domain.domain.in_(sorted(set(wanted))))
            .order_by(Domain.id)
        )
    )


def number_domains(session: Session, number_id: int, limit: int = 50) -> list[tuple[Domain, int]]:
    return domains_named(session, Report.number_id == number_id, limit)


def number_domain_records(
    session: Session, number_id: int, wanted: Collection[str]
) -> list[Domain]:
    return named_domain_records(session, Report.number_id == number_id, wanted)
