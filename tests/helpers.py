"""Shared test helpers: signed webhooks, processing events as the worker does, running the real
RQ worker until the queues are empty."""

from __future__ import annotations

import secrets

from fastapi.testclient import TestClient
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from bot.queueing.connections import get_redis
from bot.queueing.queues import QUEUES, get_queue
from bot.services.batch_processing import handle_events
from bot.services.intake import lock_events
from bot.services.processing import Outcome
from bot.settings import get_settings

TEST_BASE = "http://testserver"


def sign(url: str, params: dict[str, str], token: str | None = None) -> str:
    return RequestValidator(token or get_settings().twilio_auth_token).compute_signature(
        url, params
    )


def sms_params(sender: str, body: str, sid: str | None = None) -> dict[str, str]:
    return {
        "MessageSid": sid or "SM" + secrets.token_hex(16),
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "To": "+33700000000",
        "Body": body,
        "NumMedia": "0",
    }


def post_signed(client: TestClient, path: str, params: dict[str, str]) -> object:
    signature = sign(TEST_BASE + path, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def run_worker_until_idle() -> None:
    """The real RQ worker, in burst mode: it processes every queued job, then returns."""
    connection = get_redis()
    worker = SimpleWorker(
        [get_queue(name, connection) for name in QUEUES],
        connection=connection,
        serializer=JSONSerializer,
    )
    worker.work(burst=True, with_scheduler=False, logging_level="WARNING")


def process_as_worker(session: Session, event_id: int) -> Outcome:
    """Process one stored event as the worker's batch job does (`handle_events` without
    autoflush), as a batch of one, in the caller's transaction; nothing is enqueued. An event
    already done gives an empty outcome."""
    with session.no_autoflush:
        outcomes = handle_events(session, lock_events(session, [event_id]))
    return outcomes[0] if outcomes else Outcome()
