"""`scamline eval`: the shipped model meets the targets on every held-out set and on the public
corpus, and a file that misses one fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import eval as scorer
from bot.training.pipeline import PUBLIC_CORPUS


def test_the_held_out_sets_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code = scorer.run([])
    out = capsys.readouterr().out
    print(out)
    assert code == 0, out
    assert "macro-F1" in out and "calibration" in out and "p99" in out


@pytest.mark.skipif(not PUBLIC_CORPUS.is_file(), reason="public corpus not present")
def test_public_corpus_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code = scorer.main(str(PUBLIC_CORPUS))
    out = capsys.readouterr().out
    print(out)
    assert code == 0, out


def _one(tmp_path: Path, **record: object) -> str:
    base = {"id": "t1", "channel": "sms", "expect_numbers": [], "expect_domains": [], "lang": "fr"}
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(base | record) + "\n", encoding="utf-8")
    return str(path)


def test_flagging_a_genuine_message_fails(tmp_path: Path) -> None:
    body = "Ameli: remboursement en attente, confirmez votre RIB sur ameli-remb.test"
    assert (
        scorer.main(_one(tmp_path, body=body, family="unknown", expect_domains=["ameli-remb.test"]))
        != 0
    )


def test_a_scam_outside_the_families_is_not_a_genuine_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "Ameli: remboursement en attente, confirmez votre RIB sur ameli-remb.test"
    path = _one(
        tmp_path, body=body, family="unknown", kind="scam", expect_domains=["ameli-remb.test"]
    )
    scorer.main(path)  # fails on macro-F1: the family is wrong, but no genuine message was
    out = capsys.readouterr().out
    assert "genuine message(s) put in a scam family" not in out
    assert "genuine (unknown) put in a scam family: 0/0" in out
    assert "scams outside the families given a family's advice: 1/1" in out


def test_a_missed_domain_fails(tmp_path: Path) -> None:
    body = "Colis en attente, frais sur colis-frais.test"
    assert (
        scorer.main(_one(tmp_path, body=body, family="parcel", expect_domains=["autre.test"])) != 0
    )


def test_missing_file_fails(tmp_path: Path) -> None:
    assert scorer.main(str(tmp_path / "absent.jsonl")) != 0
