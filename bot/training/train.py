"""`scamline train`: fit the learned classifier on the corpus, reproducibly.

The model is a logistic regression over TF-IDF word 1-2-grams and character 2-5-grams of the
report's text (see `bot.domain.model.model_text`) and the rule signals. Its two decision
thresholds are chosen on out-of-fold predictions of a grouped cross-validation of the training
set, never on the held-out sets. A fixed seed and sorted inputs make two runs on the same corpus
give the same arrays.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from bot.domain.classifier import Classification, Verdict, decide
from bot.domain.families import UNKNOWN, families
from bot.domain.model import Thresholds, write_model
from bot.domain.statuses import CorpusKind
from bot.training.features import Inputs, inputs_for

SEED = 20261207
FOLDS = 5
WORD_PARAMS: dict[str, Any] = {
    "analyzer": "word",
    "ngram_range": (1, 2),
    "min_df": 2,
    "sublinear_tf": True,
    "lowercase": False,
    "token_pattern": r"(?u)\b\w+\b",
}
CHAR_PARAMS: dict[str, Any] = {
    "analyzer": "char_wb",
    "ngram_range": (2, 5),
    "min_df": 2,
    "sublinear_tf": True,
    "lowercase": False,
}
RULE_SCALE = 1.0
C = 30.0
# The decision may put at most this share of genuine messages into a scam family, out of fold.
MAX_GENUINE_FLAGGED = 0.02
# A family's own advice must go to the right family this often, out of fold.
FAMILY_PRECISION = 0.95


@dataclass
class Fitted:
    word: TfidfVectorizer
    char: TfidfVectorizer
    classifier: LogisticRegression

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.classifier.classes_)

    def matrix(self, inputs: Inputs) -> sparse.csr_matrix:
        return sparse.hstack(
            [
                self.word.transform(inputs.texts),
                self.char.transform(inputs.texts),
                sparse.csr_matrix(inputs.rules * RULE_SCALE),
            ],
            format="csr",
        )

    def probabilities(self, inputs: Inputs) -> np.ndarray:
        return np.asarray(self.classifier.predict_proba(self.matrix(inputs)))


def fit(inputs: Inputs, labels: Sequence[str]) -> Fitted:
    word = TfidfVectorizer(**WORD_PARAMS, dtype=np.float32)
    char = TfidfVectorizer(**CHAR_PARAMS, dtype=np.float32)
    word.fit(inputs.texts)
    char.fit(inputs.texts)
    classifier = LogisticRegression(C=C, max_iter=3000, random_state=SEED)
    fitted = Fitted(word, char, classifier)
    classifier.fit(fitted.matrix(inputs), list(labels))
    return fitted


def subset(inputs: Inputs, rows: Sequence[int] | np.ndarray) -> Inputs:
    index = list(rows)
    return Inputs(
        [inputs.texts[i] for i in index],
        inputs.rules[index],
        [inputs.scores[i] for i in index],
        inputs.signal_names,
    )


def out_of_fold(
    inputs: Inputs, labels: Sequence[str], groups: Sequence[int], folds: int = FOLDS
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each report's probabilities from a model that saw neither it nor its near-copies."""
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=SEED)
    classes = tuple(sorted(set(labels)))
    result = np.zeros((len(labels), len(classes)))
    label_array = np.asarray(labels)
    for train_rows, test_rows in splitter.split(inputs.texts, label_array, list(groups)):
        fitted = fit(subset(inputs, train_rows), label_array[train_rows])
        probabilities = fitted.probabilities(subset(inputs, test_rows))
        for j, family in enumerate(fitted.classes):
            result[test_rows, classes.index(family)] = probabilities[:, j]
    return result, classes


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    labels = sorted(set(gold) | set(predicted))
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def _decisions(
    probabilities: np.ndarray, classes: Sequence[str], inputs: Inputs, thresholds: Thresholds
) -> list[Classification]:
    return [
        decide(classes, row, score, thresholds)
        for row, score in zip(probabilities, inputs.scores, strict=True)
    ]


