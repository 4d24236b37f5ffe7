"""POST /twilio/voice and its steps: every answer is valid TwiML that ends, a whole call leaves a
report and one SMS, failures get two more chances then a goodbye, forwarded calls are logged."""

from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.db.models import CallStatusEvent, InboundEvent, Reply, Report, ReportedNumber
from bot.db.session import session_scope
from bot.domain.advice import display_number
from bot.domain.numbers import parse_phone
from bot.prompts import render
from bot.simulate_call import Post, Step, call_params, walk_call
from bot.web.app import create_app
from tests.factories import token
from tests.fakes.twilio_api import FakeTwilioServer
from tests.helpers import post_signed, run_worker_until_idle, sms_params
from tests.twiml_checks import check_twiml, walk_menu

pytestmark = pytest.mark.storage

CALLER = "+33639981234"
PREMIUM = "0899123456"
WITHHELD = ("anonymous", "+266696687", "Restricted", "")


def _count(model: type) -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _poster(client: TestClient) -> Post:
    def post(path: str, params: dict[str, str]) -> tuple[int, str]:
        response = post_signed(client, path, params)
        return response.status_code, response.text  # type: ignore[attr-defined]

    return post


def _spoken(document: str) -> str:
    root = ET.fromstring(document)  # noqa: S314 - the bot's own answer
    return " ".join((say.text or "") for say in root.iter("Say"))


def _sid() -> str:
    return "CA" + secrets.token_hex(16)


def _step(client: TestClient, path: str, caller: str, sid: str, digits: str | None) -> str:
    params = call_params(caller, "+33700000000", sid)
    if digits is not None:
        params["Digits"] = digits
    response = post_signed(client, path, params)
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    return response.text  # type: ignore[attr-defined]


def _action(document: str) -> str:
    gather = ET.fromstring(document).find("Gather")  # noqa: S314
    assert gather is not None, document
    return gather.get("action", "")


@pytest.mark.parametrize("caller", [CALLER, "anonymous"])
def test_every_branch_of_the_menu_is_valid_twiml_and_ends(caller: str) -> None:
    app = create_app()
    inputs = {
        "number": ["", "9", "123", "0012", "*06", "0639981234", "00225070000000", PREMIUM],
        "key": ["", "1", "2", "7"],
    }
    graph = walk_menu(
        _poster(TestClient(app)), call_params(caller, "+33700000000", _sid()), app, inputs
    )
    assert len(graph) > 10  # the walker did explore the retries, the switch and the read-backs


def test_a_whole_call_leaves_a_report_and_one_sms(fake_twilio: FakeTwilioServer) -> None:
    app = create_app()
    client = TestClient(app)
    sid = _sid()
    steps = walk_call(_poster(client), CALLER, PREMIUM, sid=sid)
    for step in steps:
        check_twiml(step.twiml, app)
    assert [s.sent for s in steps] == [None, PREMIUM, "1"]
    menu, readback, recorded = (s.twiml for s in steps)
    assert render("voice/menu", "fr") in _spoken(menu)
    assert "zéro huit, neuf neuf, un deux, trois quatre, cinq six" in _spoken(readback)
    assert render("voice/advice/premium", "fr") in _spoken(recorded)
    assert render("voice/sms_follows", "fr") in _spoken(recorded)
    assert recorded.endswith("<Hangup /></Response>")
    with session_scope() as session:
        event = session.scalars(select(InboundEvent)).one()
        assert (event.kind, event.source_sid, event.status) == ("voice_report", sid, "received")

    run_worker_until_idle()
    with session_scope() as session:
        report = session.scalars(select(Report)).one()
        assert (report.channel, report.source_sid) == ("call", sid)
        assert report.number is not None and report.number.number == "+33899123456"
        assert report.number.number_type == "premium" and report.number.call_count == 1
    sms = fake_twilio.state.bodies_to(CALLER)
    assert len(sms) == 1 and sms[0].startswith(render("sms/report/received", "fr"))


