"""The console in a real browser (Debian's Chromium driven by Playwright) against a real
uvicorn server and the test database: sign in with a TOTP code, open a number whose report
is hostile, check that nothing ran and nothing is clickable, change its status, see it in the
blocklist (console page and the operators' feed), search, and review and confirm a campaign."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn

from bot.db.types import utcnow
from bot.web.app import create_app
from tests.console_fixtures import (
    HOSTILE,
    PASSWORD,
    fresh_code,
    make_user,
    seed_report,
    seed_spread,
)
from tests.factories import store_sms, token

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-output" / "screenshots"
NUMBER = "+33639981234"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server() -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


PARCEL = (
    "De {sender} : Votre colis est retenu au centre de tri, des frais de {amount} sont a regler "
    "sur {link} sous 48h sinon retour a l'expediteur."
)
AMELI = (
    "recu du {sender} : Ameli : votre carte vitale arrive a expiration. Renouvelez-la sur {link} "
    "pour eviter une suspension de vos droits."
)


def _seed_campaigns() -> None:
    """Two templates through the worker's own processing, so that they group as campaigns."""
    for day in range(6):
        for copy in range(day % 3 + 1):
            store_sms(
                f"+3361{day}{copy}00000",
                PARCEL.format(
                    sender=f"07 1{day} 34 56 7{copy}",
                    amount=f"{day + 1},{copy}9€",
                    link=f"https://livr-colis-{copy}.test/p{day}",
                ),
                received_at=utcnow() - timedelta(days=day, hours=copy),
            )
    for day in range(3):
        store_sms(
            f"+3362{day}000000",
            AMELI.format(sender="38455", link=f"ameli-vitale-{day}.test"),
            received_at=utcnow() - timedelta(days=day * 2),
        )


def _seed() -> None:
    seed_report(NUMBER, HOSTILE, reasons=("asks to pay a fee", "link to an unknown domain"))
    seed_spread(NUMBER, 9, hours=20)
    seed_spread("+33975123456", 6, hours=24 * 6, family="bank")
    seed_spread("38455", 4, hours=24 * 3, family="health_insurance")
    seed_report(
        "AMELI-INFO",
        "Ameli: remboursement en attente sur ameli-rembourse.test",
        family="health_insurance",
        at=utcnow() - timedelta(days=2),
    )


def test_sign_in_review_a_hostile_number_and_change_its_status(server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    _seed()
    _seed_campaigns()
    secret = make_user("ana@example.org", "analyst")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

            page.goto(f"{server}/console/")
            assert page.url.endswith("/console/login")
            page.fill("input[name=email]", "ana@example.org")
            page.fill("input[name=password]", PASSWORD)
            page.fill("input[name=code]", fresh_code("ana@example.org", secret))
            page.click("button[type=submit]")
            page.wait_for_url(f"{server}/console/")
            assert page.locator("h1").inner_text() == "Overview"
            assert page.locator("figure.chart svg rect").count() > 100
            page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)

            page.click(f'a[href="/console/numbers/{NUMBER}"] >> nth=0')
            page.wait_for_url(f"{server}/console/numbers/{NUMBER}")
            page.locator("details.text summary").first.click()  # unfold the long hostile text
            body = page.locator("details.text pre.body").first.inner_text()
            assert "<script>alert('xss')</script>" in body  # shown as text...
            assert dialogs == []  # ...and it never ran
            assert "hxxps://colis-frais[.]test/pay?id=1" in body
            assert "⟨U+202E⟩" in body
            for selector in (
                'a[href^="javascript"]',
                'a[href*="colis-frais.test"]',
                'a[href^="http"]',
                'a[href^="hxxp"]',
            ):
                assert page.locator(selector).count() == 0, selector
            page.screenshot(path=str(SCREENSHOTS / "number.png"), full_page=True)

            page.select_option("select[name=status]", "investigating")
            page.click("form.number-status button[type=submit]")
            page.wait_for_selector("h1 .status-investigating")
            page.select_option("select[name=status]", "confirmed_scam")
            page.fill(
                "form.number-status textarea[name=note]", "Fake parcel fee; same template as 38455"
            )
            page.click("form.number-status button[type=submit]")
            page.wait_for_selector("h1 .status-confirmed_scam")
            history = page.locator("table.history").inner_text()
            assert "ana@example.org" in history and "Fake parcel fee" in history
            page.screenshot(path=str(SCREENSHOTS / "number-confirmed.png"), full_page=True)
            assert dialogs == []

            # See it in the blocklist: the console's page, then the operators' feed.
            page.click("header nav >> text=Blocklist")
            page.wait_for_url(f"{server}/console/blocklist")
            listed = page.locator("table.blocklist").inner_text()
            assert (
                "06 39 98 12 34" in listed and "Fake parcel fee; same template as 38455" in listed
            )
            page.screenshot(path=str(SCREENSHOTS / "blocklist.png"), full_page=True)
            feed = httpx.get(
                f"{server}/api/v1/blocklist",
                headers={"Authorization": f"Bearer {token()}"},
                timeout=10,
            ).json()
            [entry] = [e for e in feed["entries"] if e["value"] == NUMBER]
            assert entry["type"] == "number"
            assert entry["reason"] == "Fake parcel fee; same template as 38455"

            # Search from the top navigation, in another spelling.
            page.fill("header input[name=q]", "06 39 98 12 34")
            page.click("header form.nav-search button[type=submit]")
            page.wait_for_url(f"{server}/console/search?q=06+39+98+12+34")
            assert page.locator(f'table.search-numbers a[href="/console/numbers/{NUMBER}"]').count()
            page.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=True)

            # Campaigns: the list, one campaign, and confirming it at once.
            page.click("header nav >> text=Campaigns")
            page.wait_for_url(f"{server}/console/campaigns")
            assert page.locator("table.campaigns svg.spark polyline").count() == 2
            page.screenshot(path=str(SCREENSHOTS / "campaigns.png"), full_page=True)
            page.click("text=Campaign #1")
            page.wait_for_url(f"{server}/console/campaigns/1")
            assert page.locator("table.campaign-numbers a").count() == 12
            assert page.locator("table.campaign-domains a").count() == 3
            assert page.locator('a[href^="http"]').count() == 0
            page.screenshot(path=str(SCREENSHOTS / "campaign.png"), full_page=True)
            page.fill("form.campaign-confirm textarea[name=note]", "Fake parcel fee template")
            page.click("form.campaign-confirm button[type=submit]")
            page.wait_for_selector("p.notice")
            assert "12 numbers confirmed as scams" in page.locator("p.notice").inner_text()
            assert page.locator("table.campaign-numbers .status-confirmed_scam").count() == 12
            page.screenshot(path=str(SCREENSHOTS / "campaign-confirmed.png"), full_page=True)
            assert dialogs == []
        finally:
            browser.close()
