"""POST /twilio/sms: stored once per MessageSid, enqueued, answered at once, robust to Redis."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.db.models import InboundEvent, Reply, Report, Reporter
from bot.db.session import session_scope
from bot.security.pseudonyms import decrypt_phone
from bot.settings import get_settings
from bot.web.app import create_app
from tests.conftest import _reset_caches
from tests.helpers import post_signed, run_worker_until_idle, sms_params
from workers.sweeper import sweep_once

pytestmark = pytest.mark.storage

PARCEL = "Votre colis est retenu, frais de 1,99e a regler : colis-frais.test"


def _count(model: type) -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_answers_empty_twiml_as_text_xml() -> None:
    client = TestClient(create_app())
    response = post_signed(client, "/twilio/sms", sms_params("+33639981234", PARCEL))
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/xml")  # type: ignore[attr-defined]
    assert response.text.endswith("<Response />")  # type: ignore[attr-defined]


def test_the_same_message_sid_three_times_gives_one_report_and_one_reply() -> None:
    client = TestClient(create_app())
    params = sms_params("+33639981234", PARCEL)
    for _ in range(3):
        assert post_signed(client, "/twilio/sms", params).status_code == 200  # type: ignore[attr-defined]
    run_worker_until_idle()
    # A late duplicate after processing changes nothing either.
    post_signed(client, "/twilio/sms", params)
    run_worker_until_idle()
    assert _count(InboundEvent) == 1
    assert _count(Report) == 1
    assert _count(Reply) == 1


def test_the_raw_event_keeps_no_clear_phone_number() -> None:
    client = TestClient(create_app())
    post_signed(client, "/twilio/sms", sms_params("+33639981234", PARCEL))
    with session_scope() as session:
        event = session.scalars(select(InboundEvent)).one()
        assert "From" not in event.params
        assert event.from_enc and "+33639981234" not in event.from_enc
        assert event.reporter_pseudonym is None  # the worker's to compute
    run_worker_until_idle()
    with session_scope() as session:
        event = session.scalars(select(InboundEvent)).one()
        assert event.reporter_pseudonym and len(event.reporter_pseudonym) == 64
        assert event.from_enc and "+33639981234" not in event.from_enc


def test_two_spellings_of_one_number_are_one_reporter_answered_at_the_canonical_number() -> None:
    client = TestClient(create_app())
    post_signed(client, "/twilio/sms", sms_params("+33 6 39 98 12 34", PARCEL))
    run_worker_until_idle()
    post_signed(client, "/twilio/sms", sms_params("+33639981234", PARCEL.replace("1,99", "3,49")))
    run_worker_until_idle()
    assert _count(Reporter) == 1
    with session_scope() as session:
        (reporter,) = session.scalars(select(Reporter)).all()
        assert decrypt_phone(reporter.phone_enc or "") == "+33639981234"


def test_a_report_survives_redis_being_down_at_intake(monkeypatch: pytest.MonkeyPatch) -> None:
    working_redis = get_settings().redis_url
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    _reset_caches()
    client = TestClient(create_app())
    response = post_signed(client, "/twilio/sms", sms_params("+33639981234", PARCEL))
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert _count(InboundEvent) == 1
    assert _count(Report) == 0

    monkeypatch.setenv("REDIS_URL", working_redis)  # Redis is back
    _reset_caches()
    # The sweeper finds the stored event, enqueues it, and the worker processes it once.
    result = sweep_once()
    assert result.events == 1
    run_worker_until_idle()
    assert sweep_once().events == 0
    assert _count(Report) == 1
    assert _count(Reply) == 1


def test_a_missing_message_sid_is_a_clear_400() -> None:
    client = TestClient(create_app())
    params = sms_params("+33639981234", PARCEL)
    del params["MessageSid"]
    assert post_signed(client, "/twilio/sms", params).status_code == 400  # type: ignore[attr-defined]


@pytest.mark.parametrize("sid", ["00*", "SM 1", "SM\x00", "SM١٢٣", "SM/../x", "S"])
def test_a_malformed_message_sid_is_a_400_and_nothing_is_stored(sid: str) -> None:
    # Found by schemathesis: `MessageSid=00*` was stored, then crashed the enqueue (an RQ job id
    # takes only letters, digits, `_` and `-`): a 500, and an event the sweeper could never queue.
    client = TestClient(create_app())
    params = sms_params("+33639981234", PARCEL, sid=sid)
    assert post_signed(client, "/twilio/sms", params).status_code == 400  # type: ignore[attr-defined]
    assert _count(InboundEvent) == 0


@pytest.mark.parametrize("status", ["\x00", "deliv\x00ered", "DELIVERED!", "x" * 25])
def test_a_malformed_delivery_status_is_a_400(status: str) -> None:
    # Found by schemathesis: a NUL in MessageStatus reached a text column: PostgreSQL refused it.
    client = TestClient(create_app())
    params = {"MessageSid": "SM" + "0" * 32, "MessageStatus": status}
    assert post_signed(client, "/twilio/status", params).status_code == 400  # type: ignore[attr-defined]


def test_a_burst_of_concurrent_webhooks_shares_commits_and_each_gets_its_job() -> None:
    import asyncio

    import httpx

    from bot.web.intake_writer import intake_writer
    from tests.helpers import TEST_BASE, sign

    app = create_app()
    posts = [sms_params(f"+336399{i:05d}", PARCEL, sid=f"SMburst{i:05d}") for i in range(60)]

    async def burst() -> tuple[list[int], int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=TEST_BASE) as client:
            answers = await asyncio.gather(
                *(
                    client.post(
                        "/twilio/sms",
                        data=p,
                        headers={"X-Twilio-Signature": sign(TEST_BASE + "/twilio/sms", p)},
                    )
                    for p in posts
                )
            )
            return [a.status_code for a in answers], intake_writer().batches

    statuses, batches = asyncio.run(burst())
    assert statuses == [200] * 60
    assert batches < 60  # requests that arrived together were committed together
    assert _count(InboundEvent) == 60
    run_worker_until_idle()
    assert _count(Report) == 60
    assert _count(Reply) == 60
