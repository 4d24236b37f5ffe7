"""Retention: old personal data goes, per-number counts and STOP stay; old audit rows go."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.db.models import (
    AuditEntry,
    Base,
    InboundEvent,
    NumberReporter,
    Reply,
    Report,
    ReportedNumber,
    Reporter,
)
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.domain.statuses import EventKind
from bot.security.pseudonyms import decrypt_phone, pseudonym
from bot.services.call_processing import process_call_event
from bot.services.intake import record_inbound_event
from bot.services.purge import purge_personal_data
from bot.settings import get_settings
from bot.simulate_call import call_params, walk_call
from bot.web.app import create_app
from tests.console_fixtures import signed_in
from tests.fakes.twilio_api import FakeTwilioServer
from tests.helpers import post_signed, process_as_worker, run_worker_until_idle, sms_params
from workers.sweeper import purge_if_due

pytestmark = pytest.mark.storage


def send(body: str, sender: str, days_ago: int = 0) -> None:
    with session_scope() as session:
        event, _ = record_inbound_event(
            session, "SM" + secrets.token_hex(16), "sms", {"Body": body}, sender
        )
        process_as_worker(session, event.id)
    if days_ago:
        past = utcnow() - timedelta(days=days_ago)
        with session_scope() as session:
            for model, column in (
                (InboundEvent, "received_at"),
                (Report, "received_at"),
                (NumberReporter, "first_reported_at"),
            ):
                for row in session.scalars(select(model)):
                    setattr(row, column, past)
            for reporter in session.scalars(select(Reporter)):
                reporter.last_seen_at = past


def test_old_texts_and_links_go_counts_stay() -> None:
    send("appel du 06 39 98 12 34, faux conseiller", "+33611111111", days_ago=100)
    with session_scope() as session:
        result = purge_personal_data(session, retention_days=90)
    assert result.reports == 1 and result.links == 1 and result.reporters_deleted == 1
    with session_scope() as session:
        report = session.scalars(select(Report)).one()
        assert report.body is None and report.reporter_id is None
        # The numbers found in the text go; the number reported stays, with its counts.
        assert report.family and report.numbers == []
        number = session.scalars(select(ReportedNumber)).one()
        assert report.number_id == number.id and number.number == "+33639981234"
        assert (number.report_count, number.reporter_count) == (1, 1)
        assert session.scalar(select(func.count()).select_from(Reporter)) == 0
        event = session.scalars(select(InboundEvent)).one()
        assert event.params == {} and event.from_enc is None


def test_a_withheld_callers_event_loses_its_parameters_too() -> None:
    # No encrypted number and no pseudonym to clear: the parameters must go all the same.
    params = {"CallSid": "CA1", "ReportedNumber": "+33899123456", "Digits": "1", "Language": "fr"}
    with session_scope() as session:
        event, _ = record_inbound_event(session, "CA1", EventKind.VOICE_REPORT, params, None)
        process_call_event(session, event.id)
    with session_scope() as session:
        assert purge_personal_data(session, 0).events == 1
    with session_scope() as session:
        assert session.scalars(select(InboundEvent.params)).one() == {}


def test_recent_data_is_untouched() -> None:
    send("appel du 06 39 98 12 34", "+33611111111", days_ago=10)
    with session_scope() as session:
        result = purge_personal_data(session, retention_days=90)
    assert (result.reports, result.links, result.reporters_deleted) == (0, 0, 0)


def test_an_opt_out_survives_the_purge() -> None:
    send("STOP", "+33611111111", days_ago=100)
    with session_scope() as session:
        result = purge_personal_data(session, retention_days=90)
        assert result.reporters_kept_for_opt_out == 1
        reporter = session.scalars(select(Reporter)).one()
        assert reporter.opted_out and reporter.phone_enc is None


def test_the_worker_runs_the_purge_once_a_day() -> None:
    send("appel du 06 39 98 12 34", "+33611111111", days_ago=100)
    first = purge_if_due()
    assert first is not None and first.reports == 1
    assert purge_if_due() is None  # already done today


# Reporters, each reaching the bot by a different path, and what they typed.
FORWARDER = "+33611111111"  # forwards a scam SMS, then answers "who sent it?"
CALL_TELLER = "+33622222222"  # reports a call by SMS
CALL_FORWARDER = "+33633333333"  # forwards an unknown call to the bot
MENU_CALLER = "+33644444444"  # reports a call in the voice menu
STOPPED = "+33655555555"  # said STOP: keeps a bare pseudonym
REPORTERS = (FORWARDER, CALL_TELLER, CALL_FORWARDER, MENU_CALLER, STOPPED)
FORWARDED_SMS = (
    "Bonjour Bernadette Quintal, votre colis est bloque. Reglez 1,99 EUR sur "
    "https://colis-frais.test/pay?client=bquintal42 ou rappelez le 01 99 00 12 34"
)
SENDER_ANSWER = "06 39 98 12 34"
CALL_TOLD = "appel du 09 75 10 22 61, il connaissait mon adresse 12 rue des Lilas"
TEXTS = (FORWARDED_SMS, SENDER_ANSWER, CALL_TOLD, "Quintal", "bquintal42", "rue des Lilas")
# Named in the forwarded text only: never the number the report is about.
ONLY_IN_TEXT = "+33199001234"
_SEPARATORS = re.compile(r"[\s.\-()]")


def _seed_every_path(fake_twilio: FakeTwilioServer) -> None:
    """Reports through the webhooks and the real worker, replies through the fake Twilio (one
    refused with Twilio's message that names the reporter), callbacks, and an audited search."""
    client = TestClient(create_app())

    def sms(sender: str, body: str) -> None:
        assert post_signed(client, "/twilio/sms", sms_params(sender, body)).status_code == 200  # type: ignore[attr-defined]
        run_worker_until_idle()

    fake_twilio.state.fail_next(
        1, 400, 21211, f"The 'To' number {CALL_TELLER} is not a valid phone number."
    )
    sms(CALL_TELLER, CALL_TOLD)
    sms(FORWARDER, FORWARDED_SMS)
    sms(FORWARDER, SENDER_ANSWER)
    sms(STOPPED, "STOP")

    def post(path: str, params: dict[str, str]) -> tuple[int, str]:
        response = post_signed(client, path, params)
        return response.status_code, response.text  # type: ignore[attr-defined]

    forwarded = walk_call(post, "+33972123456", "", forwarded_from=CALL_FORWARDER)
    menu = walk_call(post, MENU_CALLER, "0899123456")
    assert forwarded[-1].status == menu[-1].status == 200
    run_worker_until_idle()
    call = {**call_params(MENU_CALLER, "+33700000000", "CA" + "1" * 32), "CallStatus": "completed"}
    assert post_signed(client, "/twilio/voice/status", call).status_code == 204  # type: ignore[attr-defined]
    for message in fake_twilio.state.messages:
        callback = {
            "MessageSid": message["sid"],
            "MessageStatus": "delivered",
            "To": message["to"],
            "From": "SCAMLINE",
        }
        assert post_signed(client, "/twilio/status", callback).status_code == 204  # type: ignore[attr-defined]
    analyst = signed_in()
    assert analyst.get("/console/search", params={"q": "colis-frais.test"}).status_code == 200
    assert analyst.get("/console/numbers/+33639981234").status_code == 200


def _strings(value: object) -> Iterator[str]:
    """Every string in a column's value: the value itself, or a JSON document's keys and values."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _what_is_personal(text: str, allowed_pseudonym: str) -> list[str]:
    found = [f"text {t!r}" for t in TEXTS if t in text]
    compact = _SEPARATORS.sub("", text)
    for phone in (*REPORTERS, ONLY_IN_TEXT):
        if phone[3:] in compact:  # the national significant number: any spelling of it
            found.append(f"number {phone}")
        if pseudonym(phone) != allowed_pseudonym and pseudonym(phone)[:10] in text.lower():
            found.append(f"pseudonym of {phone}")  # the console shows its first 10 characters
    if (phone := decrypt_phone(text)) is not None:
        found.append(f"encrypted number {phone}")
    return found


def _personal_data_left() -> dict[str, list[str]]:
    """Every text and JSON column of every table, searched for what reporters typed or are known
    by. The opted-out reporter's own pseudonym, in `reporters.pseudonym`, is what honours STOP."""
    stopped = pseudonym(STOPPED)
    found: dict[str, list[str]] = {}
    with session_scope() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                for column in table.columns:
                    allowed = (
                        stopped if (table.name, column.name) == ("reporters", "pseudonym") else ""
                    )
                    for text in _strings(row[column]):
                        if hits := _what_is_personal(text, allowed):
                            found.setdefault(f"{table.name}.{column.name}", []).extend(hits)
    return found


def _reporter_links() -> dict[str, int]:
    """Rows that still point at a reporter who did not say STOP, by foreign key column."""
    with session_scope() as session:
        stopped = session.scalars(select(Reporter.id).where(Reporter.opted_out.is_(True))).all()
        links: dict[str, int] = {}
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if any(key.column.table.name == "reporters" for key in column.foreign_keys):
                    count = session.scalar(
                        select(func.count())
                        .select_from(table)
                        .where(column.is_not(None), column.not_in(stopped))
                    )
                    if count:
                        links[f"{table.name}.{column.name}"] = int(count)
        return links


def test_nothing_a_reporter_typed_or_is_known_by_is_left_past_retention(
    fake_twilio: FakeTwilioServer,
) -> None:
    _seed_every_path(fake_twilio)
    before = _personal_data_left()
    # The scan does see personal data where it is kept within retention.
    assert {
        "reports.body",
        "reports.numbers",
        "reports.urls",
        "replies.body",
        "replies.error_message",
        "inbound_events.params",
        "inbound_events.from_enc",
        "inbound_events.reporter_pseudonym",
        "reporters.phone_enc",
        "reporters.pseudonym",
    } <= set(before)
    assert _reporter_links()
    with session_scope() as session:
        reporter_ids = session.scalars(select(Reporter.id)).all()

    with session_scope() as session:
        purge_personal_data(session, 0)

    assert _personal_data_left() == {}
    assert _reporter_links() == {}
    with session_scope() as session:
        keys = session.scalars(select(Reply.dedupe_key)).all()
        assert not [k for k in keys for rid in reporter_ids if f":{rid}:" in k]
        # What the product needs stays: each number's counts and status, each report's date,
        # channel, family and domains.
        numbers = {n.number: n for n in session.scalars(select(ReportedNumber))}
        assert set(numbers) == {"+33639981234", "+33975102261", "+33972123456", "+33899123456"}
        assert all(n.report_count == 1 and n.reporter_count == 1 for n in numbers.values())
        reports = session.scalars(select(Report).order_by(Report.id)).all()
        assert [r.channel for r in reports] == ["call", "sms", "call", "call"]
        assert reports[1].domains == ["colis-frais[.]test"] and reports[1].family == "parcel"
        assert all(r.received_at and r.number_id for r in reports)
        assert session.scalar(select(func.count()).select_from(AuditEntry))


def _searched(*queries: str) -> list[AuditEntry]:
    """Console searches, audited with their query as analysts typed it."""
    analyst = signed_in()
    for query in queries:
        assert analyst.get("/console/search", params={"q": query}).status_code == 200
    with session_scope() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "search").order_by(AuditEntry.id)
        ).all()
        session.expunge_all()
        return list(entries)


def _age(entry_id: int, days: int) -> None:
    with session_scope() as session:
        session.get_one(AuditEntry, entry_id).at = utcnow() - timedelta(days=days)


def test_audit_rows_go_after_a_year_and_keep_their_query_whole_until_then() -> None:
    # A search for a person is what the security team must be able to see, as it was typed.
    person = "Bernadette Quintal 06 11 11 11 11"
    old, recent = _searched("colis-frais.test", person)
    _age(old.id, 366)
    _age(recent.id, 364)
    with session_scope() as session:
        result = purge_personal_data(session, 0)
    assert result.audit_entries == 1
    with session_scope() as session:
        kept = session.scalars(select(AuditEntry).where(AuditEntry.action == "search")).one()
        assert kept.id == recent.id and kept.detail["query"] == person


def test_the_worker_purges_the_audit_log_with_audit_retention_days(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "30")
    get_settings.cache_clear()
    old, recent = _searched("Bernadette Quintal", "colis-frais.test")
    _age(old.id, 31)
    _age(recent.id, 29)
    result = purge_if_due()
    assert result is not None and result.audit_entries == 1
    with session_scope() as session:
        assert session.scalars(
            select(AuditEntry.id).where(AuditEntry.action == "search")
        ).all() == [recent.id]
