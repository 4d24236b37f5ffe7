"""Closing the loop: each reporter of a confirmed number hears so once, through the real sender."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.db.models import ReportedNumber
from bot.domain.segments import count_segments
from bot.queueing.queues import enqueue_reply
from bot.services.closing_loop import confirmed_text
from bot.web.app import create_app
from tests.factories import number_id, set_status
from tests.fakes.twilio_api import FakeTwilioServer
from tests.helpers import post_signed, run_worker_until_idle, sms_params
from workers.sweeper import sweep_once

pytestmark = pytest.mark.storage

FR, EN, GONE = "+33611111111", "+33622222222", "+33633333333"
PARCEL = "De 06 39 98 12 34 : Votre colis est retenu, frais de 1,99€ a regler sur colis-frais.test"


def _sms(client: TestClient, sender: str, body: str) -> None:
    assert post_signed(client, "/twilio/sms", sms_params(sender, body)).status_code == 200  # type: ignore[attr-defined]
    run_worker_until_idle()


def _confirmations(fake: FakeTwilioServer, to: str) -> list[str]:
    return [
        b for b in fake.state.bodies_to(to) if "arnaque confirmée" in b or "a confirmed scam" in b
    ]


def _three_reporters(client: TestClient) -> int:
    _sms(client, FR, PARCEL)
    _sms(client, EN, "EN")
    _sms(client, EN, PARCEL)
    _sms(client, GONE, PARCEL)
    _sms(client, GONE, "STOP")
    return number_id("+33639981234")


def test_each_reporter_hears_once_in_their_language_and_opted_out_never(
    fake_twilio: FakeTwilioServer,
) -> None:
    client = TestClient(create_app())
    number = _three_reporters(client)

    reply_ids = set_status(number, "confirmed_scam", note="parcel scam")
    assert len(reply_ids) == 2
    for reply_id in reply_ids:  # after commit, as the caller of set_number_status will
        enqueue_reply(reply_id)
    run_worker_until_idle()
    assert _confirmations(fake_twilio, FR) == [
        "Scamline : le numéro 06 39 98 12 34 que vous avez signalé est une arnaque confirmée. "
        "Nous le publions aux opérateurs. Merci !"
    ]
    assert len(_confirmations(fake_twilio, EN)) == 1
    assert "a confirmed scam" in _confirmations(fake_twilio, EN)[0]
    assert _confirmations(fake_twilio, GONE) == []

    # Confirmed a second time, after a detour: nobody hears twice.
    set_status(number, "investigating")
    assert set_status(number, "confirmed_scam", note="again") == []
    sweep_once()
    run_worker_until_idle()
    assert len(_confirmations(fake_twilio, FR)) == 1
    assert len(_confirmations(fake_twilio, EN)) == 1
    assert _confirmations(fake_twilio, GONE) == []


def test_the_sweeper_sends_confirmations_nobody_enqueued(fake_twilio: FakeTwilioServer) -> None:
    client = TestClient(create_app())
    _sms(client, FR, PARCEL)
    set_status(number_id("+33639981234"), "confirmed_scam", note="scam")
    assert sweep_once().replies >= 1  # the advice reply may be swept again; sent once anyway
    run_worker_until_idle()
    assert len(_confirmations(fake_twilio, FR)) == 1


def test_a_quick_legitimate_verdict_holds_back_unsent_confirmations(
    fake_twilio: FakeTwilioServer,
) -> None:
    client = TestClient(create_app())
    _sms(client, FR, PARCEL)
    number = number_id("+33639981234")
    set_status(number, "confirmed_scam", note="oops")
    set_status(number, "legitimate", note="wrong number, sorry")
    sweep_once()
    run_worker_until_idle()
    assert _confirmations(fake_twilio, FR) == []


@pytest.mark.parametrize(
    ("canonical", "number_type", "country"),
    [
        ("+33639981234", "mobile", "FR"),
        ("+447700900614", "foreign", "GB"),
        ("38455", "short_code", "FR"),
        ("ABCDEFGHIJK", "sender_name", None),
        ("+22507123456", "invalid", None),
        ("063998123", "invalid", None),
    ],
)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_message_is_short_gsm7_and_linkless(
    canonical: str, number_type: str, country: str | None, lang: str
) -> None:
    number = ReportedNumber(number=canonical, number_type=number_type, country=country)
    text = confirmed_text(lang, number)  # type: ignore[arg-type]
    count = count_segments(text)
    assert count.encoding == "GSM-7" and count.segments == 1
    assert "http" not in text and "www" not in text
