"""Reports and the per-number log: counts, distinct reporters, first and last seen, channels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session, lazyload

from bot.db.models import InboundEvent, NumberReporter, Report, ReportedNumber
from bot.domain.classifier import Classification
from bot.domain.indicators import Indicators
from bot.domain.numbers import Number
from bot.domain.statuses import VettingStatus
from bot.services.dialect import earlier_of, insert_ignore_into, later_of, upsert_many


@dataclass(frozen=True)
class NewReport:
    """What processing read from one event, to store as a report."""

    event: InboundEvent
    reporter_id: int | None
    channel: str
    body: str
    language: str
    indicators: Indicators
    classification: Classification
    number_id: int | None = None


def record_report(
    session: Session,
    event: InboundEvent,
    *,
    reporter_id: int | None,
    channel: str,
    body: str,
    language: str,
    indicators: Indicators,
    classification: Classification,
) -> Report:
    new = NewReport(event, reporter_id, channel, body, language, indicators, classification)
    return record_reports(session, [new])[0]


def record_reports(session: Session, reports: Sequence[NewReport]) -> list[Report]:
    """Insert reports in one statement; returns them in the order given."""
    if not reports:
        return []
    rows = [
        {
            "event_id": new.event.id,
            "source_sid": new.event.source_sid,
            "received_at": new.event.received_at,
            "channel": new.channel,
            "reporter_id": new.reporter_id,
            "number_id": new.number_id,
            "body": new.body,
            "family": new.classification.family,
            "language": new.language,
            "reasons": list(new.classification.reasons),
            "acted": new.classification.acted,
            "confidence": round(new.classification.confidence, 4),
            "verdict": new.classification.verdict.value,
            "predicted_family": new.classification.top_family,
            "numbers": [n.canonical for n in new.indicators.numbers],
            "domains": new.indicators.defanged_domains,
            "urls": new.indicators.defanged_urls,
        }
        for new in reports
    ]
    # A new report has no replies: not loading them (the relationship's selectin) saves a query.
    statement = (
        insert(Report)
        .returning(Report, sort_by_parameter_order=True)
        .options(lazyload(Report.replies))
    )
    # render_nulls: the ORM otherwise groups rows by which keys are None (a report with a number
    # and one without) and sends each group apart, often one row at a time.
    return list(session.scalars(statement, rows, execution_options={"render_nulls": True}).all())


@dataclass(frozen=True)
class Sighting:
    """One report naming a number: when, by which channel, and by whom."""

    number: Number
    seen_at: datetime
    channel: str
    reporter_id: int | None


@dataclass(frozen=True)
class NumberCount:
    number_id: int
    reporter_count: int  # distinct reporters of the number, this batch included
    status: str = "new"  # the analysts' verdict on the number


def count_reports_on_numbers(
    session: Session, sightings: Sequence[Sighting]
) -> dict[str, NumberCount]:
    """Count reports against their numbers, creating rows for new ones: three statements a batch.

    One upsert counts every number (its rows stay locked until commit, so concurrent workers
    never lose a count); one insert links each reporter to each number once; one update adds
    the reporters that were new to a number. Returns the counts by canonical number.
    """
    if not sightings:
        return {}
    by_number: dict[str, list[Sighting]] = {}
    for sighting in sightings:
        by_number.setdefault(sighting.number.canonical, []).append(sighting)
    counted = _upsert_counts(session, [_number_row(c, group) for c, group in by_number.items()])
    ids = {number: (number_id, reporters) for number_id, number, reporters, _ in counted}
    statuses = {number: status for _, number, _, status in counted}
    added = _link_reporters(session, sightings, {n: number_id for n, (number_id, _) in ids.items()})
    if added:
        # The rows are locked since the upsert, so these increments are safe.
        numbers = cast(Table, ReportedNumber.__table__)
        session.execute(
            update(numbers)
            .where(numbers.c.id == bindparam("number_id"))
            .values(reporter_count=numbers.c.reporter_count + bindparam("added")),
            [{"number_id": n, "added": k} for n, k in sorted(added.items())],
        )
    return {
        number: NumberCount(number_id, reporters + added[number_id], statuses[number])
        for number, (number_id, reporters) in ids.items()
    }


def _number_row(canonical: str, group: list[Sighting]) -> dict[str, Any]:
    """A number's row as the batch would create it, and what the batch adds to its counts."""
    calls = sum(1 for s in group if s.channel == "call")
    return {
        "number": canonical,
        "number_type": group[0].number.number_type.value,
        "country": group[0].number.country,
        "report_count": len(group),
        "reporter_count": 0,
        "sms_count": len(group) - calls,
        "call_count": calls,
        "first_reported_at": min(s.seen_at for s in group),
        "last_reported_at": max(s.seen_at for s in group),
        "status": VettingStatus.NEW,
    }


def _upsert_counts(session: Session, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert new numbers, add to the others' counts; rows of id, number, reporters, status."""
    table = ReportedNumber
    return upsert_many(
        session,
        ReportedNumber,
        rows,
        "number",
        lambda new: {
            "report_count": table.report_count + new.report_count,
            "sms_count": table.sms_count + new.sms_count,
            "call_count": table.call_count + new.call_count,
            "first_reported_at": earlier_of(table.first_reported_at, new.first_reported_at),
            "last_reported_at": later_of(table.last_reported_at, new.last_reported_at),
        },
        table.id,
        table.number,
        table.reporter_count,
        table.status,
    )


def _link_reporters(
    session: Session, sightings: Sequence[Sighting], ids: dict[str, int]
) -> Counter[int]:
    """Link each reporter to each number once; returns, by number id, the reporters new to it."""
    links: dict[tuple[int, int], datetime] = {}
    for sighting in sightings:
        if sighting.reporter_id is not None:
            pair = (ids[sighting.number.canonical], sighting.reporter_id)
            links[pair] = min(links.get(pair, sighting.seen_at), sighting.seen_at)
    added: Counter[int] = Counter()
    if links:
        linked = session.execute(
            insert_ignore_into(session, NumberReporter, "number_id", "reporter_id").returning(
                NumberReporter.number_id
            ),
            [
                {"number_id": n, "reporter_id": r, "first_reported_at": at}
                for (n, r), at in sorted(links.items())
            ],
        )
        added.update(number_id for (number_id,) in linked)
    return added


def attach_number(session: Session, report: Report, number: Number) -> ReportedNumber:
    """Log the report against its number, counting each reporter once per number."""
    sighting = Sighting(number, report.received_at, report.channel, report.reporter_id)
    count = count_reports_on_numbers(session, [sighting])[number.canonical]
    report.number_id = count.number_id
    record = session.get_one(ReportedNumber, count.number_id, populate_existing=True)
    report.number = record
    return record
