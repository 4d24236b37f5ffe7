"""`scamline eval [FILE.jsonl ...]`: score the classifier, its replies and the extraction.

With files, each is scored as production would answer it. Without, the project's held-out sets
(`corpus/heldout/`) are scored one by one, and the training set by grouped cross-validation
(near-copies of one text never on both sides). `--compare DIR` scores a candidate model beside
the current one. A labelled file has one JSON object a line: id, channel, body, family,
expect_numbers, expect_domains, lang (see corpus/README.md).

Exit status is non-zero when a set misses a target: macro-F1 < 0.90, more than 1 genuine
message in 30 put in a scam family, a scam given the "looks genuine" reply, a reply over 2
GSM-7 segments or linking off official domains, or more than 2% of numbers or domains missed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.domain.model import LearnedModel, read_model
from bot.settings import get_settings
from bot.training.corpus import read_jsonl
from bot.training.evaluate import Scores, format_scores, score


def load(path: str) -> list[dict[str, Any]]:
    return read_jsonl(Path(path))


def heldout_files() -> list[Path]:
    return sorted((get_settings().corpus_dir / "heldout").glob("*.jsonl"))


def score_files(
    paths: Sequence[Path], model: LearnedModel | None = None
) -> list[tuple[Path, Scores]]:
    return [(path, score(path.stem, read_jsonl(path), model)) for path in paths]


def no_worse(current: Sequence[Scores], candidate: Sequence[Scores]) -> tuple[bool, str]:
    """A candidate may replace the current model when, on the held-out sets, its mean macro-F1
    is not lower (by more than half a point), it flags no more genuine messages and it reassures
    no scam."""
    mean = [sum(s.macro_f1 for s in side) / max(len(side), 1) for side in (current, candidate)]
    flagged = [sum(len(s.genuine_flagged) for s in side) for side in (current, candidate)]
    reassured = sum(len(s.reassured_scams) for s in candidate)
    ok = mean[1] >= mean[0] - 0.005 and flagged[1] <= flagged[0] and reassured == 0
    why = (
        f"mean macro-F1 {mean[0]:.3f} -> {mean[1]:.3f}, genuine flagged {flagged[0]} -> "
        f"{flagged[1]}, scams reassured by the candidate {reassured}"
    )
    return ok, why


def compare_table(current: Sequence[Scores], candidate: Sequence[Scores]) -> str:
    lines = [f"{'held-out set':<24}{'current':>12}{'candidate':>12}   (macro-F1, genuine flagged)"]
    for old, new in zip(current, candidate, strict=True):
        lines.append(
            f"{old.name:<24}{old.macro_f1:>7.3f} {len(old.genuine_flagged):>3}"
            f"{new.macro_f1:>8.3f} {len(new.genuine_flagged):>3}"
        )
    return "\n".join(lines)


def cross_validation_scores() -> Scores:
    from bot.training.cross_validation import cross_validate
    from bot.training.pipeline import training_records

    records, groups = training_records(with_corrections=False)
    return cross_validate(records, groups)


def run(
    files: Sequence[str],
    model_dir: Path | None = None,
    compare_dir: Path | None = None,
    cross_validation: bool = False,
) -> int:
    model = read_model(model_dir) if model_dir else None
    paths = [Path(f) for f in files] or heldout_files()
    if not paths:
        print(f"no held-out set in {get_settings().corpus_dir / 'heldout'}", file=sys.stderr)
        return 2
    try:
        results = score_files(paths, model)
    except (OSError, json.JSONDecodeError, ValueError) as exc:
        print(f"cannot score: {exc}", file=sys.stderr)
        return 2
    failed = False
    for _, scores in results:
        print(format_scores(scores))
        problems = scores.failures()
        print(("FAIL: " + "; ".join(problems)) if problems else "OK", end="\n\n")
        failed = failed or bool(problems)
    if cross_validation:
        print(format_scores(cross_validation_scores(), details=False), end="\n\n")
    if compare_dir is not None:
        candidate = [s for _, s in score_files(paths, read_model(compare_dir))]
        current = [s for _, s in results]
        print(compare_table(current, candidate))
        ok, why = no_worse(current, candidate)
        print(("candidate is no worse: " if ok else "candidate is worse: ") + why)
    return 1 if failed else 0


def main(path: str) -> int:
    if not Path(path).is_file():
        print(f"cannot read {path}: no such file", file=sys.stderr)
        return 2
    return run([path])


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
