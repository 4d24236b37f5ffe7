"""The hand-made signals of a report, from `config/classifier.toml` and `config/official.toml`.

Each family scores the words that say what a message is about (`terms`) and the scam signs the
official sources describe (`signs`). Structural signals come from the indicators: look-alike
domains, shorteners, a brand named with a link off its domains or from a 06/07 number, a number
to call back (premium-rate and foreign ones). Genuine signs (one-time codes, reminders, only
official links, an official reported number) lower the risk.

These scores are not the decision: they are features of the learned model
(`bot.domain.model`), and their names are the reasons shown to analysts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.domain.families import families, scam_families
from bot.domain.homoglyphs import imitates_latin
from bot.domain.indicators import Indicators, url_host
from bot.domain.lookalike import lookalike
from bot.domain.numbers import Number, NumberType
from bot.domain.official import brands_named, is_official_domain, official_name
from bot.domain.rules import FamilyRules, Rules, load_rules

Channel = Literal["sms", "call"]

# "rappelez le 08...", "call +44...", "contactez le service au 09...": a number given to call.
_CALLBACK = re.compile(
    r"(?<![a-z])(?:r?appelez|rappeler|appeler|contactez|contacter|composez|joindre|joignez"
    r"|call|text me|ring)(?![a-z])[^0-9+]{0,60}[0-9+]"
)

# Structural flags, in a fixed order: the model's feature columns depend on it.
FLAGS = (
    "official_links_only",
    "unofficial_link",
    "url_shortener",
    "messaging_link",
    "lookalike_domain",
    "homoglyph_domain",
    "link_off_official",
    "mobile_sender_claims",
    "premium_callback",
    "foreign_call",
    "foreign_callback",
    "callback_number",
    "callback_voip",
    "official_number",
)
REPORTED_TYPES = (
    "none",
    NumberType.MOBILE.value,
    NumberType.GEOGRAPHIC.value,
    NumberType.AUTOMATED.value,
    NumberType.VOIP.value,
    NumberType.FREEPHONE.value,
    NumberType.PREMIUM.value,
    NumberType.SPECIAL.value,
    NumberType.SHORT_CODE.value,
    NumberType.SENDER_NAME.value,
    NumberType.FOREIGN.value,
)


def reported_type(reported: Number | None) -> str:
    """The model's `reported:` column for the number a report is about.

    An invalid number maps to `none`, on purpose: the model in config/model was trained with
    exactly REPORTED_TYPES' columns (a new one would need retraining), and a spoofed or malformed
    caller ID says nothing of the kind of line it claims, so the model sees it as a report that
    names no number."""
    if reported is None or reported.number_type is NumberType.INVALID:
        return "none"
    return reported.number_type.value


@dataclass(slots=True)
class RuleScore:
    families: dict[str, float] = field(default_factory=lambda: dict.fromkeys(families(), 0.0))
    signs: dict[str, list[str]] = field(default_factory=dict)  # family -> its scam signs found
    sign_weight: dict[str, float] = field(default_factory=dict)
    risk: float = 0.0
    reasons: list[str] = field(default_factory=list)  # `name` or `name:detail`
    signals: list[str] = field(default_factory=list)  # generic signals of the rules file
    acted: bool = False
    channel: Channel = "sms"
    reported_type: str = "none"
    has_link: bool = False
    has_phone: bool = False

    def flag(
        self, reason: str, risk: float = 0.0, family: str | None = None, boost: float = 0.0
    ) -> None:
        self.reasons.append(reason)
        self.risk += risk
        if family is not None:
            self.families[family] += boost

    def has(self, name: str) -> bool:
        return any(r == name or r.startswith(name + ":") for r in self.reasons)

    def features(self, signal_names: tuple[str, ...]) -> list[float]:
        """The model's rule columns, in the order of `feature_names`."""
        names = scam_families()
        values = [min(self.families[f], 10.0) / 5 for f in names]
        values += [min(self.sign_weight.get(f, 0.0), 10.0) / 5 for f in names]
        values.append(max(-5.0, min(self.risk, 15.0)) / 5)
        values += [1.0 if self.has(name) else 0.0 for name in FLAGS]
        values += [1.0 if name in self.signals else 0.0 for name in signal_names]
        values += [1.0 if self.reported_type == t else 0.0 for t in REPORTED_TYPES]
        values += [float(self.channel == "call"), float(self.has_link), float(self.has_phone)]
        values.append(float(self.acted))
        return values


def feature_names(signal_names: tuple[str, ...]) -> list[str]:
    names = [f"rule:{f}" for f in scam_families()] + [f"sign:{f}" for f in scam_families()]
    names.append("risk")
    names += [f"flag:{name}" for name in FLAGS]
    names += [f"signal:{name}" for name in signal_names]
    names += [f"reported:{t}" for t in REPORTED_TYPES]
    names += ["channel:call", "has_link", "has_phone", "acted"]
    return names


def _score_family(rules: FamilyRules, text: str, typos: set[str], score: RuleScore) -> None:
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


def _links(rules: Rules, text: str, indicators: Indicators, score: RuleScore) -> None:
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
    for host in dict.fromkeys(url_host(url) for url in indicators.urls):
        found = lookalike(host)
        if found is None or found[1] in seen:
            continue
        brand, token = found
        seen.add(token)
        weight = rules.weight("lookalike_domain")
        score.flag(f"lookalike_domain:{token}", weight, brand.family, weight)
        if imitates_latin(host):
            score.flag(f"homoglyph_domain:{token}", weight)
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
    score: RuleScore,
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


def rule_score(
    text: str, indicators: Indicators, reported: Number | None, channel: Channel
) -> RuleScore:
    rules = load_rules()
    normalised = rules.normalise(text)
    typos = rules.fuzzy.matches(normalised.split())
    score = RuleScore(
        channel=channel,
        reported_type=reported_type(reported),
        has_link=bool(indicators.domains),
        has_phone=any(n.is_phone for n in indicators.numbers),
    )
    _links(rules, normalised, indicators, score)
    _numbers(rules, normalised, indicators, reported, channel, score)
    for signal in rules.signals:
        if signal.regex.search(normalised):
            score.flag(signal.name, signal.weight)
            score.signals.append(signal.name)
    for family_rules in rules.families:
        _score_family(family_rules, normalised, typos, score)
    score.acted = bool(rules.acted.search(normalised))
    return score


def signal_names() -> tuple[str, ...]:
    return tuple(signal.name for signal in load_rules().signals)
