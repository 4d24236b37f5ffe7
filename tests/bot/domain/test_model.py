"""The learned model's stored form: plain arrays and JSON that read back into the same
predictions, refuse anything that could run code, and reload when `scamline train` replaces them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.domain import model as model_module
from bot.domain.model import Thresholds, current_model, model_text, read_model, write_model

TEXTS = [
    "colis en attente frais de port zurl colis",
    "votre carte vitale expire zurl ameli",
    "code de verification 000000 ne le communiquez pas",
    "colis bloque payez les frais",
    "renouvelez votre carte vitale",
    "votre code 000000 ne le donnez a personne",
]
LABELS = ["parcel", "health_insurance", "unknown", "parcel", "health_insurance", "unknown"]
RULE_NAMES = ("flag:a", "flag:b")


def _fit_and_write(directory: Path) -> tuple[np.ndarray, list[str]]:
    word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), lowercase=False, sublinear_tf=True)
    char = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), lowercase=False, sublinear_tf=True
    )
    rules = np.array([[1, 0], [0, 1], [0, 0], [1, 0], [0, 1], [0, 0]], dtype=np.float32)
    matrix = sparse.hstack([word.fit_transform(TEXTS), char.fit_transform(TEXTS), rules]).tocsr()
    classifier = LogisticRegression(C=10, max_iter=1000).fit(matrix, LABELS)
    write_model(
        directory,
        classes=list(classifier.classes_),
        word=word,
        char=char,
        coef=classifier.coef_,
        intercept=classifier.intercept_,
        rule_names=RULE_NAMES,
        signal_names=(),
        rule_scale=1.0,
        thresholds=Thresholds(0.5, 0.6, 0.9),
        meta={"test": True},
    )
    return classifier.predict_proba(matrix), list(classifier.classes_)


def test_a_stored_model_predicts_what_scikit_learn_predicted(tmp_path: Path) -> None:
    expected, classes = _fit_and_write(tmp_path)
    loaded = read_model(tmp_path)
    rules = np.array([[1, 0], [0, 1], [0, 0], [1, 0], [0, 1], [0, 0]], dtype=np.float32)
    got = loaded.probabilities(TEXTS, rules)
    assert list(loaded.classes) == classes
    np.testing.assert_allclose(got, expected, atol=1e-4)
    assert loaded.thresholds == Thresholds(0.5, 0.6, 0.9)
    assert loaded.contributions(TEXTS[0], rules[0], "parcel")


def test_arrays_that_are_not_the_ones_named_are_refused(tmp_path: Path) -> None:
    _fit_and_write(tmp_path)
    arrays = tmp_path / "classifier.npz"
    arrays.write_bytes(arrays.read_bytes() + b"\0")
    with pytest.raises(ValueError, match="not the ones"):
        read_model(tmp_path)


def test_a_pickled_object_array_is_never_loaded(tmp_path: Path) -> None:
    _fit_and_write(tmp_path)
    import hashlib
    import io

    buffer = io.BytesIO()
    np.savez(buffer, coef=np.array([object()], dtype=object), intercept=np.zeros(1))
    (tmp_path / "classifier.npz").write_bytes(buffer.getvalue())
    spec = json.loads((tmp_path / "classifier.json").read_text())
    spec["arrays_sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()
    (tmp_path / "classifier.json").write_text(json.dumps(spec))
    with pytest.raises(ValueError, match="pickle"):
        read_model(tmp_path)


def test_another_format_is_refused(tmp_path: Path) -> None:
    _fit_and_write(tmp_path)
    spec = json.loads((tmp_path / "classifier.json").read_text())
    spec["format"] = 99
    (tmp_path / "classifier.json").write_text(json.dumps(spec))
    with pytest.raises(ValueError, match="format"):
        read_model(tmp_path)


def test_the_current_model_is_reloaded_when_replaced_and_kept_while_half_written(
    tmp_path: Path,
) -> None:
    model_module._loaded.clear()
    _fit_and_write(tmp_path)
    first = current_model(tmp_path)
    assert current_model(tmp_path) is first
    arrays = tmp_path / "classifier.npz"
    arrays.write_bytes(arrays.read_bytes() + b"\0")  # a new model being installed
    spec = tmp_path / "classifier.json"
    os.utime(spec, (spec.stat().st_atime, spec.stat().st_mtime + 5))
    assert current_model(tmp_path) is first
    _fit_and_write(tmp_path)
    os.utime(spec, (spec.stat().st_atime, spec.stat().st_mtime + 10))
    assert current_model(tmp_path) is not first


def test_no_model_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="scamline train"):
        current_model(tmp_path)


def test_model_text_keeps_the_shape_of_links_numbers_and_codes() -> None:
    text = model_text(
        "AMELI: payez 1,99€ sur https://аmeli-maj.test/x ou appelez le 0899 12 34 56, code 482913"
    )
    assert "zurl ameli maj test" in text
    assert "ztelpremium" in text
    assert "code 000000" in text and "€" in text
    assert "ameli" in text.split()[0]
