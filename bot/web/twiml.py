"""TwiML answers, built with the Twilio SDK."""

from __future__ import annotations

from fastapi import Response
from twilio.twiml.messaging_response import MessagingResponse


def twiml(document: str) -> Response:
    return Response(content=document, media_type="text/xml")


# Built once: the SDK renders through ElementTree, a cost every webhook would pay again.
_EMPTY_MESSAGING_RESPONSE = str(MessagingResponse())


def empty_messaging_response() -> Response:
    return twiml(_EMPTY_MESSAGING_RESPONSE)
