"""Campaigns: reports of one scam template, grouped as they arrive, and confirmed at once.

Each report's SimHash is looked up by its four 16-bit bands in `campaign_simhash_bands`; only the
fingerprints that share a band are compared, so assigning a report costs a few index lookups
however many reports exist. A campaign keeps one row per band of each *distinct* fingerprint:
copies that differ only by link, number or amount normalise to the same fingerprint and add
nothing to the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.orm import Session

from bot.db.models import (
    Campaign,
    CampaignSimhashBand,
    Report,
    ReportedNumber,
)
from bot.db.types import utcnow
from bot.domain.simhash import (
    MAX_DISTANCE,
    bands,
    hamming,
    is_template,
    simhash,
    to_signed,
    to_unsigned,
)
from bot.services.dialect import earlier_of, insert_ignore_many, later_of
from bot.services.number_status import set_number_status

# pg_advisory_xact_lock(namespace, key): the namespace keeps these locks apart from others.
_LOCK_NAMESPACE = 7726


def _lock_bands(session: Session, keys: list[int]) -> None:
    """On PostgreSQL, serialise workers assigning near-identical reports at the same moment.

    Without it, the first two copies of a new template, processed in parallel, would each open
    a campaign. Locks are taken in sorted order (no deadlock) and released at commit. SQLite
    already serialises writers.
    """
    _lock_keys(session, sorted((band_no << 16) | value for band_no, value in enumerate(keys)))


def _lock_keys(session: Session, ordered: list[int]) -> None:
    if session.get_bind().dialect.name != "postgresql" or not ordered:
        return
    calls = ", ".join(f"pg_advisory_xact_lock(:ns, :k{i})" for i in range(len(ordered)))
    params: dict[str, int] = {f"k{i}": key for i, key in enumerate(ordered)}
    # One round trip; PostgreSQL evaluates the select list left to right.
    session.execute(text(f"SELECT {calls}"), {"ns": _LOCK_NAMESPACE, **params})


def nearest_campaign(session: Session, value: int) -> tuple[int, int] | None:
    """(campaign id, distance) of the closest known fingerprint within MAX_DISTANCE bits."""
    keys = bands(value)
    condition = or_(
        *(
            and_(CampaignSimhashBand.band_no == band_no, CampaignSimhashBand.band_value == band)
            for band_no, band in enumerate(keys)
        )
    )
    rows = session.execute(
        select(CampaignSimhashBand.simhash, CampaignSimhashBand.campaign_id)
        .where(condition)
        .distinct()
    ).all()
    best: tuple[int, int] | None = None
    for stored, campaign_id in rows:
        distance = hamming(to_unsigned(stored), value)
        if distance <= MAX_DISTANCE and (
            best is None or (distance, campaign_id) < (best[1], best[0])
        ):
            best = (campaign_id, distance)
    return best


def _remember(session: Session, campaign_id: int, value: int) -> None:
    """Index a new fingerprint of the campaign: its four bands, in one statement."""
    signed = to_signed(value)
    rows = [
        {"band_no": band_no, "band_value": band, "simhash": signed, "campaign_id": campaign_id}
        for band_no, band in enumerate(bands(value))
    ]
    insert_ignore_many(session, CampaignSimhashBand, rows, "band_no", "band_value", "simhash")


def _groupable(report: Report) -> bool:
    return report.campaign_id is None and report.channel == "sms" and is_template(report.body)


def assign_campaigns(session: Session, reports: list[Report]) -> None:
    """`assign_campaign` for several reports in one transaction.

    The band locks of all of them are taken first, at once and in sorted order: taken report by
    report, two workers assigning batches of the same templates in different orders would
    deadlock.
    """
    values = [simhash(report.body or "") for report in reports if _groupable(report)]
    keys = sorted({(n << 16) | band for value in values for n, band in enumerate(bands(value))})
    _lock_keys(session, keys)
    for report in reports:
        assign_campaign(session, report, locked=True)


def assign_campaign(session: Session, report: Report, locked: bool = False) -> Campaign | None:
    """Put a new report in the campaign of its template, opening one if none is near.

    Call reports and texts too short to be a template ("appel 06...", a bare link) get no
    campaign: grouping them would make one giant meaningless "campaign". Idempotent. `locked`:
    the caller holds the band locks already (`assign_campaigns`).
    """
    if report.campaign_id is not None:
        return session.get(Campaign, report.campaign_id)
    if not _groupable(report):
        return None
    value = simhash(report.body or "")
    seen = report.received_at
    # Few round trips: this runs for every report, inside the worker's transaction.
    with session.no_autoflush:
        if not locked:
            _lock_bands(session, bands(value))
        found = nearest_campaign(session, value)
        if found is None:
            campaign = Campaign(
                size=1,
                first_seen_at=seen,
                last_seen_at=seen,
                family=report.family,
                sample_report_id=report.id,
                created_at=utcnow(),
            )
            session.add(campaign)
            session.flush()
        else:
            # One atomic UPDATE: concurrent workers adding to one campaign never lose a count.
            campaign = session.scalars(
                update(Campaign)
                .where(Campaign.id == found[0])
                .values(
                    size=Campaign.size + 1,
                    first_seen_at=earlier_of(Campaign.first_seen_at, seen),
                    last_seen_at=later_of(Campaign.last_seen_at, seen),
                )
                .returning(Campaign)
                .execution_options(synchronize_session=False)
            ).one()
        if found is None or found[1] > 0:
            _remember(session, campaign.id, value)
    report.simhash = to_signed(value)
    report.campaign_id = campaign.id
    return campaign


@dataclass
class CampaignConfirmation:
    """What confirm_campaign did; `reply_ids` are to be enqueued by the caller after commit."""

    confirmed: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    kept_legitimate: list[int] = field(default_factory=list)
    reply_ids: list[int] = field(default_factory=list)


def confirm_campaign(
    session: Session, campaign_id: int, actor: str, note: str | None
) -> CampaignConfirmation:
    """Confirm as scams all the numbers that sent this campaign's reports, in one transaction.

    A number an analyst already judged legitimate keeps that verdict: a campaign may quote a
    real number, and a bulk action must not overrule a decision taken on that number's own page.
    Domains are left to set_domain_status: scam texts often name the real site they imitate.
    """
    outcome = CampaignConfirmation()
    number_ids = select(Report.number_id).where(
        Report.campaign_id == campaign_id, Report.number_id.is_not(None)
    )
    numbers = session.scalars(
        select(ReportedNumber)
        .where(ReportedNumber.id.in_(number_ids))
        .order_by(ReportedNumber.id)
        .with_for_update()
    ).all()
    reason = note or f"campaign {campaign_id} confirmed"
    for number in numbers:
        if number.status == "confirmed_scam":
            outcome.already.append(number.id)
            continue
        if number.status == "legitimate":
            outcome.kept_legitimate.append(number.id)
            continue
        change = set_number_status(session, number, "confirmed_scam", actor, reason)
        outcome.confirmed.append(number.id)
        outcome.reply_ids += change.reply_ids
    return outcome
