"""One report: its text (escaped, links defanged), what the classifier decided and why, and the
form with which an analyst corrects its family. A correction is audited and teaches the
classifier at its next `scamline train`."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from bot.db.models import Report
from bot.db.session import session_scope
from bot.domain.classifier import explain
from bot.domain.families import FAMILIES
from bot.domain.report_text import read_report
from bot.domain.safe_text import safe_text
from bot.services.corrections import UnknownFamily, correct_family
from bot.services.number_views import report_view
from bot.services.view_quota import record_view
from bot.web.console.deps import Viewer, client_ip, csrf_viewer, current_viewer
from bot.web.console.i18n import texts_for
from bot.web.console.pages import base_context, locked_page
from bot.web.console.rendering import redirect, render
from bot.web.console.sessions import pop_flash, set_flash
from bot.web.params import DbId

router = APIRouter(prefix="/console")


def _main_reasons(report: Report) -> list[str]:
    """What pushed the model toward its top family: the words and signals that weighed most."""
    family = report.predicted_family or report.family
    if not report.body or family == "unknown":
        return []
    read = read_report(report.body)
    return explain(read.text, read.indicators, read.reported, read.channel, family)


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(
    request: Request, report_id: DbId, viewer: Viewer = Depends(current_viewer)
) -> Response:
    with session_scope() as db:
        view = report_view(db, report_id)
        if view is None:
            raise HTTPException(404, "no such report")
        user = viewer.user(db)
        if not record_view(
            db, user, "view_report", "report", str(report_id), client_ip(request), [report_id]
        ):
            return locked_page(request, db, viewer)
        context = base_context(db, viewer) | {
            "rv": view,
            "safe": safe_text,
            "families": FAMILIES,
            "main_reasons": _main_reasons(view.report),
            "message": pop_flash(viewer.session),
        }
    return render(request, "console/report.html", context)


@router.post("/reports/{report_id}/family")
def correct_report_family(
    request: Request,
    report_id: DbId,
    family: str = Form(..., max_length=32),
    viewer: Viewer = Depends(csrf_viewer),
) -> Response:
    texts = texts_for(request)
    with session_scope() as db:
        report = db.get(Report, report_id)
        if report is None:
            raise HTTPException(404, "no such report")
        try:
            changed = correct_family(db, report, family, viewer.email, client_ip(request))
        except UnknownFamily:
            set_flash(viewer.session, texts.gettext("Choose one of the listed families."))
            return redirect(f"/console/reports/{report_id}")
        set_flash(
            viewer.session,
            texts.gettext("Family corrected.") if changed else texts.gettext("Family unchanged."),
        )
    return redirect(f"/console/reports/{report_id}")
