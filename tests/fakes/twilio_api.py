"""A local fake of Twilio's REST Messages API that the real Twilio SDK talks to: the only one,
for the tests (in a thread, `FakeTwilioServer`) and the benchmark (a process of its own).

It checks HTTP Basic auth, stores messages, lists them with Twilio's filters, and can be told to
fail: the next N calls answer 429/20429, 500, or a permanent error such as 21610. It can also
enforce a rate per sender and answer 429 past it, like Twilio's queue, and answer late, as the
real API does from across the Atlantic. `GET /fake/stats` tells what it took and refused.

Run alone (the benchmark does, and so can a person):

    python -m tests.fakes.twilio_api --port 8099 --max-per-second 10 --latency 0.25

`--latency` is how long each answer takes after the message is stored: Twilio's API answers in
about 150-300 ms across the Atlantic, where a local fake answers in a millisecond.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

ACCOUNT_SID = "AC" + "f" * 32
AUTH_TOKEN = "fake-twilio-auth-token-0123456789"


@dataclass
class Failure:
    status: int
    code: int
    message: str


@dataclass
class FakeTwilioState:
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    messages: list[dict[str, Any]] = field(default_factory=list)
    failures: deque[Failure] = field(default_factory=deque)
    max_per_second: float | None = None
    # The window the rate is counted over, as messages arrive here: a full second, with no
    # allowance for jitter on the way (the sender's pacing must absorb it).
    rate_window_seconds: float = 1.0
    # Seconds to wait after storing a message and before answering: a worker killed during the
    # wait leaves a message that Twilio has but whose SID we never learnt.
    answer_delay: float = 0.0
    rejected_for_rate: int = 0
    requests: int = 0
    started: float = field(default_factory=time.time)
    _sent_times: dict[str, deque[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, count: int, status: int, code: int, message: str = "injected") -> None:
        with self.lock:
            self.failures.extend(Failure(status, code, message) for _ in range(count))

    def bodies_to(self, to: str) -> list[str]:
        with self.lock:
            return [m["body"] for m in self.messages if m["to"] == to]

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.failures.clear()
            self.rejected_for_rate = 0
            self.answer_delay = 0.0
            self.max_per_second = None
            self.requests = 0
            self._sent_times.clear()


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
    )


def _resource(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "sid": message["sid"],
        "account_sid": message["account_sid"],
        "to": message["to"],
        "from": message["from"],
        "body": message["body"],
        "status": message["status"],
        "messaging_service_sid": message["messaging_service_sid"],
        "num_segments": "1",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "date_created": format_datetime(message["date_created"]),
        "date_sent": format_datetime(message["date_created"]),
        "date_updated": None,
        "error_code": None,
        "error_message": None,
        "price": None,
        "price_unit": "USD",
        "uri": f"/2010-04-01/Accounts/{message['account_sid']}/Messages/{message['sid']}.json",
        "subresource_uris": {},
    }


def create_app(state: FakeTwilioState) -> FastAPI:
    app = FastAPI()

    def authorised(request: Request, account_sid: str) -> bool:
        expected = base64.b64encode(f"{state.account_sid}:{state.auth_token}".encode()).decode()
        return (
            account_sid == state.account_sid
            and request.headers.get("authorization") == f"Basic {expected}"
        )

    @app.post("/2010-04-01/Accounts/{account_sid}/Messages.json")
    async def create_message(account_sid: str, request: Request) -> JSONResponse:
        if not authorised(request, account_sid):
            return _error(401, 20003, "Authenticate")
        form = await request.form()
        with state.lock:
            state.requests += 1
            if state.failures:
                failure = state.failures.popleft()
                return _error(failure.status, failure.code, failure.message)
            sender = str(form.get("MessagingServiceSid") or form.get("From") or "")
            if state.max_per_second:
                window = state._sent_times.setdefault(sender, deque())
                now = time.monotonic()
                while window and now - window[0] >= state.rate_window_seconds:
                    window.popleft()
                if len(window) >= state.max_per_second:
                    state.rejected_for_rate += 1
                    return _error(429, 20429, "Too Many Requests")
                window.append(now)
            to, body = str(form.get("To") or ""), str(form.get("Body") or "")
            if not to or not body or not sender:
                return _error(400, 21604, "A 'To', 'Body' and sender are required")
            message = {
                "sid": "SM" + secrets.token_hex(16),
                "account_sid": account_sid,
                "to": to,
                "from": str(form.get("From") or "") or None,
                "messaging_service_sid": str(form.get("MessagingServiceSid") or "") or None,
                "body": body,
                "status": "queued",
                "date_created": datetime.now(UTC),
                "status_callback": str(form.get("StatusCallback") or "") or None,
            }
            state.messages.append(message)
            delay = state.answer_delay
        if delay:
            await asyncio.sleep(delay)
        return JSONResponse(_resource(message), status_code=201)

    @app.get("/fake/stats")
    async def stats() -> dict[str, object]:
        """What the fake took (each message's creation time and recipient) and refused."""
        with state.lock:
            return {
                "started": state.started,
                "requests": state.requests,
                "rejected_for_rate": state.rejected_for_rate,
                "created": [m["date_created"].timestamp() for m in state.messages],
                "to": [m["to"] for m in state.messages],
            }

    @app.get("/2010-04-01/Accounts/{account_sid}/Messages.json")
    async def list_messages(account_sid: str, request: Request) -> JSONResponse:
        if not authorised(request, account_sid):
            return _error(401, 20003, "Authenticate")
        query = request.query_params
        after = query.get("DateSent>")
        after_dt = _parse_date(after) if after else None
        with state.lock:
            found = [
                m
                for m in state.messages
                if (not query.get("To") or m["to"] == query["To"])
                and (not query.get("From") or m["from"] == query["From"])
                and (after_dt is None or m["date_created"] >= after_dt)
            ]
        found.sort(key=lambda m: m["date_created"], reverse=True)
        page_size = int(query.get("PageSize", "50"))
        return JSONResponse(
            {
                "messages": [_resource(m) for m in found[:page_size]],
                "page": 0,
                "page_size": page_size,
                "next_page_uri": None,
                "previous_page_uri": None,
                "first_page_uri": str(request.url),
                "uri": str(request.url),
                "start": 0,
                "end": 0,
            }
        )

    return app


def _parse_date(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return parsedate_to_datetime(value)


class FakeTwilioServer:
    """Runs the fake in a background thread on a free local port."""

    def __init__(self, state: FakeTwilioState | None = None, port: int = 0) -> None:
        self.state = state or FakeTwilioState()
        config = uvicorn.Config(
            create_app(self.state), host="127.0.0.1", port=port, log_level="error", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def base_url(self) -> str:
        sockets = self._server.servers[0].sockets
        port = sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> FakeTwilioServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake Twilio did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--max-per-second", type=float, default=None)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to each answer")
    args = parser.parse_args()
    state = FakeTwilioState(max_per_second=args.max_per_second, answer_delay=args.latency)
    uvicorn.run(create_app(state), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
