"""The signature check, with the Twilio SDK's published vector, other URLs, and a proxy."""

from __future__ import annotations

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient
from starlette.requests import Request
from twilio.request_validator import RequestValidator

from bot.settings import get_settings
from bot.web.app import create_app
from bot.web.twilio_request import parse_form, verify_signature
from tests.conftest import SIGNING_TOKEN
from tests.helpers import TEST_BASE, sign, sms_params

# Twilio's published example (twilio-python's request-validator tests and Twilio's docs).
VECTOR_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
VECTOR_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
VECTOR_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def _request(path: str, query: str, signature: str, host: str = "internal:8000") -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": query.encode(),
        "headers": [(b"host", host.encode()), (b"x-twilio-signature", signature.encode())],
        "scheme": "http",
        "server": (host.split(":")[0], 8000),
    }
    return Request(scope)


def test_twilios_published_vector_passes_our_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "development")  # the vector's token is too short otherwise
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "12345")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://mycompany.com")
    get_settings.cache_clear()
    request = _request("/myapp.php", "foo=1&bar=2", VECTOR_SIGNATURE)
    verify_signature(request, dict(VECTOR_PARAMS))  # does not raise


def test_a_signature_of_the_url_with_its_default_port_passes_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Twilio has signed `https://host:443/...` for some configurations: the SDK's full check."""
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "12345")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://mycompany.com")
    get_settings.cache_clear()
    signed = RequestValidator("12345").compute_signature(
        "https://mycompany.com:443/myapp.php?foo=1&bar=2", VECTOR_PARAMS
    )
    assert signed != VECTOR_SIGNATURE
    verify_signature(_request("/myapp.php", "foo=1&bar=2", signed), dict(VECTOR_PARAMS))
    with pytest.raises(HTTPException):
        verify_signature(_request("/myapp.php", "foo=1", signed), dict(VECTOR_PARAMS))


def test_the_vector_fails_when_a_parameter_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "development")  # the vector's token is too short otherwise
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "12345")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://mycompany.com")
    get_settings.cache_clear()
    request = _request("/myapp.php", "foo=1&bar=2", VECTOR_SIGNATURE)
    with pytest.raises(HTTPException) as caught:
        verify_signature(request, {**VECTOR_PARAMS, "Digits": "9999"})
    assert caught.value.status_code == 403


def test_a_request_signed_for_another_url_is_refused() -> None:
    client = TestClient(create_app())
    params = sms_params("+33639981234", "hello")
    signature = sign("https://attacker.example/twilio/sms", params)
    response = client.post("/twilio/sms", data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_a_missing_signature_is_refused() -> None:
    client = TestClient(create_app())
    response = client.post("/twilio/sms", data=sms_params("+33639981234", "hello"))
    assert response.status_code == 403


def test_behind_a_proxy_the_public_url_is_what_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The proxy forwards to http://testserver; Twilio signed https://bot.example/twilio/sms."""
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://bot.example")
    get_settings.cache_clear()
    client = TestClient(create_app())
    params = sms_params("+33639981234", "hello")
    public = sign("https://bot.example/twilio/sms", params)
    internal = sign(TEST_BASE + "/twilio/sms", params)
    assert (
        client.post(
            "/twilio/sms", data=params, headers={"X-Twilio-Signature": internal}
        ).status_code
        == 403
    )
    assert (
        client.post("/twilio/sms", data=params, headers={"X-Twilio-Signature": public}).status_code
        == 200
    )


def test_behind_a_proxy_the_query_string_is_signed_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A webhook URL configured with a query (Twilio signs it whole) checks against that URL."""
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://bot.example/")
    get_settings.cache_clear()
    client = TestClient(create_app())
    params = sms_params("+33639981234", "hello")
    signed = sign("https://bot.example/twilio/sms?line=fr&x=a%20b", params)
    without_query = sign("https://bot.example/twilio/sms", params)
    url = "/twilio/sms?line=fr&x=a%20b"
    assert client.post(url, data=params, headers={"X-Twilio-Signature": signed}).status_code == 200
    refused = client.post(url, data=params, headers={"X-Twilio-Signature": without_query})
    assert refused.status_code == 403


def test_a_body_over_16_kib_gets_413() -> None:
    client = TestClient(create_app())
    params = sms_params("+33639981234", "x" * (17 * 1024))
    response = client.post(
        "/twilio/sms",
        data=params,
        headers={"X-Twilio-Signature": sign(TEST_BASE + "/twilio/sms", params)},
    )
    assert response.status_code == 413


def test_too_many_form_fields_is_a_clear_400() -> None:
    with pytest.raises(HTTPException) as caught:
        parse_form("&".join(f"k{i}=v" for i in range(100)).encode(), max_fields=64)
    assert caught.value.status_code == 400


def test_the_parsed_form_signs_as_a_plain_dict_and_keeps_the_last_repeated_value() -> None:
    form = parse_form(b"Digits=1&To=%2B18005551212&Digits=1234", max_fields=64)
    assert form == {"Digits": "1234", "To": "+18005551212"}
    assert form.getall("Digits") == ["1234"]  # the SDK's first lookup: no fallback needed
    validator = RequestValidator("12345")
    assert validator.compute_signature(VECTOR_URL, form) == validator.compute_signature(
        VECTOR_URL, dict(form)
    )
    vector = parse_form(
        "&".join(f"{k}={v}" for k, v in VECTOR_PARAMS.items()).replace("+", "%2B").encode(), 64
    )
    assert validator.compute_signature(VECTOR_URL, vector) == VECTOR_SIGNATURE


def test_invalid_utf8_is_replaced_not_rejected() -> None:
    form = parse_form(b"Body=caf%C3%A9+%FF%FE&From=%2B33639981234", max_fields=64)
    assert form["Body"].startswith("café ")
    assert "\ufffd" in form["Body"]


def test_during_a_token_rotation_both_tokens_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    params = sms_params("+33639981234", "hello")
    old = sign(TEST_BASE + "/twilio/sms", params)  # signed with the current test token
    monkeypatch.setenv("TWILIO_PREVIOUS_AUTH_TOKEN", get_settings().twilio_auth_token)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "the-new-primary-token-0123456789")
    get_settings.cache_clear()
    client = TestClient(create_app())
    new = sign(TEST_BASE + "/twilio/sms", params, "the-new-primary-token-0123456789")
    for signature in (old, new):
        response = client.post(
            "/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
        )
        assert response.status_code == 200
    monkeypatch.delenv("TWILIO_PREVIOUS_AUTH_TOKEN")
    get_settings.cache_clear()
    other = sms_params("+33639981234", "hello again")
    stale = sign(TEST_BASE + "/twilio/sms", other, SIGNING_TOKEN)  # the token before rotation
    response = client.post("/twilio/sms", data=other, headers={"X-Twilio-Signature": stale})
    assert response.status_code == 403
