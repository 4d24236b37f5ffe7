"""The production app plus one bare route: the ceiling of the web tier, for the benchmark only.

`POST /bench/bare` reads nothing and returns the same empty TwiML as `/twilio/sms`, through the
same uvicorn, FastAPI and middleware stack.
"""

from __future__ import annotations

from fastapi import FastAPI, Response

from bot.web.app import create_app as create_production_app
from bot.web.twiml import empty_messaging_response


def create_app() -> FastAPI:
    app = create_production_app()

    @app.post("/bench/bare", response_class=Response, include_in_schema=False)
    async def bare() -> Response:
        return empty_messaging_response()

    return app
