"""Logs never carry a reporter's full number or an auth token."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from bot.db.session import session_scope
from bot.logging_setup import RedactingFilter
from bot.services.api_tokens import create_token
from bot.web.app import create_app
from tests.helpers import post_signed, run_worker_until_idle, sms_params

REPORTER = "+33612345678"
SPELLINGS = (REPORTER, "0612345678", "06 12 34 56 78", "612345678")


@pytest.mark.parametrize("with_twilio", [False, True])
def test_the_whole_flow_logs_no_reporter_number_nor_token(
    caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest, with_twilio: bool
) -> None:
    if with_twilio:
        request.getfixturevalue("fake_twilio")
    caplog.set_level(logging.DEBUG)
    with session_scope() as session:
        _, token = create_token(session, "logs")
    client = TestClient(create_app())
    for body in ("Colis bloque, frais 1,99e : colis.test", "06 39 98 12 34", "STOP", "START"):
        post_signed(client, "/twilio/sms", sms_params(REPORTER, body))
        run_worker_until_idle()
    client.get("/api/v1/numbers/0639981234", headers={"Authorization": f"Bearer {token}"})
    client.get("/api/v1/reports", headers={"Authorization": "Bearer scl_wrong_token_value"})
    text = caplog.text
    assert "OUTBOX" in text or with_twilio
    for spelling in SPELLINGS:
        assert spelling not in text
    assert token not in text and token[:12] not in text


def test_the_filter_masks_what_slips_through() -> None:
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "to %s with %s",
        ("+33612345678", "scl_abcdefghijklmnop"),
        None,
    )
    assert RedactingFilter().filter(record)
    message = record.getMessage()
    assert "+33612345678" not in message and "abcdefghijklmnop" not in message
