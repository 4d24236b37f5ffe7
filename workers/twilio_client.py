"""The Twilio SDK client, pointed at TWILIO_API_BASE_URL so a fake or gateway can stand in."""

from __future__ import annotations

import threading

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.settings import Settings, get_settings

# Without a timeout the SDK waits for ever on a hung connection, and so would the send (and the
# permit it holds). A send that times out is retried once its claim's lease has run out; the retry
# first asks Twilio whether the message went through (see workers.sender). Well under the lease
# (STUCK_SENDING_SECONDS, 30 s), so that no other claim takes a reply whose call is on its way.
REQUEST_TIMEOUT_SECONDS = 10.0


_local = threading.local()


def _new_client(account_sid: str, auth_token: str, base_url: str) -> Client:
    client = Client(
        account_sid, auth_token, http_client=TwilioHttpClient(timeout=REQUEST_TIMEOUT_SECONDS)
    )
    client.api.base_url = base_url.rstrip("/")
    return client


def twilio_client(settings: Settings | None = None) -> Client:
    """This thread's client: a worker sends from several threads at once (workers.sender), and
    each keeps its own HTTP connection to Twilio alive rather than sharing one session's pool."""
    settings = settings or get_settings()
    key = (settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_api_base_url)
    clients: dict[tuple[str, str, str], Client] = _local.__dict__.setdefault("clients", {})
    if key not in clients:
        clients[key] = _new_client(*key)
    return clients[key]
