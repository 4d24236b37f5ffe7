"""Hostile texts through the real path: a signed POST /twilio/sms, stored, processed by the real
worker, answered within 2 segments, then shown on the API and on the console's number page
without running anything: escaped, no link to follow, direction overrides neutralised, no
template evaluated."""

from __future__ import annotations

import re
import secrets
import urllib.parse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.db.models import InboundEvent, Reply, Report
from bot.db.session import session_scope
from bot.services.api_tokens import SCOPES, create_token
from bot.settings import get_settings
from bot.web.app import create_app
from tests.console_fixtures import signed_in
from tests.helpers import TEST_BASE, post_signed, run_worker_until_idle, sign, sms_params
from tests.hostile_texts import HOSTILE_TEXTS

REPORTER = "+33612345678"
SENDER = "06 39 98 12 34"
# Characters the console must never pass through as they are.
INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069"
    "\u200b-\u200f\u061c\u2060\ufeff\u2028\u2029]"
)


def report_through_the_webhook(client: TestClient, body: str) -> Report:
    """The text, then (if the bot asks) who sent it; returns the stored report."""
    params = sms_params(REPORTER, body)
    response = post_signed(client, "/twilio/sms", params)
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    run_worker_until_idle()
    with session_scope() as session:
        report = session.scalars(
            select(Report).where(Report.source_sid == params["MessageSid"])
        ).one()
        if report.number_id is None:
            answer = post_signed(client, "/twilio/sms", sms_params(REPORTER, SENDER))
            assert answer.status_code == 200  # type: ignore[attr-defined]
            run_worker_until_idle()
    with session_scope() as session:
        report = session.scalars(
            select(Report).where(Report.source_sid == params["MessageSid"])
        ).one()
        assert report.number is not None
        session.expunge_all()
        return report


def number_page(number: str) -> str:
    console = signed_in()
    response = console.get(f"/console/numbers/{urllib.parse.quote(number, safe='+')}")
    assert response.status_code == 200
    return response.text


def text_blocks(html: str) -> list[str]:
    return re.findall(r'<pre class="body">(.*?)</pre>', html, flags=re.S)


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_a_hostile_text_is_stored_answered_and_shown_safely(name: str) -> None:
    body = HOSTILE_TEXTS[name]
    client = TestClient(create_app())
    report = report_through_the_webhook(client, body)

    # Stored as sent, minus NULs (PostgreSQL refuses them), cut to the limit.
    assert report.body == body.replace("\x00", "")[: get_settings().max_report_chars]
    with session_scope() as session:
        replies = session.scalars(select(Reply).where(Reply.report_id == report.id)).all()
        assert len(replies) >= 1
        assert all(r.segments <= 2 for r in replies)
        first = session.scalars(select(Reply).where(Reply.event_id == report.event_id)).all()
        assert len(first) == 1

    # The API: plain JSON, indicators defanged.
    with session_scope() as session:
        _, token = create_token(session, "hostile", SCOPES)
    api = client.get("/api/v1/reports", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    [item] = [i for i in api.json()["items"] if i["id"] == report.id]
    assert all("." not in d.replace("[.]", "") for d in item["domains"])

    # The console: escaped, nothing clickable from the text, nothing invisible, nothing run.
    html = number_page(report.number.number)  # type: ignore[union-attr]
    for markup in ("<script>alert", "<svg/onload", "<iframe", "<img", "<h1>hi"):
        assert markup not in html, markup
    hrefs = re.findall(r'(?:href|src|action)="([^"]*)"', html)
    assert all(h.startswith(("/console/", "#")) for h in hrefs), hrefs
    assert not re.search(r"(?i)javascript:|vbscript:|data:text", html.replace("[:]", ""))
    assert not INVISIBLE.search(html)
    shown = "".join(text_blocks(html))
    assert shown, "the report text is not on the page"
    assert not re.search(r"(?i)https?://", shown)


def test_template_syntax_is_shown_not_evaluated() -> None:
    client = TestClient(create_app())
    report = report_through_the_webhook(client, HOSTILE_TEXTS["jinja_expression"])
    shown = "".join(text_blocks(number_page(report.number.number)))  # type: ignore[union-attr]
    assert "{{7*7}}" in shown
    assert "49" not in shown
    assert "{{ config }}" in shown


def test_template_statements_are_shown_not_run() -> None:
    client = TestClient(create_app())
    report = report_through_the_webhook(client, HOSTILE_TEXTS["jinja_statement"])
    shown = "".join(text_blocks(number_page(report.number.number)))  # type: ignore[union-attr]
    assert "{% for x in range(3) %}X{% endfor %}" in shown
    assert "XXX" not in shown


def test_markup_is_escaped_on_the_page() -> None:
    client = TestClient(create_app())
    report = report_through_the_webhook(client, HOSTILE_TEXTS["html_script"])
    shown = "".join(text_blocks(number_page(report.number.number)))  # type: ignore[union-attr]
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in shown


def test_an_rtl_override_is_shown_as_a_visible_escape() -> None:
    client = TestClient(create_app())
    report = report_through_the_webhook(client, HOSTILE_TEXTS["rtl_override"])
    html = number_page(report.number.number)  # type: ignore[union-attr]
    assert "⟨U+202E⟩gnp.exe⟨U+202C⟩" in "".join(text_blocks(html))
    assert "neutralisés" in html


@pytest.mark.parametrize(
    "raw",
    [
        b"caf\xc3\xa9 \xff\xfe colis-frais.test",  # invalid UTF-8 bytes
        b"\xc0\xaf\xed\xa0\x80 surrogate in UTF-8",  # overlong and an encoded surrogate
        b"\xf0\x9f\x93 truncated emoji",
    ],
)
def test_invalid_utf8_in_the_form_is_replaced_then_stored_and_shown(raw: bytes) -> None:
    """Raw bytes in the POST body: Twilio would never send them, an attacker might."""
    sid = "SM" + secrets.token_hex(16)
    fields = {"MessageSid": sid, "From": REPORTER, "To": "+33700000000", "NumMedia": "0"}
    encoded = (
        urllib.parse.urlencode(fields).encode()
        + b"&Body="
        + urllib.parse.quote_from_bytes(raw).encode()
    )
    # Twilio signs the parameters as decoded; the server decodes with replacement characters.
    decoded = dict(urllib.parse.parse_qsl(encoded.decode("utf-8", errors="replace")))
    signature = sign(TEST_BASE + "/twilio/sms", decoded)
    client = TestClient(create_app())
    response = client.post(
        "/twilio/sms",
        content=encoded,
        headers={
            "X-Twilio-Signature": signature,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 200
    run_worker_until_idle()
    with session_scope() as session:
        event = session.scalars(select(InboundEvent).where(InboundEvent.source_sid == sid)).one()
        assert event.params["Body"] == decoded["Body"]
        assert "\ufffd" in event.params["Body"]
        report = session.scalars(select(Report).where(Report.source_sid == sid)).one()
        assert report.body == decoded["Body"]