def choose_thresholds(
    probabilities: np.ndarray,
    classes: Sequence[str],
    labels: Sequence[str],
    inputs: Inputs,
    outside_scams: Sequence[bool] | None = None,
) -> Thresholds:
    """Out of fold, in turn:
    - scam: the best macro-F1 that puts at most `MAX_GENUINE_FLAGGED` of genuine messages in a
      scam family;
    - family: the lowest share at which the family advice goes to the right family
      `FAMILY_PRECISION` of the time;
    - genuine: the lowest probability at which no scam gets the "looks genuine" reply.
    `outside_scams` marks the unknown reports that are scams outside the families: they are not
    genuine messages when counting those put in a family, and are scams for the third."""
    outside = list(outside_scams) if outside_scams is not None else [False] * len(labels)
    genuine = [label == UNKNOWN and not out for label, out in zip(labels, outside, strict=True)]
    genuine_count = sum(genuine) or 1
    best: tuple[float, float] | None = None
    for scam in np.round(np.arange(0.30, 0.995, 0.01), 2):
        decided = _decisions(probabilities, classes, inputs, Thresholds(float(scam), 0.0, 1.01))
        predicted = [d.family for d in decided]
        flagged = sum(1 for g, p in zip(genuine, predicted, strict=True) if g and p != UNKNOWN)
        if flagged / genuine_count > MAX_GENUINE_FLAGGED:
            continue
        score = macro_f1(labels, predicted)
        if best is None or score > best[0]:
            best = (score, float(scam))
    # No threshold keeps genuine messages out: then nothing is called a scam.
    scam_threshold = round(best[1], 2) if best else 1.01
    family_threshold = 1.0
    for share in np.round(np.arange(0.30, 1.001, 0.05), 2):
        decided = _decisions(
            probabilities, classes, inputs, Thresholds(scam_threshold, float(share), 1.01)
        )
        advised = [
            (d.family, g) for d, g in zip(decided, labels, strict=True) if d.verdict is Verdict.SCAM
        ]
        if advised and sum(f == g for f, g in advised) / len(advised) >= FAMILY_PRECISION:
            family_threshold = float(share)
            break
    genuine_threshold = 1.01  # never say "looks genuine" unless a threshold is safe
    for candidate in np.round(np.arange(0.50, 0.996, 0.01), 2):
        decided = _decisions(
            probabilities,
            classes,
            inputs,
            Thresholds(scam_threshold, family_threshold, float(candidate)),
        )
        if not any(
            d.verdict is Verdict.GENUINE_SIGNS and (g != UNKNOWN or out)
            for d, g, out in zip(decided, labels, outside, strict=True)
        ):
            genuine_threshold = float(candidate)
            break
    return Thresholds(scam_threshold, round(family_threshold, 2), round(genuine_threshold, 2))


def corpus_digest(records: Sequence[dict[str, Any]]) -> str:
    digest = hashlib.sha256()
    for record in records:
        digest.update(json.dumps([record["id"], record["body"], record["family"]]).encode())
    return digest.hexdigest()


def sorted_records(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: str(r["id"]))


def train(
    records: Sequence[dict[str, Any]],
    groups: Sequence[int],
    out_dir: Path,
    extra_meta: dict[str, Any],
) -> dict[str, Any]:
    """Fit on every record, choose thresholds out of fold, write the model; returns its meta."""
    order = sorted(range(len(records)), key=lambda i: str(records[i]["id"]))
    records = [records[i] for i in order]
    groups = [groups[i] for i in order]
    labels = [str(r["family"]) for r in records]
    unknown_labels = sorted(set(labels) - set(families()))
    if unknown_labels:
        raise ValueError(f"labels that are not families: {unknown_labels}")
    inputs = inputs_for([str(r["body"]) for r in records])
    probabilities, classes = out_of_fold(inputs, labels, groups)
    outside_scams = [r.get("kind") == CorpusKind.SCAM for r in records]
    thresholds = choose_thresholds(probabilities, classes, labels, inputs, outside_scams)
    oof = [
        decide(classes, row, score, thresholds).family
        for row, score in zip(probabilities, inputs.scores, strict=True)
    ]
    fitted = fit(inputs, labels)
    meta = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": len(records),
        "corpus_sha256": corpus_digest(records),
        "seed": SEED,
        "C": C,
        "cross_validation": {
            "folds": FOLDS,
            "grouped": True,
            "macro_f1": round(macro_f1(labels, oof), 4),
        },
        **extra_meta,
    }
    write_model(
        out_dir,
        classes=fitted.classes,
        word=fitted.word,
        char=fitted.char,
        coef=np.asarray(fitted.classifier.coef_),
        intercept=np.asarray(fitted.classifier.intercept_),
        rule_names=inputs.rule_names,
        signal_names=inputs.signal_names,
        rule_scale=RULE_SCALE,
        thresholds=thresholds,
        meta=meta,
    )
    return meta
