"""The crowd's signal in a reply: how many distinct people reported the number or the link, or
that analysts confirmed it. Reporters are counted by pseudonym, so one person reporting ten
times counts once; a number or link that analysts judged legitimate never gets the line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Domain, Report, ReportDomain
from bot.domain.advice import CrowdSignal, Indicator
from bot.domain.indicators import refang
from bot.domain.numbers import Number, NumberType
from bot.domain.official import is_official_domain
from bot.domain.statuses import VettingStatus
from bot.settings import get_settings


def _signal(what: Indicator, reporters: int, status: str) -> CrowdSignal | None:
    if status == VettingStatus.LEGITIMATE:
        return None
    if status == VettingStatus.CONFIRMED_SCAM:
        return CrowdSignal(what, reporters, confirmed=True)
    if reporters >= get_settings().crowd_min_reporters:
        return CrowdSignal(what, reporters)
    return None


def number_signal(number: Number, reporters: int, status: str) -> CrowdSignal | None:
    what: Indicator = "sender" if number.number_type is NumberType.SENDER_NAME else "number"
    return _signal(what, reporters, status)


def domain_counts(session: Session, domains: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Distinct reporters and status of each (defanged) domain, in one query; official domains
    are left out, as a link to ameli.fr is no scam to warn of."""
    wanted = sorted({d for d in domains if not is_official_domain(refang(d))})
    if not wanted:
        return {}
    rows = session.execute(
        select(Domain.domain, Domain.status, func.count(func.distinct(Report.reporter_id)))
        .join(ReportDomain, ReportDomain.domain_id == Domain.id)
        .join(Report, Report.id == ReportDomain.report_id)
        .where(Domain.domain.in_(wanted))
        .group_by(Domain.domain, Domain.status)
    ).all()
    return {domain: (int(reporters), status) for domain, status, reporters in rows}


def link_signal(domains: Sequence[str], counts: dict[str, tuple[int, str]]) -> CrowdSignal | None:
    """The strongest signal among a report's links: a confirmed one first, then the most
    reported."""
    signals = [
        signal
        for signal in (_signal("link", *counts[d]) for d in domains if d in counts)
        if signal is not None
    ]
    if not signals:
        return None
    return max(signals, key=lambda s: (s.confirmed, s.count))
