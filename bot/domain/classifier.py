"""Scam-family classifier: weighted rules from `config/classifier.toml` and `config/official.toml`.

Each family scores the words that say what a message is about (`terms`) and the scam signs the
official sources describe (`signs`). Structural signals come from the indicators: look-alike
domains, shorteners, a brand named with a link off its domains or from a 06/07 number, a number
to call back (premium-rate and foreign ones beat the brand). Genuine signs (one-time codes,
reminders, only official links, an official reported number) lower the risk. A report is put in
a family only when both the family score and the risk reach their thresholds; otherwise it is
`unknown`, which includes genuine messages. Reasons are returned for analysts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.domain.indicators import Indicators
from bot.domain.lookalike import lookalike
from bot.domain.numbers import Number, NumberType
from bot.domain.official import brands_named, is_official_domain, official_name
from bot.domain.rules import FamilyRules, Rules, load_rules

FAMILIES = (
    "health_insurance",
    "bank",
    "parcel",
    "training_account",
    "fine",
    "tax",
    "benefits",
    "utility_telecom",
    "family_impersonation",
    "callback_premium",
    "fake_authority",
    "job_offer",
    "investment",
    "romance",
    "unknown",
)

Channel = Literal["sms", "call"]

# "rappelez le 08...", "call +44...", "contactez le service au 09...": a number given to call.
_CALLBACK = re.compile(
    r"(?<![a-z])(?:r?appelez|rappeler|appeler|contactez|contacter|composez|joindre|joignez"
    r"|call|text me|ring)(?![a-z])[^0-9+]{0,60}[0-9+]"
)
_HOST = re.compile(r"(?i)^(?:[a-z]+://)?([^/?#:\s]+)")


@dataclass(frozen=True, slots=True)
class Classification:
    family: str
    reasons: list[str] = field(default_factory=list)
    acted: bool = False  # the reporter may already have clicked, paid or given a code


@dataclass(slots=True)
class _Score:
    families: dict[str, float] = field(default_factory=lambda: dict.fromkeys(FAMILIES, 0.0))
    signs: dict[str, list[str]] = field(default_factory=dict)  # family -> its scam signs found
    sign_weight: dict[str, float] = field(default_factory=dict)
    risk: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def flag(
        self, reason: str, risk: float = 0.0, family: str | None = None, boost: float = 0.0
    ) -> None:
        self.reasons.append(reason)
        self.risk += risk
        if family is not None:
            self.families[family] += boost


def _score_family(rules: FamilyRules, text: str, typos: set[str], score: _Score) -> None:
    """`typos`: the terms' fuzzy words that the text spells one edit away."""
    total = 0.0
    for term in rules.terms:
        if term.regex.search(text) or any(word in typos for word in term.fuzzy):
            total += term.weight
    found: list[str] = []
    sign_total = 0.0
    for sign in rules.signs:
        if sign.regex.search(text):
            found.append(sign.name)
            sign_total += sign.weight
    score.families[rules.name] += total + sign_total
    score.signs[rules.name] = found
    score.sign_weight[rules.name] = sign_total


def _hosts(indicators: Indicators) -> list[str]:
    hosts: list[str] = []
    for url in indicators.urls:
        match = _HOST.match(url)
        if match and match.group(1).lower() not in hosts:
            hosts.append(match.group(1).lower())
    return hosts


def _links(rules: Rules, text: str, indicators: Indicators, score: _Score) -> None:
    unofficial = [d for d in indicators.domains if not is_official_domain(d)]
    if indicators.domains and not unofficial:
        score.flag("official_links_only", rules.weight("official_links_only"))
        return
    if unofficial:
        score.flag("unofficial_link", rules.weight("unofficial_link"))
    for domain in unofficial:
        if domain in rules.shorteners:
            score.flag(f"url_shortener:{domain}", rules.weight("url_shortener"))
        elif domain in rules.messaging_domains:
            score.flag(f"messaging_link:{domain}", rules.weight("messaging_link"))
    seen: set[str] = set()
    for host in _hosts(indicators):
        found = lookalike(host)
        if found is None or found[1] in seen:
            continue
        brand, token = found
        seen.add(token)
        weight = rules.weight("lookalike_domain")
        score.flag(f"lookalike_domain:{token}", weight, brand.family, weight)
    brands = brands_named(text)
    # A brand's name says what the message is about, as a family term does (risk unchanged).
    for family in dict.fromkeys(brand.family for brand in brands):
        score.families[family] += rules.weight("brand_named")
    for brand in brands:
        if unofficial and not seen and not any(d in brand.domains for d in indicators.domains):
            score.flag(f"link_off_official:{brand.key}", rules.weight("link_off_official"))
            break


def _numbers(
    rules: Rules,
    text: str,
    indicators: Indicators,
    reported: Number | None,
    channel: Channel,
    score: _Score,
) -> None:
    name = official_name(reported)
    if reported is not None and name is not None:
        score.flag(f"official_number:{reported.canonical}", rules.weight("official_number"))
    if reported is not None and reported.number_type is NumberType.MOBILE:
        brands = brands_named(text)
        if brands:
            score.flag(
                f"mobile_sender_claims:{brands[0].key}",
                rules.weight("mobile_sender_claims"),
                brands[0].family,
                1.0,
            )
    premium = [n for n in indicators.numbers if n.number_type is NumberType.PREMIUM]
    if premium:
        weight = rules.weight("premium_callback")
        score.flag(
            f"premium_callback:{premium[0].national_prefix}", weight, "callback_premium", weight
        )
    if channel == "call" and reported is not None and reported.number_type is NumberType.FOREIGN:
        weight = rules.weight("foreign_call")
        score.flag(
            f"foreign_call:{reported.country or '?'}", weight / 2, "callback_premium", weight
        )
    if not _CALLBACK.search(text):
        return
    for number in indicators.numbers:
        if official_name(number) is not None or number.number_type is NumberType.PREMIUM:
            continue
        if number.number_type is NumberType.FOREIGN and channel == "sms":
            weight = rules.weight("foreign_callback")
            score.flag(
                f"foreign_callback:{number.country or '?'}", weight, "callback_premium", weight
            )
        elif number.is_phone and number.number_type is not NumberType.FOREIGN:
            score.flag("callback_number", rules.weight("callback_number"))
            if number.number_type is NumberType.VOIP:
                score.flag("callback_voip:09", rules.weight("callback_voip"))
        break


def classify(
    text: str, indicators: Indicators, reported: Number | None, channel: Channel
) -> Classification:
    rules = load_rules()
    normalised = rules.normalise(text)
    typos = rules.fuzzy.matches(normalised.split())
    score = _Score()
    _links(rules, normalised, indicators, score)
    _numbers(rules, normalised, indicators, reported, channel, score)
    for signal in rules.signals:
        if signal.regex.search(normalised):
            score.flag(signal.name, signal.weight)
    for family_rules in rules.families:
        _score_family(family_rules, normalised, typos, score)

    # Ties go to the family with more scam signs, then to the first in FAMILIES.
    best = max(FAMILIES[:-1], key=lambda f: (score.families[f], score.sign_weight.get(f, 0.0)))
    if any(reason.startswith("premium_callback:") for reason in score.reasons):
        # A number to call back at premium rate is the scam, whatever brand the text claims.
        best = "callback_premium"
    risk = score.risk + score.sign_weight.get(best, 0.0)
    acted = bool(rules.acted.search(normalised))
    reasons = score.reasons + score.signs.get(best, [])
    if score.families[best] >= rules.min_family_score and risk >= rules.min_risk:
        return Classification(best, reasons, acted)
    return Classification("unknown", reasons, acted)
