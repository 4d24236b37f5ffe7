"""/api/docs works offline: Swagger UI and its assets come from the app, never from a CDN, in
development and in production (where the document lists only the public API)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from fastapi.testclient import TestClient

from bot.web.app import create_app
from tests.bot.web.test_console_browser import CHROMIUM, CHROMIUM_ARGS
from tests.bot.web.test_hardening import PRODUCTION
from tests.conftest import _reset_caches
from tests.processes import free_port


@contextmanager
def live_server() -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def referenced(html: str) -> list[str]:
    """Every URL the page loads or points to: src and href attributes, and the schema's url."""
    return re.findall(r"""(?:src|href)="([^"]+)"|url: '([^']+)'""", html)


def check_docs_served_locally(client: TestClient) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.text
    assert "SwaggerUIBundle" in html
    urls = [a or b for a, b in referenced(html)]
    assert len(urls) == 4  # stylesheet, icon, script, OpenAPI document
    for url in urls:
        assert not urlsplit(url).netloc, f"{url} is on another host"
        assert client.get(url).status_code == 200, url
    # Nor any other address a browser would reach, such as Swagger's online validator.
    assert not re.search(r"(?:https?:)?//[a-z0-9]", html, re.IGNORECASE)
    assert '"validatorUrl": null' in html


def test_api_docs_are_served_by_the_app() -> None:
    check_docs_served_locally(TestClient(create_app()))


def test_api_docs_work_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    _reset_caches()
    client = TestClient(create_app(), base_url="https://testserver")
    check_docs_served_locally(client)
    assert "/api/v1/blocklist" in client.get("/openapi.json").json()["paths"]


def test_the_swagger_assets_are_real() -> None:
    client = TestClient(create_app())
    script = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert "SwaggerUIBundle" in script.text
    assert (
        client.get("/api/docs/assets/swagger-ui.css").headers["content-type"].startswith("text/css")
    )


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_swagger_ui_renders_the_api_with_no_other_host() -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    elsewhere: list[str] = []
    with live_server() as base, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page()

            def only_this_server(route: Any) -> None:
                if route.request.url.startswith(base):
                    route.continue_()
                else:
                    elsewhere.append(route.request.url)
                    route.abort()

            page.route("**/*", only_this_server)
            page.goto(f"{base}/api/docs")
            # Swagger UI 5 reads FastAPI's OpenAPI 3.1 and lists the operations.
            page.wait_for_selector('[data-path="/api/v1/blocklist"]', timeout=20_000)
            assert page.locator(".opblock").count() >= 5
            assert page.locator(".errors-wrapper").count() == 0
        finally:
            browser.close()
    assert elsewhere == []
