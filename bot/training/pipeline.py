"""`scamline train`: the corpus (and analysts' corrections) in, a model out, shipped only when no
worse than the current one on the held-out sets."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.domain.classifier import model_dir
from bot.domain.model import read_model
from bot.domain.simhash import hamming, is_template, simhash
from bot.settings import REPO_ROOT, get_settings
from bot.training.corpus import check, read_dir, read_jsonl
from bot.training.groups import near_copy_groups
from bot.training.train import sorted_records, train

# The public corpus stays a test: nothing of it may be learned from.
PUBLIC_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "public.jsonl"
COPY_DISTANCE = 3


def copies_of(records: list[dict[str, Any]], others: list[dict[str, Any]]) -> list[str]:
    """Ids of records whose text is a near-copy of one of `others` (SimHash within 3 bits).

    Texts too short to be a template (`06 39 98 12 34`, `appel masqué`) are only compared whole:
    two bare numbers are not a copied sentence."""
    fingerprints = [simhash(str(o["body"])) for o in others if is_template(str(o["body"]))]
    bodies = {str(o["body"]).strip().lower() for o in others}
    found = []
    for record in records:
        body = str(record["body"])
        value = simhash(body) if is_template(body) else 0
        if body.strip().lower() in bodies or (
            value and any(hamming(value, other) <= COPY_DISTANCE for other in fingerprints)
        ):
            found.append(str(record["id"]))
    return found


def corrections() -> list[dict[str, Any]]:
    """Reports an analyst re-labelled, still within retention, masked of personal data."""
    from bot.db.session import migrate, session_scope
    from bot.services.corrections import corrected_reports

    migrate()
    with session_scope() as session:
        return corrected_reports(session, get_settings().retention_days)


def training_records(with_corrections: bool) -> tuple[list[dict[str, Any]], list[int]]:
    records = read_dir(get_settings().corpus_dir / "train")
    fatal = [p for p in check(records) if p.fatal]
    if fatal:
        raise ValueError("the training corpus has errors:\n" + "\n".join(map(str, fatal)))
    if with_corrections:
        records += corrections()
    if PUBLIC_CORPUS.is_file():
        copied = set(copies_of(records, read_jsonl(PUBLIC_CORPUS)))
        if copied:
            print(f"left out, near-copies of the public test corpus: {sorted(copied)}")
            records = [r for r in records if str(r["id"]) not in copied]
    records = sorted_records(records)
    return records, near_copy_groups(records)


def install(candidate: Path, target: Path) -> None:
    """Put a trained model in place: arrays first, the JSON (which names their digest) last, so
    that a worker never loads a mixed pair."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("classifier.npz", "classifier.json"):
        staged = target / f".{name}.new"
        shutil.copyfile(candidate / name, staged)
        staged.replace(target / name)


def train_and_install(with_corrections: bool, force: bool, target: Path | None = None) -> int:
    from bot.eval import compare_table, heldout_files, no_worse, score_files

    target = target or get_settings().classifier_model_dir
    records, groups = training_records(with_corrections)
    corrected = sum(1 for r in records if str(r.get("writer")) == "analyst")
    print(f"training on {len(records)} reports ({corrected} analysts' corrections)")
    with tempfile.TemporaryDirectory(prefix="scamline-model-") as tmp:
        candidate = Path(tmp)
        meta = train(records, groups, candidate, {"corrections": corrected})
        print(f"grouped cross-validation macro-F1: {meta['cross_validation']['macro_f1']:.3f}")
        paths = heldout_files()
        new_scores = [s for _, s in score_files(paths, read_model(candidate))]
        current = model_dir()
        if (current / "classifier.json").is_file() and not force:
            old_scores = [s for _, s in score_files(paths, read_model(current))]
            print(compare_table(old_scores, new_scores))
            ok, why = no_worse(old_scores, new_scores)
            if not ok:
                print(f"kept the current model: the candidate is worse ({why})", file=sys.stderr)
                return 1
            print(f"the candidate is no worse ({why})")
        install(candidate, target)
    print(f"model written to {target}")
    return 0
