"""`python -m bot.eval` on the public corpus passes its own thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import eval as scorer
from bot.settings import REPO_ROOT

CORPUS = (REPO_ROOT / ".." / "shared" / "corpus" / "public.jsonl").resolve()


@pytest.mark.skipif(not CORPUS.is_file(), reason="public corpus not present")
def test_public_corpus_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code = scorer.main(str(CORPUS))
    out = capsys.readouterr().out
    print(out)
    assert code == 0, out
    assert "macro-F1" in out


def test_flagging_a_genuine_message_fails(tmp_path: Path) -> None:
    record = {
        "id": "t1",
        "channel": "sms",
        "body": "Ameli: remboursement en attente, confirmez votre RIB sur ameli-remb.test",
        "family": "unknown",
        "expect_numbers": [],
        "expect_domains": ["ameli-remb.test"],
        "lang": "fr",
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert scorer.main(str(path)) != 0


def test_missing_file_fails(tmp_path: Path) -> None:
    assert scorer.main(str(tmp_path / "absent.jsonl")) != 0
