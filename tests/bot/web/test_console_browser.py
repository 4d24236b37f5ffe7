"""The console in a real browser (Debian's Chromium driven by Playwright) against a real
uvicorn server and the test database.

- An analyst signs in with a TOTP code, opens a number whose report is hostile, checks that
  nothing ran and nothing is clickable, changes its status, sees it in the blocklist (console
  page and the operators' feed), searches, and reviews and confirms a campaign.
- A French analyst and an English one read the console in their language: Paris time, national
  number format, a two-report campaign confirmed with its domain; axe-core (shipped by
  axe-playwright-python) checks every page against WCAG 2.1 AA in both languages, and the
  screenshots are taken on the way (into docs/screenshots/ with SCAMLINE_SCREENSHOTS=docs)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from bot.db.models import User
from bot.db.session import session_scope
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
ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
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


# ------------------------------------------------------------------ both languages, with axe

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MOBILE = "+33639987755"
SEEN_AT = datetime(2026, 1, 15, 8, 45, tzinfo=UTC)  # a winter morning: 09:45 CET
PARIS = ZoneInfo("Europe/Paris")
REFUND = (
    "Ameli : un remboursement de {amount} vous attend. Confirmez vos coordonnees bancaires sur "
    "https://ameli-remboursement.test/dossier avant ce soir, sinon il sera perdu. Ref {ref}"
)


@dataclass(frozen=True)
class Words:
    """What each language's console says, where the test looks."""

    lang: str
    locale: str
    password: str
    overview: str
    first_seen: str
    moment: str  # strftime of SEEN_AT in Paris time
    notice: str  # the campaign confirmation said back
    domains: str
    switch_to: str


FRENCH = Words(
    "fr",
    "fr-FR",
    "Mot de passe",
    "Vue d’ensemble",
    "Premier signalement",
    "%d/%m/%Y %H:%M CET",
    "2 numéros confirmés comme arnaques, 1 domaine confirmé comme arnaque",
    "Domaines",
    "English",
)
ENGLISH = Words(
    "en",
    "en-GB",
    "Password",
    "Overview",
    "First seen",
    "%-d %b %Y %H:%M CET",
    "2 numbers confirmed as scams, 1 domain confirmed as a scam",
    "Domains",
    "Français",
)


def _seed_both() -> None:
    """Reports through the worker's own processing: indicators, domains, reasons, campaigns."""
    store_sms(
        "+33611000001",
        "De 06 39 98 77 55 : Ameli : un remboursement de 48,70 euros vous attend, confirmez vos "
        "coordonnees bancaires sur https://ameli-rembourse.test/x",
        received_at=SEEN_AT,
    )
    for i in range(5):
        store_sms(
            f"+3361100002{i}",
            f"De 06 39 98 77 55 : votre colis est retenu, frais de {i},99 EUR a regler sur "
            f"https://colis-{i % 2}.test/p{i} sous 48h sinon retour a l'expediteur.",
            received_at=utcnow() - timedelta(hours=i * 6 + 1),
        )
    seed_spread("+447700900614", 3, hours=48, family="bank")
    seed_report("AMELI-INFO", "Ameli : votre carte vitale expire", family="health_insurance")
    for index, sender in enumerate(("+33611110001", "+33611110002")):
        store_sms(
            sender,
            f"De 07 5{index} 12 34 5{index} : "
            + REFUND.format(amount=f"{index + 1}9,90 €", ref=index),
            received_at=utcnow() - timedelta(hours=index * 5 + 1),
        )


def _check_accessibility(page: Any, axe: Any, where: str) -> None:
    results = axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    assert results.response["passes"], f"{where}: axe checked nothing"
    assert results.violations_count == 0, f"{where}:\n{results.generate_report()}"


def _shoot(page: Any, words: Words, name: str) -> None:
    """Into test-output/, or into docs/screenshots/ when SCAMLINE_SCREENSHOTS=docs (to renew
    the documentation's pictures without every test run rewriting them)."""
    root = DOCS_SCREENSHOTS if os.environ.get("SCAMLINE_SCREENSHOTS") == "docs" else SCREENSHOTS
    folder = root if words.lang == "fr" else root / "en"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("words", [FRENCH, ENGLISH], ids=["fr", "en"])
