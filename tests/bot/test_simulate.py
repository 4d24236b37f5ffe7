"""`scamline simulate`: which bot it talks to, and what it says when no reply comes or a reply
is held back (each case taken from the database after the real worker ran)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.runfile import RunInfo, write_run_info
from bot.simulate import explain, find_target, read_outcome, simulate_sms
from bot.web.app import create_app
from tests.conftest import _reset_caches
from tests.helpers import post_signed, run_worker_until_idle, sms_params
from tests.processes import web_server

REPORTER = "+33612345678"


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app())


def send(client: TestClient, body: str, sender: str = REPORTER, work: bool = True) -> str:
    """One signed SMS webhook, processed by the real worker; returns its SID."""
    params = sms_params(sender, body)
    assert post_signed(client, "/twilio/sms", params).status_code == 200  # type: ignore[attr-defined]
    if work:
        run_worker_until_idle()
    return params["MessageSid"]


def told(sid: str) -> tuple[int, str]:
    status, lines = explain(read_outcome(sid), 0.5)
    return status, "\n".join(lines)


def test_a_report_shows_the_reply_from_the_outbox(client: TestClient) -> None:
    status, text = told(send(client, "appel du 0899 10 25 37"))
    assert status == 0
    assert text.startswith("reply (outbox, GSM-7, 2 segment(s), 0.5 s):\nScamline :")


def test_silence_after_stop_is_explained_as_the_opt_out(client: TestClient) -> None:
    status, text = told(send(client, "STOP"))
    assert status == 0
    assert "opted out (STOP or ARRET)" in text and "until they send START" in text
    assert "worker running" not in text


def test_a_report_after_stop_is_held_back_and_says_why(client: TestClient) -> None:
    send(client, "STOP")
    status, text = told(send(client, "appel du 0899 10 25 37"))
    assert status == 0
    assert text.startswith("reply (suppressed,")
    assert "not sent: this reporter opted out" in text


def test_the_per_reporter_reply_limit_is_named(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTER_REPLIES_PER_HOUR", "1")
    _reset_caches()
    send(client, "appel du 0899 10 25 37")
    status, text = told(send(client, "appel du 0899 10 25 38"))
    assert status == 0
    assert text.startswith("reply (rate_limited,")
    assert "per-reporter reply limit" in text and "REPORTER_REPLIES_PER_HOUR (1)" in text


def test_the_bot_loop_guard_is_explained(client: TestClient) -> None:
    # Answering each reply within seconds, three times running, is what an auto-responder does.
    for last_digit in range(3):
        told(send(client, f"appel du 0899 10 25 3{last_digit}"))
    status, text = told(send(client, "appel du 0899 10 25 39"))
    assert status == 0
    assert text.startswith("reply (loop,")
    assert "bot-loop guard" in text and "auto-responder" in text and "another --from" in text


def test_an_unprocessed_report_asks_about_the_worker(client: TestClient) -> None:
    status, text = told(send(client, "appel du 0899 10 25 37", work=False))
    assert status == 1
    assert "no worker has processed it" in text


def test_a_report_missing_from_this_database_says_so() -> None:
    status, text = told("SM" + "0" * 32)
    assert status == 1
    assert "not in the database this command reads" in text


def test_a_wrong_auth_token_is_explained(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with web_server() as base:
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", "not-the-bots-token-0123456789")
        _reset_caches()
        assert simulate_sms(base, REPORTER, "appel 0639981234", "+33700000000") == 1
    printed = capsys.readouterr().out
    assert "-> 403" in printed
    assert "403: the bot refused the signature" in printed
    assert "PUBLIC_BASE_URL" in printed and "TWILIO_AUTH_TOKEN" in printed


def _run_file(var_dir: Path, url: str, pid: int) -> None:
    write_run_info(var_dir, RunInfo(url, pid, "127.0.0.1:6399, database 0", "sqlite:///x"))


def test_the_bot_that_scamline_run_started_is_found(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    _reset_caches()
    assert find_target().base == "http://127.0.0.1:8000"  # no run file: the default
    _run_file(tmp_path, "http://127.0.0.1:8123", os.getppid())
    target = find_target()
    assert target.base == target.signed_base == "http://127.0.0.1:8123"
    assert "scamline run" in target.source


def test_a_run_file_left_by_a_dead_run_is_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    _reset_caches()
    _run_file(tmp_path, "http://127.0.0.1:8123", 2**22 + 12345)  # above any pid_max
    assert find_target().base == "http://127.0.0.1:8000"


def test_scamline_url_and_url_come_first_and_public_base_url_is_signed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    _run_file(tmp_path, "http://127.0.0.1:8123", os.getppid())
    monkeypatch.setenv("SCAMLINE_URL", "http://127.0.0.1:9000/")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://bot.example")
    _reset_caches()
    target = find_target()
    assert (target.base, target.source) == ("http://127.0.0.1:9000", "SCAMLINE_URL")
    # The bot checks signatures against PUBLIC_BASE_URL, whatever address it is reached at.
    assert target.signed_base == "https://bot.example"
    assert find_target("http://127.0.0.1:9001").base == "http://127.0.0.1:9001"
