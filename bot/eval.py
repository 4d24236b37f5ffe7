"""`scamline eval FILE.jsonl`: score the classifier, the replies and the extraction on a labelled
corpus (one JSON object a line: id, channel, body, family, expect_numbers, expect_domains, lang).

Exit status is non-zero when macro-F1 < 0.90, when a report labelled `unknown` (which includes
genuine messages) is put in a scam family, or when extraction misses more than 2% of the expected
numbers or domains.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.domain.advice import MAX_SEGMENTS, ReplyTooLong, report_reply
from bot.domain.classifier import FAMILIES, Channel, classify
from bot.domain.indicators import extract
from bot.domain.language import LANGUAGES, Language, detect_language
from bot.domain.segments import count_segments

MIN_MACRO_F1 = 0.90
MAX_EXTRACTION_MISS = 0.02


@dataclass
class Tally:
    gold: list[str] = field(default_factory=list)
    predicted: list[str] = field(default_factory=list)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    confusion_ids: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    replies: int = 0
    replies_fit: int = 0
    numbers_expected: int = 0
    numbers_missed: list[str] = field(default_factory=list)
    domains_expected: int = 0
    domains_missed: list[str] = field(default_factory=list)
    genuine_flagged: list[str] = field(default_factory=list)


def load(path: str) -> list[dict[str, Any]]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def score_record(record: dict[str, Any], tally: Tally) -> None:
    body = str(record["body"])
    indicators = extract(body)
    reported = indicators.numbers[0] if indicators.numbers else None
    channel: Channel = "call" if record.get("channel") == "call" else "sms"
    result = classify(body, indicators, reported, channel)
    gold = str(record["family"])
    tally.gold.append(gold)
    tally.predicted.append(result.family)
    if gold != result.family:
        tally.confusions[(gold, result.family)] += 1
        tally.confusion_ids.setdefault((gold, result.family), []).append(str(record["id"]))
        if gold == "unknown":
            tally.genuine_flagged.append(str(record["id"]))

    lang: Language = record["lang"] if record.get("lang") in LANGUAGES else detect_language(body)
    tally.replies += 1
    try:
        reply = report_reply(lang, result, reported, ask_sender=reported is None)
        if count_segments(reply).segments <= MAX_SEGMENTS:
            tally.replies_fit += 1
    except ReplyTooLong:
        pass

    found_numbers = {n.canonical for n in indicators.numbers}
    for expected in record.get("expect_numbers", []):
        tally.numbers_expected += 1
        if expected not in found_numbers:
            tally.numbers_missed.append(f"{record['id']}:{expected}")
    for expected in record.get("expect_domains", []):
        tally.domains_expected += 1
        if expected not in indicators.domains:
            tally.domains_missed.append(f"{record['id']}:{expected}")


def per_family(tally: Tally) -> dict[str, tuple[float, float, float, int]]:
    """family -> (precision, recall, F1, support) for every family seen in gold or predictions."""
    stats: dict[str, tuple[float, float, float, int]] = {}
    labels = [f for f in FAMILIES if f in tally.gold or f in tally.predicted]
    pairs = list(zip(tally.gold, tally.predicted, strict=True))
    for family in labels:
        tp = sum(1 for g, p in pairs if g == family and p == family)
        predicted = sum(1 for _, p in pairs if p == family)
        support = sum(1 for g, _ in pairs if g == family)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        stats[family] = (precision, recall, f1, support)
    return stats


def _share(missed: int, expected: int) -> float:
    return missed / expected if expected else 0.0


def report(tally: Tally) -> int:
    stats = per_family(tally)
    print(f"{'family':<22}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>5}")
    for family, (precision, recall, f1, support) in stats.items():
        print(f"{family:<22}{precision:>10.2f}{recall:>8.2f}{f1:>7.2f}{support:>5}")
    macro_f1 = sum(s[2] for s in stats.values()) / len(stats) if stats else 0.0
    accuracy = sum(g == p for g, p in zip(tally.gold, tally.predicted, strict=True))
    print(f"\nmacro-F1: {macro_f1:.3f}   accuracy: {accuracy}/{len(tally.gold)}")

    print("\nconfusion pairs (expected -> predicted):")
    for (gold, predicted), count in tally.confusions.most_common():
        ids = ", ".join(tally.confusion_ids[(gold, predicted)])
        print(f"  {gold} -> {predicted}: {count} ({ids})")
    if not tally.confusions:
        print("  none")

    share = tally.replies_fit / tally.replies if tally.replies else 1.0
    print(
        f"\nreplies within {MAX_SEGMENTS} segments: "
        f"{tally.replies_fit}/{tally.replies} ({share:.0%})"
    )
    number_miss = _share(len(tally.numbers_missed), tally.numbers_expected)
    domain_miss = _share(len(tally.domains_missed), tally.domains_expected)
    print(
        f"numbers found: {tally.numbers_expected - len(tally.numbers_missed)}"
        f"/{tally.numbers_expected} (missed {number_miss:.1%})"
        + (f": {', '.join(tally.numbers_missed)}" if tally.numbers_missed else "")
    )
    print(
        f"domains found: {tally.domains_expected - len(tally.domains_missed)}"
        f"/{tally.domains_expected} (missed {domain_miss:.1%})"
        + (f": {', '.join(tally.domains_missed)}" if tally.domains_missed else "")
    )
    print(f"genuine (unknown) reports put in a scam family: {len(tally.genuine_flagged)}")

    failures = []
    if macro_f1 < MIN_MACRO_F1:
        failures.append(f"macro-F1 {macro_f1:.3f} < {MIN_MACRO_F1}")
    if tally.genuine_flagged:
        failures.append(f"unknown reports flagged: {', '.join(tally.genuine_flagged)}")
    if number_miss > MAX_EXTRACTION_MISS or domain_miss > MAX_EXTRACTION_MISS:
        failures.append("extraction misses more than 2%")
    print("\nFAIL: " + "; ".join(failures) if failures else "\nOK")
    return 1 if failures else 0


def main(path: str) -> int:
    try:
        records = load(path)
    except (OSError, json.JSONDecodeError) as exc:
        print(f"cannot read {path}: {exc}", file=sys.stderr)
        return 2
    tally = Tally()
    for record in records:
        score_record(record, tally)
    return report(tally)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m bot.eval FILE.jsonl", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
