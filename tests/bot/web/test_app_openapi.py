"""The OpenAPI schema describes what each route really takes and answers (schemathesis relies on
it): the Twilio webhooks' signed forms, and the errors every route can give."""

from __future__ import annotations

from typing import Any

import pytest

from bot.web.app import create_app


@pytest.fixture(scope="module")
def paths() -> dict[str, Any]:
    return create_app().openapi()["paths"]


@pytest.mark.parametrize(
    ("path", "sid"),
    [
        ("/twilio/sms", "MessageSid"),
        ("/twilio/status", "MessageSid"),
        ("/twilio/voice", "CallSid"),
        ("/twilio/voice/number", "CallSid"),
        ("/twilio/voice/confirm", "CallSid"),
        ("/twilio/voice/status", "CallSid"),
    ],
)
def test_twilio_webhooks_describe_their_signed_form(
    paths: dict[str, Any], path: str, sid: str
) -> None:
    operation = paths[path]["post"]
    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert sid in form["required"]
    assert form["additionalProperties"] == {"type": "string"}  # Twilio sends more than we read
    headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
    assert headers == ["X-Twilio-Signature"]
    assert {"400", "403", "413"} <= set(operation["responses"])


def test_twiml_and_status_callbacks_document_what_they_answer(paths: dict[str, Any]) -> None:
    assert "text/xml" in paths["/twilio/sms"]["post"]["responses"]["200"]["content"]
    assert "text/xml" in paths["/twilio/voice"]["post"]["responses"]["200"]["content"]
    assert set(paths["/twilio/status"]["post"]["responses"]) >= {"204"}
    assert "200" not in paths["/twilio/voice/status"]["post"]["responses"]


def test_every_api_route_documents_401(paths: dict[str, Any]) -> None:
    api = {p: ops for p, ops in paths.items() if p.startswith("/api/v1/")}
    assert api
    for path, operations in api.items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], f"{method.upper()} {path}"
    assert "404" in paths["/api/v1/numbers/{number}"]["get"]["responses"]
    assert "404" in paths["/api/v1/campaigns/{campaign_id}"]["get"]["responses"]
    assert "text/csv" in paths["/api/v1/blocklist"]["get"]["responses"]["200"]["content"]


def test_health_routes_document_their_content(paths: dict[str, Any]) -> None:
    assert "text/plain" in paths["/metrics"]["get"]["responses"]["200"]["content"]
    assert "503" in paths["/readyz"]["get"]["responses"]


def test_the_number_types_are_documented() -> None:
    schemas = create_app().openapi()["components"]["schemas"]
    number_type = schemas["NumberOut"]["properties"]["number_type"]
    assert "invalid" in number_type["description"]
    assert "invalid" in schemas["NumberType"]["enum"]
    assert schemas["NumberHit"]["properties"]["number_type"] == number_type
