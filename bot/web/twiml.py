"""TwiML answers, built with the Twilio SDK."""

from __future__ import annotations

from fastapi import Response
from twilio.twiml.messaging_response import MessagingResponse


def twiml(document: str) -> Response:
    return Response(content=document, media_type="text/xml")


def empty_messaging_response() -> Response:
    return twiml(str(MessagingResponse()))
