"""The FastAPI application."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from bot.heap import freeze_startup_heap
from bot.logging_setup import configure_logging
from bot.settings import get_settings
from bot.web import favicon, health, twilio_sms, twilio_status, twilio_voice
from bot.web.api import blocklist_routes as api_blocklist
from bot.web.api import campaign_routes as api_campaigns
from bot.web.api import lookup_routes as api_lookup
from bot.web.api import search_routes as api_search
from bot.web.api.docs import add_api_docs
from bot.web.console import account_pages as console_account
from bot.web.console import admin as console_admin
from bot.web.console import auth_routes as console_auth
from bot.web.console import blocklist_pages as console_blocklist
from bot.web.console import campaign_pages as console_campaigns
from bot.web.console import domain_pages as console_domains
from bot.web.console import errors as console_errors
from bot.web.console import language_routes as console_language
from bot.web.console import pages as console_pages
from bot.web.console import report_pages as console_reports
from bot.web.console import search_pages as console_search
from bot.web.console.rendering import STATIC_DIR
from bot.web.hardening import harden
from bot.web.intake_writer import close_intake_writer, keep_intake_links_open
from bot.web.metrics import process_exiting


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    # Everything imported and built by now lives as long as the process: out of the collector's
    # full passes, which otherwise stall the loop for 100 ms and more (see bot.heap).
    freeze_startup_heap()
    keep_intake_links_open()
    yield
    # A graceful stop lets the intake batches in flight commit and answer before the loop ends.
    await close_intake_writer()
    process_exiting()


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title="Scamline", version="0.1.0", docs_url=None, redoc_url=None, lifespan=lifespan
    )
    add_api_docs(app)
    app.include_router(twilio_sms.router)
    app.include_router(twilio_status.router)
    app.include_router(twilio_voice.router)
    app.include_router(health.router)
    app.include_router(favicon.router)
    app.include_router(api_lookup.router)
    app.include_router(api_blocklist.router)
    app.include_router(api_campaigns.router)
    app.include_router(api_search.router)
    app.include_router(console_auth.router)
    app.include_router(console_language.router)
    app.include_router(console_pages.router)
    app.include_router(console_reports.router)
    app.include_router(console_admin.router)
    app.include_router(console_account.router)
    app.include_router(console_campaigns.router)
    app.include_router(console_domains.router)
    app.include_router(console_search.router)
    app.include_router(console_blocklist.router)
    app.add_exception_handler(HTTPException, console_errors.console_http_error)
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console-static")
    harden(app, settings)
    logging.getLogger(__name__).debug("app created for %s", settings.environment)
    return app