def test_english_on_request_carries_through_the_call(fake_twilio: FakeTwilioServer) -> None:
    client = TestClient(create_app())
    sid = _sid()
    menu = _step(client, "/twilio/voice", CALLER, sid, None)
    english = _step(client, _action(menu), CALLER, sid, "9")
    assert render("voice/menu", "en") in _spoken(english)
    assert 'voice="Polly.Joanna"' in english and "lang=en" in _action(english)
    readback = _step(client, _action(english), CALLER, sid, "0639981234")
    assert "zero six, three nine" in _spoken(readback)
    recorded = _step(client, _action(readback), CALLER, sid, "1")
    assert render("voice/advice/mobile", "en") in _spoken(recorded)
    run_worker_until_idle()
    assert fake_twilio.state.bodies_to(CALLER)[0].startswith("Scamline: report logged")


def test_a_wrong_number_then_silence_then_a_good_number(fake_twilio: FakeTwilioServer) -> None:
    client = TestClient(create_app())
    sid = _sid()
    menu = _step(client, "/twilio/voice", CALLER, sid, None)
    wrong = _step(client, _action(menu), CALLER, sid, "0612")
    assert render("voice/invalid_number", "fr") in _spoken(wrong)
    assert "attempt=1" in _action(wrong)
    silence = _step(client, _action(wrong), CALLER, sid, "")
    assert render("voice/no_input", "fr") in _spoken(silence)
    readback = _step(client, _action(silence), CALLER, sid, "0639981234")
    recorded = _step(client, _action(readback), CALLER, sid, "1")
    assert render("voice/recorded", "fr") in _spoken(recorded)
    run_worker_until_idle()
    assert _count(Report) == 1
    assert len(fake_twilio.state.bodies_to(CALLER)) == 1


def test_a_third_failure_says_goodbye_and_hangs_up() -> None:
    client = TestClient(create_app())
    sid = _sid()
    document = _step(client, "/twilio/voice", CALLER, sid, None)
    for digits in ("0612", "", "*"):
        document = _step(client, _action(document), CALLER, sid, digits)
    assert render("voice/give_up", "fr") in _spoken(document)
    assert document.endswith("<Hangup /></Response>") and "<Gather" not in document
    assert _count(InboundEvent) == 0


def test_retyping_counts_as_a_chance_so_it_cannot_loop() -> None:
    client = TestClient(create_app())
    sid = _sid()
    document = _step(client, "/twilio/voice", CALLER, sid, None)
    for _ in range(3):
        document = _step(client, _action(document), CALLER, sid, "0639981234")
        document = _step(client, _action(document), CALLER, sid, "2")
    assert document.endswith("<Hangup /></Response>")


@pytest.mark.parametrize("withheld", WITHHELD)
def test_a_withheld_caller_can_report_but_gets_no_sms(
    withheld: str, fake_twilio: FakeTwilioServer
) -> None:
    client = TestClient(create_app())
    steps = walk_call(_poster(client), withheld, "0972123456")
    assert render("voice/withheld", "fr") in _spoken(steps[0].twiml)
    assert render("voice/no_sms", "fr") in _spoken(steps[-1].twiml)
    run_worker_until_idle()
    with session_scope() as session:
        report = session.scalars(select(Report)).one()
        assert report.reporter_id is None and report.number is not None
        assert report.number.number == "+33972123456"
        event = session.scalars(select(InboundEvent)).one()
        assert event.from_enc is None and event.status == "done"
    assert _count(Reply) == 0
    assert fake_twilio.state.messages == []


def test_a_caller_who_sent_stop_hears_no_sms_will_follow(fake_twilio: FakeTwilioServer) -> None:
    client = TestClient(create_app())
    assert post_signed(client, "/twilio/sms", sms_params(CALLER, "STOP")).status_code == 200  # type: ignore[attr-defined]
    run_worker_until_idle()
    steps = walk_call(_poster(client), CALLER, "0972123456")
    spoken = _spoken(steps[-1].twiml)
    assert render("voice/opted_out", "fr") in spoken
    assert render("voice/sms_follows", "fr") not in spoken
    run_worker_until_idle()
    assert fake_twilio.state.bodies_to(CALLER) == []


