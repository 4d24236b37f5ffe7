"""The console's search box: a number in any spelling, a domain (plain or defanged) or text.

Results show reports' texts, so a search is audited (with its whole query) and spends the view
quota like the pages it stands for: one unit per number and per domain its results show (see
services.view_quota). An empty box, or a search that finds nothing, costs nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.db.session import session_scope
from bot.domain.safe_text import safe_text
from bot.services.number_views import reports_by_ids
from bot.services.search import MAX_QUERY, MIN_TEXT, exposed_records, search
from bot.services.view_quota import record_view
from bot.web.console.deps import Viewer, client_ip, current_viewer
from bot.web.console.i18n import texts_for
from bot.web.console.pages import base_context, locked_page
from bot.web.console.rendering import render

router = APIRouter(prefix="/console")

LIMIT = 50


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request, q: str = "", viewer: Viewer = Depends(current_viewer)
) -> Response:
    query = q.strip()
    with session_scope() as db:
        context = base_context(db, viewer) | {
            "query": query,
            "searched": False,
            "error": "",
            "numbers": [],
            "domains": [],
            "reports": [],
            "safe": safe_text,
            "min_text": MIN_TEXT,
            "limit": LIMIT,
        }
        if not query:
            return render(request, "console/search.html", context)
        if len(query) > MAX_QUERY:
            # Not run, not shown back in full: a long query is no one's honest search.
            context["query"] = ""
            context["error"] = texts_for(request).gettext(
                "A search is at most %(count)s characters.", count=MAX_QUERY
            )
            return render(request, "console/search.html", context, status_code=400)
        found = search(db, query, limit=LIMIT)
        reports = reports_by_ids(db, found.report_ids)
        allowed = record_view(
            db,
            viewer.user(db),
            "search",
            "search",
            " ".join(query.lower().split()),
            client_ip(request),
            found.report_ids,
            extra={"query": query},
            exposes=exposed_records(found, [view.report for view in reports]),
        )
        if not allowed:
            return locked_page(request, db, viewer)
        context |= {
            "searched": True,
            "numbers": found.numbers,
            "domains": found.domains,
            "reports": reports,
        }
    return render(request, "console/search.html", context)
