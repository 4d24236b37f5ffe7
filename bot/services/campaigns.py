"""Campaigns: reports of one scam template, grouped as they arrive, and confirmed at once.

Each report's SimHash is looked up by its four 16-bit bands in `campaign_simhash_bands`; only the
fingerprints that share a band are compared, so assigning a report costs a few index lookups
however many reports exist. A campaign keeps one row per band of each *distinct* fingerprint:
copies that differ only by link, number or amount normalise to the same fingerprint and add
nothing to the index.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import select, text, tuple_, update
from sqlalchemy.orm import Session

from bot.db.models import (
    Campaign,
    CampaignSimhashBand,
    Domain,
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
from bot.domain.statuses import VettingStatus
from bot.services.dialect import earlier_of, insert_ignore_many, later_of
from bot.services.domains import DomainConfirmation, confirm_domains, named_domain_records
from bot.services.number_status import set_number_status

# pg_advisory_xact_lock(namespace, key): the namespace keeps these locks apart from others.
_LOCK_NAMESPACE = 7726


def _lock_keys(session: Session, ordered: list[int]) -> None:
    """On PostgreSQL, serialise workers assigning near-identical reports at the same moment.

    Without it, the first two copies of a new template, processed in parallel, would each open
    a campaign. Locks are taken in sorted order (no deadlock) and released at commit. SQLite
    already serialises writers.
    """
    if session.get_bind().dialect.name != "postgresql" or not ordered:
        return
    calls = ", ".join(f"pg_advisory_xact_lock(:ns, :k{i})" for i in range(len(ordered)))
    params: dict[str, int] = {f"k{i}": key for i, key in enumerate(ordered)}
    # One round trip; PostgreSQL evaluates the select list left to right.
    session.execute(text(f"SELECT {calls}"), {"ns": _LOCK_NAMESPACE, **params})


def _band_keys(value: int) -> list[tuple[int, int]]:
    return list(enumerate(bands(value)))


# A campaign while its reports are assigned: (0, id) for one stored already, (1, n) for the
# n-th opened by this batch. Stored ones sort first, as their ids are lower than any new one's.
CampaignKey = tuple[int, int]


class _BandIndex:
    """Fingerprints by band, as `campaign_simhash_bands` holds them, plus this batch's own."""

    def __init__(self) -> None:
        self._by_band: dict[tuple[int, int], set[tuple[int, CampaignKey]]] = {}

    def add(self, value: int, campaign: CampaignKey) -> None:
        for key in _band_keys(value):
            self._by_band.setdefault(key, set()).add((value, campaign))

    def nearest(self, value: int) -> tuple[CampaignKey, int] | None:
        """The closest fingerprint's campaign within MAX_DISTANCE bits, and its distance."""
        best: tuple[int, CampaignKey] | None = None
        for key in _band_keys(value):
            for stored, campaign in self._by_band.get(key, ()):
                distance = hamming(stored, value)
                if distance <= MAX_DISTANCE and (best is None or (distance, campaign) < best):
                    best = (distance, campaign)
        return None if best is None else (best[1], best[0])


def _stored_index(session: Session, values: list[int]) -> _BandIndex:
    """The stored fingerprints that share a band with any of `values`: one query."""
    index = _BandIndex()
    wanted = sorted({key for value in values for key in _band_keys(value)})
    rows = session.execute(
        select(CampaignSimhashBand.simhash, CampaignSimhashBand.campaign_id)
        .where(tuple_(CampaignSimhashBand.band_no, CampaignSimhashBand.band_value).in_(wanted))
        .distinct()
    ).all()
    for stored, campaign_id in rows:
        index.add(to_unsigned(stored), (0, campaign_id))
    return index


def _groupable(report: Report) -> bool:
    return report.campaign_id is None and report.channel == "sms" and is_template(report.body)


@dataclass
class _Assignment:
    """What a batch does to one campaign: the reports it gains, and its new fingerprints."""

    reports: list[Report] = field(default_factory=list)
    new_fingerprints: list[int] = field(default_factory=list)


def assign_campaigns(session: Session, reports: list[Report]) -> None:
    """Put new reports in the campaigns of their templates, opening one where none is near.

    Set-based, in a few statements whatever the batch's size: the band locks of all the reports
    (at once and in sorted order: taken report by report, two workers assigning batches of the
    same templates in different orders would deadlock), one query for the stored fingerprints
    that share a band with any of them, then the campaigns opened, those grown, and the new
    fingerprints indexed. Within the batch, each report also sees the fingerprints of the reports
    before it, exactly as if they had been assigned one by one.

    Call reports and texts too short to be a template ("appel 06...", a bare link) get no
    campaign: grouping them would make one giant meaningless "campaign". Idempotent: a report
    with a campaign keeps it.
    """
    todo = [(report, simhash(report.body or "")) for report in reports if _groupable(report)]
    if not todo:
        return
    _lock_keys(session, sorted({(n << 16) | band for _, v in todo for n, band in _band_keys(v)}))
    with session.no_autoflush:
        index = _stored_index(session, [value for _, value in todo])
        plan: dict[CampaignKey, _Assignment] = {}
        opened = 0
        for report, value in todo:
            found = index.nearest(value)
            if found is None:
                campaign: CampaignKey = (1, opened)
                opened += 1
            else:
                campaign = found[0]
            assignment = plan.setdefault(campaign, _Assignment())
            assignment.reports.append(report)
            if found is None or found[1] > 0:
                assignment.new_fingerprints.append(value)
                index.add(value, campaign)
            report.simhash = to_signed(value)
        ids = _write(session, plan)
    for campaign, assignment in plan.items():
        for report in assignment.reports:
            report.campaign_id = ids[campaign]


