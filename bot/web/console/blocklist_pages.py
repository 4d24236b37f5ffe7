"""What the operators' feed publishes, as analysts see it, and its CSV through the console.

The page shows the feed's entries with domains defanged again (the feed refangs them for
machines; a console page never holds a clickable scam domain). Seeing the page is audited;
downloading the CSV is audited as an export, like the feed itself.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from bot.db.session import session_scope
from bot.domain.indicators import defang
from bot.domain.safe_text import safe_text
from bot.services import blocklist
from bot.services.audit import record_audit
from bot.web.console.deps import Viewer, client_ip, current_viewer
from bot.web.console.pages import base_context
from bot.web.console.rendering import render, secure

router = APIRouter(prefix="/console")

PAGE_SIZE = 200


@router.get("/blocklist", response_class=HTMLResponse)
def blocklist_page(
    request: Request,
    page: int = Query(1, ge=1, le=10_000),
    viewer: Viewer = Depends(current_viewer),
) -> Response:
    with session_scope() as db:
        entries = blocklist.entries(db)
        start = (page - 1) * PAGE_SIZE
        shown = [
            (e, defang(e.value) if e.type == "domain" else e.value)
            for e in entries[start : start + PAGE_SIZE]
        ]
        record_audit(
            db,
            viewer.email,
            "view_blocklist",
            target_type="blocklist",
            ip=client_ip(request),
            detail={"entries": len(entries), "page": page},
        )
        context = base_context(db, viewer) | {
            "shown": shown,
            "total": len(entries),
            "numbers": sum(1 for e in entries if e.type == "number"),
            "page": page,
            "has_next": start + PAGE_SIZE < len(entries),
            "safe": safe_text,
        }
    return render(request, "console/blocklist.html", context)


@router.get("/blocklist.csv")
def blocklist_csv(request: Request, viewer: Viewer = Depends(current_viewer)) -> Response:
    """Exactly the feed's CSV (domains refanged for operators' filters), audited as an export."""
    with session_scope() as db:
        rows = blocklist.entries(db)
        blocklist.audit_export(db, viewer.email, "csv", len(rows), client_ip(request))
    response = Response(
        blocklist.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="scamline-blocklist.csv"'},
    )
    return secure(response)
