"""The learned scam-family model: TF-IDF word and character n-grams of a report's text, beside
the rule signals (`bot.domain.rule_scores`), into a multinomial logistic regression.

`scamline train` (`bot.training.train`) fits it with scikit-learn and stores it as plain data:
a JSON file (vocabularies, parameters, decision thresholds, provenance) and an `.npz` of arrays
read with `allow_pickle=False`. Nothing in either file can run code, unlike a pickle. Here the
vectorizers are rebuilt from their vocabularies, so the text is analysed by the same
scikit-learn code that trained the model.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.domain.homoglyphs import latin_skeleton
from bot.domain.indicators import replace_links, url_host
from bot.domain.numbers import parse_phone
from bot.domain.rules import load_rules

log = logging.getLogger(__name__)

FORMAT = 1
JSON_NAME = "classifier.json"
ARRAYS_NAME = "classifier.npz"
# The model reads this much of a report: a scam's lure is at its start, and the cost stays
# bounded whatever a hostile text holds.
MAX_MODEL_CHARS = 1600

_PHONEISH = re.compile(r"(?<![\w+])\+?\d[\d .\-/]{6,20}\d(?![\w])")
_DIGIT = re.compile(r"\d")
_HOST_WORD = re.compile(r"[a-z]{2,}")


def _url_token(match: re.Match[str]) -> str:
    host = latin_skeleton(url_host(match.group(0)))
    return " zurl " + " ".join(_HOST_WORD.findall(host)) + " "


def _phone_token(match: re.Match[str]) -> str:
    number = parse_phone(match.group(0))
    return f" ztel{number.number_type.value.replace('_', '')} " if number else match.group(0)


def model_text(text: str) -> str:
    """What the n-grams are taken from: links become `zurl` and their host's words, phone numbers
    `ztel<type>`, then the rules' normalisation (lower case, no accents, SMS abbreviations
    folded) and every digit `0`, so that a code or an amount counts as its shape."""
    text = replace_links(text[:MAX_MODEL_CHARS], _url_token)
    text = _PHONEISH.sub(_phone_token, text)
    return _DIGIT.sub("0", load_rules().normalise(text))


@dataclass(frozen=True, slots=True)
class Thresholds:
    scam: float  # the scam families' total probability from which a report is a scam
    family: float  # the share of that total the likeliest family needs for its own advice
    genuine: float  # the probability of `unknown` that, with genuine signs, reads as genuine


@dataclass(frozen=True)
class LearnedModel:
    classes: tuple[str, ...]
    word: TfidfVectorizer
    char: TfidfVectorizer
    coef: np.ndarray  # (classes, features), float32
    intercept: np.ndarray
    rule_names: tuple[str, ...]  # the rule feature columns, in order
    signal_names: tuple[str, ...]  # the rules file's generic signals the columns were built from
    rule_scale: float
    thresholds: Thresholds
    meta: dict[str, Any]

    def matrix(self, texts: Sequence[str], rules: np.ndarray) -> sparse.csr_matrix:
        return sparse.hstack(
            [
                self.word.transform(texts),
                self.char.transform(texts),
                sparse.csr_matrix(rules * self.rule_scale, dtype=np.float32),
            ],
            format="csr",
        )

    def probabilities(self, texts: Sequence[str], rules: np.ndarray) -> np.ndarray:
        """One row per text: the probability of each class, in `classes` order."""
        scores = self.matrix(texts, rules) @ self.coef.T + self.intercept
        scores = np.asarray(scores, dtype=np.float64)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))

    def feature_names(self) -> list[str]:
        return (
            [f"word:{w}" for w in self.word.get_feature_names_out()]
            + [f"chars:{c}" for c in self.char.get_feature_names_out()]
            + list(self.rule_names)
        )

    def contributions(self, text: str, rules: np.ndarray, family: str, top: int = 6) -> list[str]:
        """The features that pushed one text toward `family` most, for analysts."""
        row = self.matrix([text], rules.reshape(1, -1)).tocoo()
        weights = self.coef[self.classes.index(family)]
        pairs = sorted(
            ((float(v * weights[i]), int(i)) for i, v in zip(row.col, row.data, strict=True)),
            reverse=True,
        )
        names = self.feature_names()
        return [names[i] for value, i in pairs[:top] if value > 0]


def _vectorizer(params: dict[str, Any], vocabulary: list[str], idf: np.ndarray) -> TfidfVectorizer:
    vectorizer = TfidfVectorizer(
        **params, vocabulary={term: i for i, term in enumerate(vocabulary)}, dtype=np.float32
    )
    vectorizer.idf_ = idf
    return vectorizer


def read_model(directory: Path) -> LearnedModel:
    """Load a model written by `write_model`; refuses a format or feature set it does not know."""
    spec = json.loads((directory / JSON_NAME).read_text(encoding="utf-8"))
    if spec.get("format") != FORMAT:
        raise ValueError(f"{directory}: model format {spec.get('format')!r}, expected {FORMAT}")
    raw = (directory / ARRAYS_NAME).read_bytes()
    if hashlib.sha256(raw).hexdigest() != spec.get("arrays_sha256"):
        raise ValueError(f"{directory}: the arrays are not the ones its JSON names")
    with np.load(io.BytesIO(raw), allow_pickle=False) as arrays:
        coef = arrays["coef"].astype(np.float32)
        intercept = arrays["intercept"].astype(np.float64)
        idf_word = arrays["idf_word"]
        idf_char = arrays["idf_char"]
    model = LearnedModel(
        classes=tuple(spec["classes"]),
        word=_vectorizer(spec["word"]["params"], spec["word"]["vocabulary"], idf_word),
        char=_vectorizer(spec["char"]["params"], spec["char"]["vocabulary"], idf_char),
        coef=coef,
        intercept=intercept,
        rule_names=tuple(spec["rule_features"]),
        signal_names=tuple(spec["signal_names"]),
        rule_scale=float(spec["rule_scale"]),
        thresholds=Thresholds(**spec["thresholds"]),
        meta=spec.get("meta", {}),
    )
    width = len(spec["word"]["vocabulary"]) + len(spec["char"]["vocabulary"])
    if coef.shape != (len(model.classes), width + len(model.rule_names)):
        raise ValueError(f"{directory}: coefficients of shape {coef.shape} match no features")
    return model


def write_model(
    directory: Path,
    *,
    classes: Sequence[str],
    word: TfidfVectorizer,
    char: TfidfVectorizer,
    coef: np.ndarray,
    intercept: np.ndarray,
    rule_names: Sequence[str],
    signal_names: Sequence[str],
    rule_scale: float,
    thresholds: Thresholds,
    meta: dict[str, Any],
) -> None:
    directory.mkdir(parents=True, exist_ok=True)

    def vectorizer_spec(vectorizer: TfidfVectorizer) -> dict[str, Any]:
        params = {
            key: vectorizer.get_params()[key]
            for key in ("analyzer", "ngram_range", "lowercase", "sublinear_tf", "token_pattern")
        }
        params["ngram_range"] = list(params["ngram_range"])
        return {"params": params, "vocabulary": list(vectorizer.get_feature_names_out())}

    spec = {
        "format": FORMAT,
        "classes": list(classes),
        "word": vectorizer_spec(word),
        "char": vectorizer_spec(char),
        "rule_features": list(rule_names),
        "signal_names": list(signal_names),
        "rule_scale": rule_scale,
        "thresholds": {
            "scam": thresholds.scam,
            "family": thresholds.family,
            "genuine": thresholds.genuine,
        },
        "meta": meta,
    }
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        coef=coef.astype(np.float32),
        intercept=intercept.astype(np.float64),
        idf_word=word.idf_.astype(np.float64),
        idf_char=char.idf_.astype(np.float64),
    )
    (directory / ARRAYS_NAME).write_bytes(buffer.getvalue())
    spec["arrays_sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()
    (directory / JSON_NAME).write_text(
        json.dumps(spec, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


_loaded: dict[Path, tuple[float, LearnedModel]] = {}
_lock = threading.Lock()


def current_model(directory: Path) -> LearnedModel:
    """The model in `directory`, loaded once and again when `scamline train` replaces it."""
    try:
        stamp = os.stat(directory / JSON_NAME).st_mtime
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            f"no classifier model in {directory}: run `scamline train`"
        ) from exc
    with _lock:
        cached = _loaded.get(directory)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            model = read_model(directory)
        except (OSError, ValueError, KeyError):
            if cached is None:
                raise
            # Caught between two files of a new model: keep serving the one loaded.
            log.warning(
                "classifier model in %s not readable yet; keeping the loaded one", directory
            )
            return cached[1]
        if cached is not None:
            log.info("classifier model reloaded from %s", directory)
        _loaded[directory] = (stamp, model)
        return model