def test_the_same_call_sid_confirmed_again_changes_nothing(fake_twilio: FakeTwilioServer) -> None:
    client = TestClient(create_app())
    sid = _sid()
    steps = walk_call(_poster(client), CALLER, PREMIUM, sid=sid)
    confirm: Step = steps[-1]
    for _ in range(2):
        assert _step(client, confirm.path, CALLER, sid, "1") == confirm.twiml
    run_worker_until_idle()
    _step(client, confirm.path, CALLER, sid, "1")  # a late repeat after processing
    run_worker_until_idle()
    assert (_count(InboundEvent), _count(Report), _count(Reply)) == (1, 1, 1)
    with session_scope() as session:
        assert session.scalars(select(ReportedNumber)).one().report_count == 1
    assert len(fake_twilio.state.bodies_to(CALLER)) == 1


def test_an_unsigned_or_forged_step_is_refused() -> None:
    client = TestClient(create_app())
    params = call_params(CALLER, "+33700000000", _sid())
    assert client.post("/twilio/voice", data=params).status_code == 403
    # The typed number travels in the signed URL: changing it breaks the signature.
    signed = post_signed(client, "/twilio/voice/confirm?lang=fr&n=%2B33639981234&attempt=0", params)
    assert signed.status_code == 200  # type: ignore[attr-defined]
    from tests.helpers import sign

    signature = sign(
        "http://testserver/twilio/voice/confirm?lang=fr&n=%2B33639981234&attempt=0", params
    )
    forged = client.post(
        "/twilio/voice/confirm?lang=fr&n=%2B33899123456&attempt=0",
        data={**params, "Digits": "1"},
        headers={"X-Twilio-Signature": signature},
    )
    assert forged.status_code == 403


def test_a_forwarded_call_is_logged_and_the_forwarder_told_once_a_day(
    fake_twilio: FakeTwilioServer,
) -> None:
    app = create_app()
    client = TestClient(app)
    reporter, suspect = "+33611223344", "+2250701020304"
    for _ in range(2):
        steps = walk_call(_poster(client), suspect, "", forwarded_from=reporter)
        assert len(steps) == 1, "a forwarded caller hears one message, then the bot hangs up"
        root = check_twiml(steps[0].twiml, app)
        assert [verb.tag for verb in root] == ["Say", "Hangup"]
        assert _spoken(steps[0].twiml) == render("voice/forward/neutral", "fr")
    run_worker_until_idle()
    with session_scope() as session:
        number = session.scalars(select(ReportedNumber)).one()
        assert (number.number, number.report_count, number.call_count) == (suspect, 2, 2)
        assert number.reporter_count == 1
        kinds = set(session.scalars(select(InboundEvent.kind)))
        assert kinds == {"call_forward"}
    sms = fake_twilio.state.bodies_to(reporter)
    assert len(sms) == 1
    shown = display_number(parse_phone(suspect))  # type: ignore[arg-type]
    assert sms[0].startswith(render("sms/forward/logged", "fr", number=shown))
    assert render("sms/advice/call/callback_premium", "fr") in sms[0]
    assert fake_twilio.state.bodies_to(suspect) == []


def test_a_forwarded_withheld_call_is_an_event_not_a_number(fake_twilio: FakeTwilioServer) -> None:
    client = TestClient(create_app())
    reporter = "+33611223344"
    for withheld in WITHHELD:
        walk_call(_poster(client), withheld, "", forwarded_from=reporter)
    run_worker_until_idle()
    assert _count(InboundEvent) == len(WITHHELD)
    assert _count(Report) == 0 and _count(ReportedNumber) == 0
    sms = fake_twilio.state.bodies_to(reporter)
    assert sms == [
        render("sms/forward/withheld", "fr") + " " + render("sms/advice/call/cautious", "fr")
    ]


