"""Every route of the app's OpenAPI schema, fuzzed in-process by schemathesis.

Twilio webhooks get a valid X-Twilio-Signature computed over exactly the bytes sent (and an
unsigned copy of each request must get 403), the JSON API a real bearer token, the console a
signed-in admin's session. Checks: no 500, and responses conform to the schema (status codes,
content types, bodies). Bounded for CI: a few dozen examples per operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.db.session import session_scope
from bot.services.api_tokens import SCOPES, create_token
from bot.web.app import create_app
from bot.web.console.sessions import COOKIE_NAME
from tests.console_fixtures import HOSTILE, csrf_of, make_user, seed_report, signed_in
from tests.helpers import sign

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class TwilioSignature(requests.auth.AuthBase):
    """Sign the prepared request the way Twilio does: the full URL and the form it carries."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        params = dict(parse_qsl(text, keep_blank_values=True))
        request.headers["X-Twilio-Signature"] = sign(str(request.url), params)
        return request


@pytest.fixture
def credentials() -> Iterator[dict[str, str]]:
    """A bearer token, an admin's console session and its CSRF token, and a few hostile reports
    for the lists and pages to render; all made after the tables were emptied."""
    with session_scope() as session:
        _, token = create_token(session, "schemathesis", SCOPES)
    seed_report("06 39 98 12 34", HOSTILE)
    seed_report("AMELI", "{{7*7}} {% raw %}x{% endraw %} \u202eevil.test", family="unknown")
    make_user("other-analyst@example.org")
    console = signed_in("fuzz-admin@example.org", role="admin")
    csrf = csrf_of(console.get("/console/").text)
    yield {"token": token, "cookie": console.cookies[COOKIE_NAME], "csrf": csrf}


def with_csrf(case: schemathesis.Case, csrf: str) -> dict[str, object]:
    """Console forms carry the session's CSRF token, so fuzzing reaches past the CSRF check.

    Signing in and out are left as generated: they have their own tokens and would end the run's
    session."""
    if case.method.upper() != "POST" or case.operation.path in (
        "/console/login",
        "/console/logout",
    ):
        return {}
    if isinstance(case.body, dict):
        case.body = {**case.body, "csrf_token": csrf}
        return {}
    if isinstance(case.body, NotSet):
        return {"data": {"csrf_token": csrf}}
    return {}


@schema.parametrize()
@pytest.mark.timeout(300)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_route_answers_without_a_server_error_and_as_documented(
    case: schemathesis.Case, credentials: dict[str, str]
) -> None:
    path = case.operation.path
    if path.startswith("/twilio/"):
        if case.method.upper() == case.operation.method.upper():
            # Nothing unsigned (or signed with a generated value) passes, whatever it carries.
            unsigned = case.call()
            assert unsigned.status_code in (403, 413), unsigned.text
        case.call_and_validate(auth=TwilioSignature(), checks=CHECKS)
    elif path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {credentials['token']}"}
        case.call_and_validate(headers=headers, checks=CHECKS)
    elif path.startswith("/console/"):
        # HTML pages, redirects and CSRF refusals: only "never a server error" is asked of them.
        extra = with_csrf(case, credentials["csrf"])
        case.call_and_validate(
            cookies={COOKIE_NAME: credentials["cookie"]}, checks=[not_a_server_error], **extra
        )
    else:
        case.call_and_validate(checks=CHECKS)


def test_the_signature_covers_the_url_and_the_form() -> None:
    """The signer above is Twilio's algorithm: a tampered form no longer validates."""
    prepared = requests.Request(
        "POST", "http://testserver/twilio/sms?x=1", data={"Body": "a", "MessageSid": "SM1"}
    ).prepare()
    TwilioSignature()(prepared)
    assert urlsplit(prepared.url or "").query == "x=1"
    assert prepared.headers["X-Twilio-Signature"] == sign(
        "http://testserver/twilio/sms?x=1", {"Body": "a", "MessageSid": "SM1"}
    )
