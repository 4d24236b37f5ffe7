"""Console test data, seeded through the real services, and a signed-in test client."""

from __future__ import annotations

import re
import secrets
import time
from datetime import datetime, timedelta

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.db.models import User
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.domain.classifier import Classification
from bot.domain.indicators import extract
from bot.domain.numbers import parse_any
from bot.services.intake import identify_reporter, record_inbound_event
from bot.services.reporters import get_or_create_reporter
from bot.services.reports import attach_number, record_report
from bot.services.users import create_user
from bot.web.app import create_app

PASSWORD = "correct horse battery staple"
HOSTILE = (
    "<script>alert('xss')</script> Votre colis est bloque, payez ici : "
    '<a href="javascript:alert(1)">javascript:alert(1)</a> https://colis-frais.test/pay?id=1 '
    "\u202egnp.exe\u202c " + "A" * 3000
)


def make_user(email: str = "ana@example.org", role: str = "analyst") -> str:
    """Create an account the way the CLI does; return its TOTP secret."""
    with session_scope() as session:
        return create_user(session, email, role, PASSWORD).secret


def fresh_code(email: str, secret: str) -> str:
    """A code for a time step this account has not used yet (codes are single-use)."""
    with session_scope() as session:
        last = session.scalars(select(User.totp_last_step).where(User.email == email)).one()
    now = int(time.time() // 30)
    step = now if last is None or last < now else last + 1
    return pyotp.TOTP(secret).at(step * 30)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(
    client: TestClient,
    email: str,
    secret: str | None,
    password: str = PASSWORD,
    code: str | None = None,
) -> object:
    page = client.get("/console/login")
    data = {
        "csrf_token": csrf_of(page.text),
        "email": email,
        "password": password,
        "code": code if code is not None else (fresh_code(email, secret) if secret else ""),
    }
    return client.post("/console/login", data=data, follow_redirects=False)


def signed_in(email: str = "ana@example.org", role: str = "analyst") -> TestClient:
    secret = make_user(email, role)
    client = TestClient(create_app())
    response = login(client, email, secret)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    return client


def seed_report(
    number: str | None,
    body: str,
    *,
    reporter: str = "+33612345678",
    family: str = "parcel",
    reasons: tuple[str, ...] = ("asks to pay a fee",),
    channel: str = "sms",
    at: datetime | None = None,
) -> int:
    """One report through intake's own services; returns its id."""
    with session_scope() as session:
        event, _ = record_inbound_event(
            session, "SM" + secrets.token_hex(16), "sms", {"Body": body}, reporter
        )
        event.received_at = at or utcnow()
        identify_reporter(event)  # as the worker does when it locks the event
        person = get_or_create_reporter(session, event.reporter_pseudonym or "", reporter)
        report = record_report(
            session,
            event,
            reporter_id=person.id,
            channel=channel,
            body=body,
            language="fr",
            indicators=extract(body),
            classification=Classification(family, list(reasons)),
        )
        if number is not None:
            parsed = parse_any(number)
            assert parsed is not None
            attach_number(session, report, parsed)
        return report.id


def seed_spread(number: str, count: int, hours: int = 24, family: str = "parcel") -> None:
    """`count` reports from distinct reporters spread over the last `hours` hours."""
    for index in range(count):
        seed_report(
            number,
            f"Colis en attente, frais a regler sur colis-{index % 3}.test",
            reporter=f"+336{10000000 + index:08d}",
            family=family,
            at=utcnow() - timedelta(minutes=(index * 60 * hours) // max(count, 1)),
        )