def test_a_forwarded_call_from_a_caller_id_that_is_not_valid_is_logged_against_it(
    fake_twilio: FakeTwilioServer,
) -> None:
    client = TestClient(create_app())
    reporter, spoofed = "+33611223344", "+22507123456"  # the Ivorian format before 2021
    walk_call(_poster(client), spoofed, "", forwarded_from=reporter)
    run_worker_until_idle()
    api = TestClient(create_app(), headers={"Authorization": f"Bearer {token()}"})
    found = api.get(f"/api/v1/numbers/{spoofed}")
    assert found.status_code == 200
    body = found.json()
    assert (body["number"], body["number_type"]) == (spoofed, "invalid")
    assert (body["report_count"], body["reporter_count"], body["channels"]) == (
        1,
        1,
        {"sms": 0, "call": 1},
    )
    sms = fake_twilio.state.bodies_to(reporter)
    assert len(sms) == 1 and sms[0].startswith(render("sms/forward/logged", "fr", number=spoofed))


def test_the_same_forwarded_call_sid_posted_again_changes_nothing(
    fake_twilio: FakeTwilioServer,
) -> None:
    client = TestClient(create_app())
    sid = _sid()
    for _ in range(3):
        walk_call(_poster(client), "+33972123456", "", forwarded_from="+33611223344", sid=sid)
    run_worker_until_idle()
    assert (_count(InboundEvent), _count(Report), _count(Reply)) == (1, 1, 1)


def test_call_status_callbacks_are_stored_once_each_in_any_order() -> None:
    client = TestClient(create_app())
    sid = _sid()
    for status in ("completed", "in-progress", "completed", "ringing", "completed"):
        params = {**call_params(CALLER, "+33700000000", sid), "CallStatus": status}
        params["CallDuration"] = "42" if status == "completed" else ""
        response = post_signed(client, "/twilio/voice/status", params)
        assert response.status_code == 204  # type: ignore[attr-defined]
    with session_scope() as session:
        rows = session.scalars(select(CallStatusEvent).order_by(CallStatusEvent.id)).all()
        assert [r.status for r in rows] == ["completed", "in-progress", "ringing"]
        assert rows[0].duration == 42
        assert all("From" not in r.params and "To" not in r.params for r in rows)


@pytest.mark.parametrize("status", ["\x00", "in progress", "Completed\x00"])
def test_a_malformed_call_status_is_a_400(status: str) -> None:
    # Found by schemathesis: a NUL in CallStatus reached a text column: PostgreSQL refused it.
    client = TestClient(create_app())
    params = {**call_params(CALLER, "+33700000000", _sid()), "CallStatus": status}
    response = post_signed(client, "/twilio/voice/status", params)
    assert response.status_code == 400  # type: ignore[attr-defined]


@pytest.mark.parametrize("duration", ["²", "١٢", "99999999999", "-1", "4.2"])
def test_an_odd_call_duration_is_stored_as_unknown(duration: str) -> None:
    # `"²".isdigit()` is true but `int("²")` raises; eleven digits overflow the column.
    client = TestClient(create_app())
    params = {**call_params(CALLER, "+33700000000", _sid()), "CallStatus": "completed"}
    params["CallDuration"] = duration
    assert post_signed(client, "/twilio/voice/status", params).status_code == 204  # type: ignore[attr-defined]
    with session_scope() as session:
        assert session.scalars(select(CallStatusEvent.duration)).one() is None


def test_a_malformed_call_sid_is_a_400() -> None:
    client = TestClient(create_app())
    params = {**call_params(CALLER, "+33700000000", "CA*1"), "CallStatus": "completed"}
    assert post_signed(client, "/twilio/voice/status", params).status_code == 400  # type: ignore[attr-defined]
    assert (
        post_signed(
            client, "/twilio/voice", call_params(CALLER, "+33700000000", "CA\x00")
        ).status_code
        == 400
    )  # type: ignore[attr-defined]
