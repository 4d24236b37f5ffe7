"""Search by number (any spelling), domain (defanged or plain) or text, for the API and console.

A query is tried as each kind it could be: "AMELI" is a sender name and a word in texts,
"colis-frais.test" a domain and a text. Text search is a substring match with the user's `%` and
`_` taken literally, and a length limit: it scans report bodies, so it is kept for short,
specific strings (a pg_trgm index would make it fast on PostgreSQL; not assumed here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Domain, Report, ReportDomain, ReportedNumber
from bot.domain.numbers import canonical_lookup
from bot.services.domains import domain_key

MAX_QUERY = 100
MIN_TEXT = 3
Kind = Literal["number", "domain", "text"]
KINDS: tuple[Kind, ...] = ("number", "domain", "text")


class QueryTooLong(ValueError):
    pass


@dataclass
class SearchResult:
    numbers: list[ReportedNumber] = field(default_factory=list)
    domains: list[Domain] = field(default_factory=list)
    report_ids: list[int] = field(default_factory=list)

    def add_reports(self, ids: list[int], limit: int) -> None:
        for report_id in ids:
            if report_id not in self.report_ids and len(self.report_ids) < limit:
                self.report_ids.append(report_id)
        self.report_ids.sort(reverse=True)


def exposed_records(found: SearchResult, reports: Sequence[Report]) -> set[tuple[str, str]]:
    """What a search's results show, in the view quota's units: each number and domain listed,
    and each report's number (else its domains, else the report itself)."""
    records = {("number", n.number) for n in found.numbers}
    records |= {("domain", d.domain) for d in found.domains}
    for report in reports:
        if report.number is not None:
            records.add(("number", report.number.number))
        elif report.domains:
            records |= {("domain", domain) for domain in report.domains}
        else:
            records.add(("report", str(report.id)))
    return records


def like_pattern(query: str) -> str:
    """`%query%` with the user's own wildcards and the escape character taken literally."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_number(session: Session, query: str, limit: int = 50) -> SearchResult:
    result = SearchResult()
    canonical = canonical_lookup(query)
    if canonical is None:
        return result
    number = session.scalars(
        select(ReportedNumber).where(ReportedNumber.number == canonical)
    ).one_or_none()
    if number is not None:
        result.numbers.append(number)
        ids = session.scalars(
            select(Report.id)
            .where(Report.number_id == number.id)
            .order_by(Report.id.desc())
            .limit(limit)
        ).all()
        result.add_reports(list(ids), limit)
    return result


def search_domain(session: Session, query: str, limit: int = 50) -> SearchResult:
    """`hxxps://www.colis-frais[.]test/x`, `colis-frais.test` or `COLIS-FRAIS.TEST` all match."""
    result = SearchResult()
    key = domain_key(query) if "." in query.replace("[.]", ".") else None
    if key is None:
        return result
    domain = session.scalars(select(Domain).where(Domain.domain == key)).one_or_none()
    if domain is not None:
        result.domains.append(domain)
        ids = session.scalars(
            select(ReportDomain.report_id)
            .where(ReportDomain.domain_id == domain.id)
            .order_by(ReportDomain.report_id.desc())
            .limit(limit)
        ).all()
        result.add_reports(list(ids), limit)
    return result


def search_text(session: Session, query: str, limit: int = 50) -> SearchResult:
    result = SearchResult()
    query = query.replace("\x00", "").strip()
    if len(query) < MIN_TEXT:
        return result
    # ILIKE on PostgreSQL; SQLAlchemy renders lower() LIKE lower() on SQLite.
    ids = session.scalars(
        select(Report.id)
        .where(Report.body.ilike(like_pattern(query), escape="\\"))
        .order_by(Report.id.desc())
        .limit(limit)
    ).all()
    result.add_reports(list(ids), limit)
    return result


def search(
    session: Session, query: str, kinds: tuple[Kind, ...] = KINDS, limit: int = 50
) -> SearchResult:
    """Every interpretation of the query that finds something, merged."""
    query = query.replace("\x00", "").strip()
    if len(query) > MAX_QUERY:
        raise QueryTooLong(f"at most {MAX_QUERY} characters")
    merged = SearchResult()
    searches = {"number": search_number, "domain": search_domain, "text": search_text}
    for kind in kinds:
        found = searches[kind](session, query, limit)
        merged.numbers += [n for n in found.numbers if n not in merged.numbers]
        merged.domains += [d for d in found.domains if d not in merged.domains]
        merged.add_reports(found.report_ids, limit)
    return merged
