"""What a verdict did, said to the analyst who gave it, and the domains offered for a verdict.

After a status change, a campaign's or a number's domains confirmed, the next page says what
changed and how many reporters will hear of it by SMS (closing the loop), or how many
confirmations not sent yet were held back when a confirmation is undone.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.models import Domain
from bot.domain.indicators import refang
from bot.domain.official import is_official_domain
from bot.domain.statuses import VettingStatus
from bot.services.campaigns import CampaignConfirmation
from bot.services.domains import DomainConfirmation
from bot.services.number_status import StatusChanged
from bot.web.console.i18n import Texts
from bot.web.console.labels import STATUSES, label

JUDGED = (
    VettingStatus.CONFIRMED_SCAM,
    VettingStatus.LEGITIMATE,
)  # a bulk confirmation leaves these as they are


@dataclass(frozen=True)
class OfferedDomain:
    """A domain a form offers to confirm: official sites are offered unticked, to check first."""

    record: Domain
    reports: int
    official: bool

    @property
    def confirmable(self) -> bool:
        return self.record.status not in JUDGED


def offered_domains(domains: list[tuple[Domain, int]]) -> list[OfferedDomain]:
    return [
        OfferedDomain(domain, count, is_official_domain(refang(domain.domain)))
        for domain, count in domains
    ]


def told(texts: Texts, reporters: int) -> str:
    if reporters == 0:
        return texts.gettext("No reporter will be told by SMS.")
    return texts.ngettext(
        "%(num)d reporter will be told by SMS.", "%(num)d reporters will be told by SMS.", reporters
    )


def _joined(texts: Texts, parts: list[str], last: str) -> str:
    return texts.gettext("%(done)s; %(told)s", done=", ".join(parts), told=last)


def status_notice(texts: Texts, change: StatusChanged, reporters: int) -> str:
    """ "Status changed: Confirmed scam. 4 reporters will be told by SMS." and the like."""
    done = texts.gettext(
        "Status changed to “%(status)s”", status=label(texts, STATUSES, change.to_status)
    )
    if change.to_status == VettingStatus.CONFIRMED_SCAM:
        return _joined(texts, [done], told(texts, reporters))
    if change.held_back:
        held = texts.ngettext(
            "%(num)d confirmation SMS not sent yet is held back.",
            "%(num)d confirmation SMS not sent yet are held back.",
            change.held_back,
        )
        return _joined(texts, [done], held)
    return done + "."


def domain_verdict_notice(texts: Texts, before: str, after: str) -> str:
    """What a domain's verdict did to the blocklist feed."""
    done = texts.gettext("Verdict recorded: “%(status)s”", status=label(texts, STATUSES, after))
    if after == VettingStatus.CONFIRMED_SCAM:
        feed = texts.gettext("The domain enters the blocklist.")
    elif before == VettingStatus.CONFIRMED_SCAM:
        feed = texts.gettext("The domain leaves the blocklist.")
    else:
        return done + "."
    return _joined(texts, [done], feed)


def domain_parts(texts: Texts, outcome: DomainConfirmation) -> list[str]:
    parts = []
    if outcome.confirmed:
        parts.append(
            texts.ngettext(
                "%(num)d domain confirmed as a scam",
                "%(num)d domains confirmed as scams",
                len(outcome.confirmed),
            )
        )
    if outcome.already:
        parts.append(
            texts.ngettext(
                "%(num)d domain already confirmed",
                "%(num)d domains already confirmed",
                len(outcome.already),
            )
        )
    if outcome.kept_legitimate:
        parts.append(
            texts.ngettext(
                "%(num)d domain kept as legitimate",
                "%(num)d domains kept as legitimate",
                len(outcome.kept_legitimate),
            )
        )
    return parts


def domains_notice(texts: Texts, outcome: DomainConfirmation) -> str:
    parts = domain_parts(texts, outcome) or [texts.gettext("no domain changed")]
    return _joined(
        texts, parts, texts.gettext("The blocklist publishes confirmed domains at once.")
    )


def campaign_notice(
    texts: Texts, outcome: CampaignConfirmation, numbers: bool, reporters: int
) -> str:
    parts = []
    if numbers:
        parts.append(
            texts.ngettext(
                "%(num)d number confirmed as a scam",
                "%(num)d numbers confirmed as scams",
                len(outcome.confirmed),
            )
        )
        if outcome.already:
            parts.append(
                texts.ngettext(
                    "%(num)d already confirmed", "%(num)d already confirmed", len(outcome.already)
                )
            )
        if outcome.kept_legitimate:
            parts.append(
                texts.ngettext(
                    "%(num)d kept as legitimate (judged on its own page)",
                    "%(num)d kept as legitimate (judged on their own page)",
                    len(outcome.kept_legitimate),
                )
            )
    parts += domain_parts(texts, outcome.domains)
    return _joined(texts, parts, told(texts, reporters))