def test_a_french_and_an_english_analyst_read_the_console_in_their_language(
    server: str, words: Words
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    axe = axe_module.Axe()
    _seed_both()
    email = f"{words.lang}@example.org"
    secret = make_user(email, "admin")  # an analyst with the admin pages too: every page
    make_user(f"other-{words.lang}@example.org", "analyst")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale=words.locale)

            page.goto(f"{server}/console/login")
            assert page.locator("html").get_attribute("lang") == words.lang
            assert page.get_by_label(words.password).count() == 1
            _check_accessibility(page, axe, "sign-in")
            page.fill("input[name=email]", email)
            page.fill("input[name=password]", PASSWORD)
            page.fill("input[name=code]", fresh_code(email, secret))
            page.click("form[action='/console/login'] button[type=submit]")
            page.wait_for_url(f"{server}/console/")
            assert page.locator("h1").inner_text() == words.overview
            _check_accessibility(page, axe, "overview")
            _shoot(page, words, "overview")

            # A number's page: national format, E.164 on hover, Paris time with its zone.
            page.goto(f"{server}/console/numbers/{MOBILE}")
            title = page.locator("h1 .phone")
            assert title.inner_text() == "06 39 98 77 55"
            assert title.get_attribute("title") == MOBILE
            first = page.locator("dl.facts div", has_text=words.first_seen).locator("time")
            assert first.inner_text() == SEEN_AT.astimezone(PARIS).strftime(words.moment)
            assert first.get_attribute("datetime") == "2026-01-15T08:45:00Z"
            assert page.locator("form.domains-confirm input[name=domain]").count() == 3
            _check_accessibility(page, axe, "number")
            _shoot(page, words, "number")
            for url, name in (
                ("/console/numbers/AMELI-INFO", "sender name"),
                ("/console/numbers/+447700900614", "foreign number"),
                ("/console/numbers", "numbers"),
                ("/console/search?q=remboursement", "search"),
                ("/console/domains/ameli-rembourse[.]test", "domain"),
                ("/console/campaigns?show=all", "all campaigns"),
                ("/console/reports/1", "report"),
                ("/console/account", "account"),
                ("/console/admin", "admin"),
            ):
                page.goto(f"{server}{url}")
                _check_accessibility(page, axe, name)

            # Campaigns: the two-report campaign, confirmed with its domain.
            page.goto(f"{server}/console/campaigns")
            rows = page.locator("table.campaigns tbody tr")
            assert rows.count() == 2  # the refund and the parcel; one-off texts are left out
            refund = rows.filter(has_text="ameli-remboursement[.]test")
            assert "07 50 12 34 50" in refund.inner_text()
            _check_accessibility(page, axe, "campaigns")
            _shoot(page, words, "campaigns")
            refund.locator("td.campaign-name a").click()
            page.wait_for_selector("form.campaign-confirm")
            form = page.locator("form.campaign-confirm")
            assert form.locator("input[name=numbers]").is_checked()
            assert form.locator(
                "input[name=domain][value='ameli-remboursement[.]test']"
            ).is_checked()
            _check_accessibility(page, axe, "campaign")
            form.locator("textarea[name=note]").fill("Faux remboursement Ameli")
            form.locator("button[type=submit]").click()
            page.wait_for_selector("p.notice")
            assert words.notice in page.locator("p.notice").inner_text()
            assert page.locator("table.campaign-domains .status-confirmed_scam").count() == 1
            assert page.locator("table.campaign-numbers .status-confirmed_scam").count() == 2
            assert page.locator("form.campaign-confirm button[type=submit]").is_disabled()
            _check_accessibility(page, axe, "campaign, confirmed")
            _shoot(page, words, "campaign-confirmed")
            page.goto(f"{server}/console/blocklist")
            assert "ameli-remboursement[.]test" in page.locator("table.blocklist").inner_text()
            _check_accessibility(page, axe, "blocklist")
            _shoot(page, words, "blocklist")

            # Pages shown once, after a form: a new token, a second factor's QR code.
            page.goto(f"{server}/console/admin")
            page.fill("form[action='/console/admin/tokens'] input[name=name]", "operator")
            page.click("form[action='/console/admin/tokens'] button[type=submit]")
            page.wait_for_selector("code.secret")
            _check_accessibility(page, axe, "token")
            page.goto(f"{server}/console/admin")
            page.locator("form[action$='/reset-totp'] button").last.click()
            page.wait_for_selector(".qr svg")
            _check_accessibility(page, axe, "enrolment")

            # The switch: the other language, remembered.
            page.goto(f"{server}/console/numbers/{MOBILE}")
            page.click(f"nav.languages >> text={words.switch_to}")
            page.wait_for_url(f"{server}/console/numbers/{MOBILE}")
            assert page.locator("html").get_attribute("lang") != words.lang
            _check_accessibility(page, axe, "number, switched")
            page.goto(f"{server}/console/")
            assert page.locator("html").get_attribute("lang") != words.lang

            # Views locked: its page too.
            with session_scope() as session:
                user = session.scalars(select(User).where(User.email == email)).one()
                user.views_locked_at = utcnow()
            page.goto(f"{server}/console/numbers/{MOBILE}")
            assert page.locator("section.locked").count() == 1
            _check_accessibility(page, axe, "views locked")
        finally:
            browser.close()
