"""The whole loop with real processes: a signed webhook to uvicorn, the real RQ worker, the
fake Twilio receiving the SDK's HTTP call, and the API showing the number."""

from __future__ import annotations

import time

import httpx

from bot.db.session import session_scope
from bot.services.api_tokens import SCOPES, create_token
from bot.simulate import signed_post, sms_params
from tests.fakes.twilio_api import FakeTwilioServer
from tests.processes import web_server, worker

REPORTER = "+33612345678"


def wait_for_messages(fake: FakeTwilioServer, count: int, timeout: float = 20) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        bodies = fake.state.bodies_to(REPORTER)
        if len(bodies) >= count:
            return bodies
        time.sleep(0.05)
    raise AssertionError(f"expected {count} messages, got {fake.state.bodies_to(REPORTER)}")


def test_report_reply_sender_and_api(fake_twilio: FakeTwilioServer) -> None:
    with session_scope() as session:
        _, token = create_token(session, "e2e", SCOPES)
    with web_server() as base, worker():
        started = time.monotonic()
        forwarded = sms_params(REPORTER, "Colis en attente, frais 1,99e : colis-frais.test", "+337")
        response = signed_post(base + "/twilio/sms", forwarded)
        assert response.status_code == 200 and response.text.endswith("<Response />")
        [first] = wait_for_messages(fake_twilio, 1)
        seconds = time.monotonic() - started
        assert "Qui vous l'a envoyé" in first
        assert seconds < 10

        answer = sms_params(REPORTER, "06 39 98 12 34", "+337")
        assert signed_post(base + "/twilio/sms", answer).status_code == 200
        second = wait_for_messages(fake_twilio, 2)[1]
        assert "06 39 98 12 34 est enregistré" in second

        api = httpx.get(
            base + "/api/v1/numbers/0639981234", headers={"Authorization": f"Bearer {token}"}
        )
        assert api.status_code == 200
        assert api.json()["number"] == "+33639981234"
        assert api.json()["report_count"] == 1
    assert len(fake_twilio.state.messages) == 2
