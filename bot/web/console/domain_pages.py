"""The domain verdict: an analyst confirms a domain as a scam (it enters the blocklist feed),
or judges it legitimate or dismissed (it leaves the feed). Audited like a number's status."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from bot.db.session import session_scope
from bot.services import number_status
from bot.services.audit import record_audit
from bot.services.domains import find_domain, set_domain_status
from bot.web.console.deps import Viewer, client_ip, csrf_viewer
from bot.web.console.i18n import texts_for
from bot.web.console.rendering import redirect
from bot.web.console.sessions import set_flash, set_notice
from bot.web.console.verdicts import domain_verdict_notice

router = APIRouter(prefix="/console")

# A domain has no investigation step here: the verdict is what the feed needs. The note is the
# "why" the feed publishes, so it is required, as for numbers.
DOMAIN_VERDICTS = number_status.VERDICTS


@router.post("/domains/{domain}/status")
def change_domain_status(
    request: Request,
    domain: str,
    status: str = Form(..., max_length=20),
    note: str = Form("", max_length=number_status.NOTE_MAX),
    viewer: Viewer = Depends(csrf_viewer),
) -> Response:
    texts = texts_for(request)
    with session_scope() as db:
        record = find_domain(db, domain[:253])
        if record is None:
            raise HTTPException(404, "this domain was never reported")
        page = f"/console/domains/{quote(record.domain, safe='+')}"
        note = note.strip()
        if status not in DOMAIN_VERDICTS:
            set_flash(
                viewer.session, texts.gettext("Choose confirmed scam, legitimate or dismissed.")
            )
            return redirect(page)
        if not note:
            set_flash(viewer.session, texts.gettext("A verdict needs a note saying why."))
            return redirect(page)
        before = record.status
        if not set_domain_status(db, record, status, viewer.email, note):
            set_notice(viewer.session, texts.gettext("Verdict unchanged."))
            return redirect(page)
        record_audit(
            db,
            viewer.email,
            "set_domain_status",
            target_type="domain",
            target_id=record.domain,
            ip=client_ip(request),
            detail={"from": before, "to": status},
        )
    set_notice(viewer.session, domain_verdict_notice(texts, before, status))
    return redirect(page)
