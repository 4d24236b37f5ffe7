"""Score the classifier the way production runs it: each report is read (`read_report`),
classified, and answered (`advice.report_reply`), then compared with its labels.

Measured: per-family precision, recall and F1; macro-F1; genuine messages put in a scam family;
scams given the "looks genuine" reply; replies over 2 segments, not GSM-7, or with a link that
is not official; numbers and domains missed; calibration (how often a confidence is right); and
the time to read and classify one report.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bot.domain.advice import MAX_SEGMENTS, ReplyTooLong, advice_key, report_reply
from bot.domain.classifier import Classification, Verdict, classify, classify_many
from bot.domain.families import UNKNOWN, families
from bot.domain.indicators import extract
from bot.domain.language import Language, detect_language
from bot.domain.model import LearnedModel
from bot.domain.official import is_official_domain
from bot.domain.report_text import ReadReport, read_report
from bot.domain.segments import count_segments
from bot.domain.statuses import CorpusKind

MIN_MACRO_F1 = 0.90
MAX_GENUINE_FLAGGED = 1 / 30
MAX_EXTRACTION_MISS = 0.02
CALIBRATION_BINS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 1.01))


@dataclass
class Scores:
    name: str
    gold: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    # Unknown reports that are scams outside the families (`kind: scam`): not genuine messages.
    outside_scams: set[str] = field(default_factory=set)
    confidence: list[float] = field(default_factory=list)
    top_right: list[bool] = field(default_factory=list)
    reassured_scams: list[str] = field(default_factory=list)
    uncertain_scams: list[str] = field(default_factory=list)
    bad_replies: list[str] = field(default_factory=list)
    numbers_expected: int = 0
    numbers_missed: list[str] = field(default_factory=list)
    domains_expected: int = 0
    domains_missed: list[str] = field(default_factory=list)
    channel_right: int = 0
    millis: list[float] = field(default_factory=list)

    @property
    def genuine_flagged(self) -> list[str]:
        return [
            i
            for i, g, p in zip(self.ids, self.gold, self.predicted, strict=True)
            if g == UNKNOWN != p and i not in self.outside_scams
        ]

    @property
    def genuine_total(self) -> int:
        return sum(1 for g in self.gold if g == UNKNOWN) - len(self.outside_scams)

    @property
    def outside_scams_given_a_family(self) -> list[str]:
        """Scams outside the families that got a family's advice rather than the cautious one."""
        return [
            i
            for i, p in zip(self.ids, self.predicted, strict=True)
            if i in self.outside_scams and p != UNKNOWN
        ]

    def add(self, record: dict[str, Any], result: Classification) -> None:
        """Record one report's classification."""
        rid = str(record["id"])
        gold = str(record["family"])
        self.ids.append(rid)
        self.gold.append(gold)
        self.predicted.append(result.family)
        self.confidence.append(result.confidence)
        self.top_right.append(result.top_family == gold)
        scam = gold != UNKNOWN or record.get("kind") == CorpusKind.SCAM
        if record.get("kind") == CorpusKind.SCAM:
            self.outside_scams.add(rid)
        if scam and result.verdict is Verdict.GENUINE_SIGNS:
            self.reassured_scams.append(rid)

    def per_family(self) -> dict[str, tuple[float, float, float, int]]:
        stats: dict[str, tuple[float, float, float, int]] = {}
        pairs = list(zip(self.gold, self.predicted, strict=True))
        for family in [f for f in families() if f in self.gold or f in self.predicted]:
            tp = sum(1 for g, p in pairs if g == family == p)
            predicted = sum(1 for _, p in pairs if p == family)
            support = sum(1 for g, _ in pairs if g == family)
            precision = tp / predicted if predicted else 0.0
            recall = tp / support if support else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            stats[family] = (precision, recall, f1, support)
        return stats

    @property
    def macro_f1(self) -> float:
        stats = self.per_family()
        return sum(s[2] for s in stats.values()) / len(stats) if stats else 0.0

    def calibration(self) -> list[tuple[float, float, int, float]]:
        """(low, high, count, share right) of the model's top family, by confidence."""
        rows = []
        for low, high in CALIBRATION_BINS:
            inside = [
                right
                for c, right in zip(self.confidence, self.top_right, strict=True)
                if low <= c < high
            ]
            rows.append((low, high, len(inside), sum(inside) / len(inside) if inside else 0.0))
        return rows

    def p99_ms(self) -> float:
        return float(np.percentile(self.millis, 99)) if self.millis else 0.0

    def failures(self) -> list[str]:
        found = []
        if self.macro_f1 < MIN_MACRO_F1:
            found.append(f"macro-F1 {self.macro_f1:.3f} < {MIN_MACRO_F1}")
        if len(self.genuine_flagged) > MAX_GENUINE_FLAGGED * max(self.genuine_total, 1):
            found.append(f"{len(self.genuine_flagged)} genuine message(s) put in a scam family")
        if self.reassured_scams:
            found.append(
                f"scams given the 'looks genuine' reply: {', '.join(self.reassured_scams)}"
            )
        if self.bad_replies:
            found.append(
                f"replies too long, not GSM-7 or linking off: {', '.join(self.bad_replies)}"
            )
        for what, missed, expected in (
            ("numbers", self.numbers_missed, self.numbers_expected),
            ("domains", self.domains_missed, self.domains_expected),
        ):
            if expected and len(missed) / expected > MAX_EXTRACTION_MISS:
                found.append(f"{what}: {len(missed)}/{expected} missed")
        return found


