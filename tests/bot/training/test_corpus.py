"""The project's corpus: well-formed, held-out sets independent of the training set, nothing
learned from the public test corpus, and a shipped model trained on the corpus as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.settings import get_settings
from bot.training.corpus import check, read_dir, read_jsonl
from bot.training.pipeline import PUBLIC_CORPUS, copies_of
from bot.training.train import corpus_digest, sorted_records

CORPUS = get_settings().corpus_dir


def test_every_corpus_file_is_well_formed() -> None:
    for folder in ("train", "heldout"):
        records = read_dir(CORPUS / folder)
        assert records, folder
        fatal = [str(p) for p in check(records) if p.fatal]
        assert fatal == [], fatal


def test_the_training_set_is_large_and_a_quarter_genuine() -> None:
    records = read_dir(CORPUS / "train")
    assert len(records) >= 3000
    genuine = sum(1 for r in records if r["family"] == "unknown")
    assert genuine >= len(records) / 4
    for lang in ("fr", "en"):
        assert sum(1 for r in records if r["lang"] == lang) >= 300, lang


def test_no_held_out_report_is_a_near_copy_of_a_training_one() -> None:
    train = read_dir(CORPUS / "train")
    for path in sorted((CORPUS / "heldout").glob("*.jsonl")):
        assert copies_of(read_jsonl(path), train) == [], path.name


@pytest.mark.skipif(not PUBLIC_CORPUS.is_file(), reason="public corpus not present")
def test_nothing_is_copied_from_the_public_test_corpus() -> None:
    public = read_jsonl(PUBLIC_CORPUS)
    for folder in ("train", "heldout"):
        assert copies_of(read_dir(CORPUS / folder), public) == [], folder


def test_the_shipped_model_was_trained_on_the_corpus_as_it_is() -> None:
    spec = json.loads((get_settings().classifier_model_dir / "classifier.json").read_text())
    records = sorted_records(read_dir(CORPUS / "train"))
    assert spec["meta"]["corpus_sha256"] == corpus_digest(records), (
        "the corpus changed since the model was trained: run `scamline train --no-corrections`"
    )
    assert spec["meta"]["corrections"] == 0


def test_the_corpus_readme_documents_every_field() -> None:
    readme = (Path(CORPUS) / "README.md").read_text()
    for field in (
        "id",
        "channel",
        "body",
        "family",
        "kind",
        "expect_numbers",
        "expect_domains",
        "lang",
        "source",
        "writer",
        "group",
    ):
        assert f"`{field}`" in readme, field
