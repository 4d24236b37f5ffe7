"""The icon a browser asks for, at /favicon.ico and linked from every console page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.web.app import create_app


def test_the_favicon_is_served_and_linked() -> None:
    client = TestClient(create_app())
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/vnd.microsoft.icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO
    login = client.get("/console/login").text
    assert '<link rel="icon" href="/console/static/favicon.svg" type="image/svg+xml">' in login
    svg = client.get("/console/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/console/static/favicon.ico").content == icon.content
    assert "/favicon.ico" not in client.get("/openapi.json").json()["paths"]