def _write(session: Session, plan: dict[CampaignKey, _Assignment]) -> dict[CampaignKey, int]:
    """The batch's campaigns opened (one INSERT) and grown (one atomic UPDATE each, so that
    concurrent workers adding to one campaign never lose a count), and their new fingerprints
    indexed (one INSERT). Returns each campaign's id."""
    ids = {key: key[1] for key in plan if key[0] == 0}
    new = {key: a for key, a in sorted(plan.items()) if key[0] == 1}
    now = utcnow()
    opened = {
        key: Campaign(
            size=len(a.reports),
            first_seen_at=min(r.received_at for r in a.reports),
            last_seen_at=max(r.received_at for r in a.reports),
            family=a.reports[0].family,
            sample_report_id=a.reports[0].id,
            created_at=now,
        )
        for key, a in new.items()
    }
    if opened:
        session.add_all(opened.values())
        session.flush()
        ids.update({key: campaign.id for key, campaign in opened.items()})
    for key, a in sorted(plan.items()):
        if key[0] != 0:
            continue
        session.execute(
            update(Campaign)
            .where(Campaign.id == key[1])
            .values(
                size=Campaign.size + len(a.reports),
                first_seen_at=earlier_of(
                    Campaign.first_seen_at, min(r.received_at for r in a.reports)
                ),
                last_seen_at=later_of(Campaign.last_seen_at, max(r.received_at for r in a.reports)),
            )
            .execution_options(synchronize_session=False)
        )
    rows = [
        {"band_no": n, "band_value": band, "simhash": to_signed(value), "campaign_id": ids[key]}
        for key, a in plan.items()
        for value in a.new_fingerprints
        for n, band in _band_keys(value)
    ]
    insert_ignore_many(session, CampaignSimhashBand, rows, "band_no", "band_value", "simhash")
    return ids


def assign_campaign(session: Session, report: Report) -> Campaign | None:
    """`assign_campaigns` for one report; its campaign, if it has one."""
    assign_campaigns(session, [report])
    return session.get(Campaign, report.campaign_id) if report.campaign_id is not None else None


@dataclass
class CampaignConfirmation:
    """What confirm_campaign did; `reply_ids` are to be enqueued by the caller after commit."""

    confirmed: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    kept_legitimate: list[int] = field(default_factory=list)
    reply_ids: list[int] = field(default_factory=list)
    domains: DomainConfirmation = field(default_factory=DomainConfirmation)


def campaign_domain_records(
    session: Session, campaign_id: int, wanted: Collection[str]
) -> list[Domain]:
    return named_domain_records(session, Report.campaign_id == campaign_id, wanted)


def confirm_campaign(
    session: Session,
    campaign_id: int,
    actor: str,
    note: str | None,
    *,
    numbers: bool = True,
    domains: Collection[str] = (),
) -> CampaignConfirmation:
    """Confirm as scams the numbers that sent this campaign's reports (unless `numbers` is
    false) and the `domains` chosen among those its texts name, in one transaction.

    A number or domain an analyst already judged legitimate keeps that verdict: a campaign may
    quote a real number, and a bulk action must not overrule a decision taken on its own page.
    Domains are never confirmed wholesale: scam texts often name the real site they imitate, so
    the analyst chooses them (the console offers them all, official sites unticked).
    """
    outcome = CampaignConfirmation()
    reason = note or f"campaign {campaign_id} confirmed"
    if domains:
        chosen = campaign_domain_records(session, campaign_id, domains)
        outcome.domains = confirm_domains(session, chosen, actor, reason)
    if not numbers:
        return outcome
    number_ids = select(Report.number_id).where(
        Report.campaign_id == campaign_id, Report.number_id.is_not(None)
    )
    found = session.scalars(
        select(ReportedNumber)
        .where(ReportedNumber.id.in_(number_ids))
        .order_by(ReportedNumber.id)
        .with_for_update()
    ).all()
    for number in found:
        if number.status == VettingStatus.CONFIRMED_SCAM:
            outcome.already.append(number.id)
            continue
        if number.status == VettingStatus.LEGITIMATE:
            outcome.kept_legitimate.append(number.id)
            continue
        change = set_number_status(session, number, VettingStatus.CONFIRMED_SCAM, actor, reason)
        outcome.confirmed.append(number.id)
        outcome.reply_ids += change.reply_ids
    return outcome
