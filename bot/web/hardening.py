"""What production adds to the app: HSTS on every answer, proxies' addresses believed only
from FORWARDED_ALLOW_IPS (uvicorn's ProxyHeadersMiddleware), and an OpenAPI document that lists
only the public API, not the webhooks or the console's admin routes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from bot.settings import Settings

HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
PUBLIC_PREFIXES = ("/api/v1/", "/healthz", "/readyz")


class StrictTransportSecurity:
    """Adds HSTS to every HTTP answer: a browser that met the console once never talks to it in
    clear again. Plain ASGI, so the webhooks pay a header and nothing more."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), HSTS]
            await send(message)

        await self.app(scope, receive, send_with_hsts)


def public_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document with only the public API's paths."""
    if app.openapi_schema is None:
        schema = FastAPI.openapi(app)
        schema["paths"] = {
            path: item for path, item in schema["paths"].items() if path.startswith(PUBLIC_PREFIXES)
        }
        app.openapi_schema = schema
    return app.openapi_schema


def harden(app: FastAPI, settings: Settings) -> None:
    if settings.forwarded_allow_ips:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    if settings.is_production:
        app.add_middleware(StrictTransportSecurity)
        app.openapi = lambda: public_openapi(app)  # type: ignore[method-assign]