def _reply_is_sound(lang: Language, classification: Classification, read: ReadReport) -> bool:
    try:
        reply = report_reply(lang, classification, read.reported, read.reported is None)
    except ReplyTooLong:
        return False
    count = count_segments(reply)
    official = all(is_official_domain(d) for d in extract(reply).domains)
    return count.segments <= MAX_SEGMENTS and count.encoding == "GSM-7" and official


def score(
    name: str, records: Sequence[dict[str, Any]], model: LearnedModel | None = None
) -> Scores:
    scores = Scores(name)
    reads = [read_report(str(r["body"])) for r in records]
    classifications = classify_many(
        [(r.text, r.indicators, r.reported, r.channel) for r in reads], model
    )
    for record, read, result in zip(records, reads, classifications, strict=True):
        rid = str(record["id"])
        gold = str(record["family"])
        started = time.perf_counter()
        read_again = read_report(str(record["body"]))
        classify(
            read_again.text, read_again.indicators, read_again.reported, read_again.channel, model
        )
        scores.millis.append((time.perf_counter() - started) * 1000)
        scores.add(record, result)
        if gold != UNKNOWN and advice_key(result, read.reported).endswith("/cautious"):
            scores.uncertain_scams.append(rid)
        if not _reply_is_sound(detect_language(str(record["body"])), result, read):
            scores.bad_replies.append(rid)
        scores.channel_right += read.channel == record.get("channel", read.channel)
        found = {n.canonical for n in read.indicators.numbers}
        for expected in record.get("expect_numbers", []):
            scores.numbers_expected += 1
            if expected not in found:
                scores.numbers_missed.append(f"{rid}:{expected}")
        for expected in record.get("expect_domains", []):
            scores.domains_expected += 1
            if expected not in read.indicators.domains:
                scores.domains_missed.append(f"{rid}:{expected}")
    return scores


def from_predictions(
    name: str, records: Sequence[dict[str, Any]], results: Sequence[Classification]
) -> Scores:
    """Scores of given classifications (cross-validation's out-of-fold ones): no replies, timing
    or extraction, which do not depend on the fold."""
    scores = Scores(name)
    for record, result in zip(records, results, strict=True):
        gold = str(record["family"])
        scores.add(record, result)
        if gold != UNKNOWN and result.verdict is Verdict.UNCERTAIN:
            scores.uncertain_scams.append(str(record["id"]))
    return scores


def format_scores(scores: Scores, details: bool = True) -> str:
    lines = [f"== {scores.name}: {len(scores.gold)} reports"]
    lines.append(f"{'family':<22}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>5}")
    for family, (precision, recall, f1, support) in scores.per_family().items():
        lines.append(f"{family:<22}{precision:>10.2f}{recall:>8.2f}{f1:>7.2f}{support:>5}")
    right = sum(g == p for g, p in zip(scores.gold, scores.predicted, strict=True))
    lines.append(f"macro-F1: {scores.macro_f1:.3f}   accuracy: {right}/{len(scores.gold)}")
    flagged = scores.genuine_flagged
    lines.append(
        f"genuine (unknown) put in a scam family: {len(flagged)}/{scores.genuine_total}"
        + (f" ({', '.join(flagged)})" if details and flagged else "")
    )
    if scores.outside_scams:
        outside = scores.outside_scams_given_a_family
        lines.append(
            f"scams outside the families given a family's advice: "
            f"{len(outside)}/{len(scores.outside_scams)}"
        )
    lines.append(
        f"scams given the 'looks genuine' reply: {len(scores.reassured_scams)}; "
        f"scams given the cautious generic advice: {len(scores.uncertain_scams)}"
    )
    lines.append(
        "calibration (confidence: reports, share whose top family is right): "
        + "; ".join(
            f"{lo:.2f}-{min(hi, 1):.2f}: {n}, {share:.0%}"
            for lo, hi, n, share in scores.calibration()
        )
    )
    if scores.millis:
        lines.extend(_reading_lines(scores, details))
    if details:
        lines.extend(_confusion_lines(scores))
    return "\n".join(lines)


def _reading_lines(scores: Scores, details: bool) -> list[str]:
    """How the replies and the reading went (only scored when reports were read and timed)."""
    lines: list[str] = []
    lines.append(
        f"replies within {MAX_SEGMENTS} GSM-7 segments, official links only: "
        f"{len(scores.gold) - len(scores.bad_replies)}/{len(scores.gold)}"
    )
    for what, missed, expected in (
        ("numbers", scores.numbers_missed, scores.numbers_expected),
        ("domains", scores.domains_missed, scores.domains_expected),
    ):
        share = 1 - len(missed) / expected if expected else 1.0
        lines.append(
            f"{what} found: {expected - len(missed)}/{expected} ({share:.1%})"
            + (f": missed {', '.join(missed)}" if details and missed else "")
        )
    lines.append(f"channel read right: {scores.channel_right}/{len(scores.gold)}")
    lines.append(
        f"read and classify one report: p50 {np.percentile(scores.millis, 50):.2f} ms, "
        f"p99 {scores.p99_ms():.2f} ms"
    )
    return lines


def _confusion_lines(scores: Scores) -> list[str]:
    lines: list[str] = []
    confusions = Counter(
        (g, p) for g, p in zip(scores.gold, scores.predicted, strict=True) if g != p
    )
    if confusions:
        lines.append("confusions (expected -> predicted):")
        for (gold, predicted), count in confusions.most_common():
            ids = [
                i
                for i, g, p in zip(scores.ids, scores.gold, scores.predicted, strict=True)
                if (g, p) == (gold, predicted)
            ]
            lines.append(f"  {gold} -> {predicted}: {count} ({', '.join(ids)})")
    return lines
