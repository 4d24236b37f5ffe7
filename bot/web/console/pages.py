"""The analysts' pages: overview, numbers list (and its audited export), number page with the
status workflow, domain page. Every view of reports goes through the view quota first."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import ConsoleAlert, ReportedNumber
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.domain.classifier import FAMILIES
from bot.domain.numbers import NumberType, canonical_lookup
from bot.domain.safe_text import safe_text
from bot.services import number_status, overview
from bot.services.audit import record_audit
from bot.services.closing_loop import reporters_told
from bot.services.domains import (
    confirm_domains,
    domain_history,
    find_domain,
    number_domain_records,
    number_domains,
)
from bot.services.number_views import (
    PERIODS,
    SORTS,
    NumberFilters,
    canonical_domain,
    domain_reports,
    list_numbers,
    number_detail,
)
from bot.services.view_quota import record_view
from bot.settings import get_settings
from bot.web.console.charts import bar_chart
from bot.web.console.deps import Viewer, client_ip, csrf_viewer, current_viewer
from bot.web.console.i18n import Texts, texts_for
from bot.web.console.labels import STATUSES, label
from bot.web.console.rendering import redirect, render, secure
from bot.web.console.sessions import pop_flash, pop_notice, set_flash, set_notice
from bot.web.console.verdicts import domains_notice, offered_domains, status_notice

router = APIRouter(prefix="/console")

DOMAINS_SHOWN = 50  # domains a number's page offers to confirm


def base_context(db: Session, viewer: Viewer) -> dict[str, Any]:
    """What the layout needs: the user, their CSRF token, the admins' open alerts."""
    alerts = 0
    if viewer.is_admin:
        alerts = int(
            db.scalar(
                select(func.count())
                .select_from(ConsoleAlert)
                .where(ConsoleAlert.resolved_at.is_(None))
            )
            or 0
        )
    return {"viewer": viewer, "csrf": viewer.session.csrf, "alerts": alerts}


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, viewer: Viewer = Depends(current_viewer)) -> Response:
    now = utcnow()
    day, week = now - timedelta(days=1), now - timedelta(days=7)
    with session_scope() as db:
        context = base_context(db, viewer) | {
            "per_hour": bar_chart(overview.reports_per_hour(db, days=7, now=now)),
            "top_numbers_24h": overview.top_numbers(db, day),
            "top_numbers_7d": overview.top_numbers(db, week),
            "top_domains_24h": overview.top_domains(db, day),
            "top_domains_7d": overview.top_domains(db, week),
            "risers": overview.rising_numbers(db, now=now),
            "families": overview.family_shares(db, week),
            "statuses": overview.status_counts(db),
        }
    return render(request, "console/overview.html", context)


def _filters(
    status: str, family: str, channel: str, number_type: str, period: str, sort: str, page: int
) -> NumberFilters:
    # Unknown values are dropped, not trusted: they end up in links and the audit log.
    return NumberFilters(
        status=status if status in number_status.STATUSES else "",
        family=family if family in FAMILIES else "",
        channel=channel if channel in ("sms", "call") else "",
        number_type=number_type if number_type in {t.value for t in NumberType} else "",
        period=period if period in PERIODS else "",
        sort=sort if sort in SORTS else "reporters",
        page=page,
    )


@router.get("/numbers", response_class=HTMLResponse)
def numbers_page(
    request: Request,
    status: str = "",
    family: str = "",
    channel: str = "",
    number_type: str = "",
    period: str = "",
    sort: str = "reporters",
    page: int = Query(1, ge=1, le=10_000),
    viewer: Viewer = Depends(current_viewer),
) -> Response:
    filters = _filters(status, family, channel, number_type, period, sort, page)
    with session_scope() as db:
        result = list_numbers(db, filters)
        context = base_context(db, viewer) | {
            "result": result,
            "filters": filters,
            "statuses": number_status.STATUSES,
            "families": FAMILIES,
            "number_types": [t.value for t in NumberType],
            "periods": list(PERIODS),
            "sorts": list(SORTS),
        }
    return render(request, "console/numbers.html", context)


def _csv_cell(value: object) -> str:
    """Cells a spreadsheet would run as a formula are prefixed with a quote."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "@", "-", "\t", "\r") or (text[:1] == "+" and not text[1:].isdigit()):
        return "'" + text
    return text


@router.get("/numbers.csv")
def numbers_export(
    request: Request,
    status: str = "",
    family: str = "",
    channel: str = "",
    number_type: str = "",
    period: str = "",
    sort: str = "reporters",
    viewer: Viewer = Depends(current_viewer),
) -> Response:
    """The filtered list as CSV, capped and audited: an export is a bulk view."""
    filters = _filters(status, family, channel, number_type, period, sort, 1)
    limit = get_settings().console_export_max_rows
    with session_scope() as db:
        result = list_numbers(db, filters, page_size=limit)
        record_audit(
            db,
            viewer.email,
            "export_numbers",
            target_type="numbers",
            ip=client_ip(request),
            detail={"filters": filters.as_query(), "rows": len(result.rows)},
        )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "number",
                "number_type",
                "status",
                "reports",
                "reporters",
                "first_reported_at",
                "last_reported_at",
                "top_family",
            ]
        )
        for row in result.rows:
            n = row.number
            writer.writerow(
                [
                    _csv_cell(v)
                    for v in (
                        n.number,
                        n.number_type,
                        n.status,
                        n.report_count,
                        n.reporter_count,
                        n.first_reported_at.isoformat(),
                        n.last_reported_at.isoformat(),
                        row.top_family,
                    )
                ]
            )
    response = Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="numbers.csv"'},
    )
    return secure(response)


def _find_number(db: Session, raw: str) -> ReportedNumber:
    """The reported number in any spelling (as stored, or canonical), else a 404."""
    raw = raw[:64]
    for key in dict.fromkeys([raw, canonical_lookup(raw)]):
        if key:
            record = db.scalars(
                select(ReportedNumber).where(ReportedNumber.number == key)
            ).one_or_none()
            if record is not None:
                return record
    raise HTTPException(404, "this number was never reported")


def locked_page(request: Request, db: Session, viewer: Viewer) -> Response:
    context = base_context(db, viewer)
    return render(request, "console/locked.html", context, status_code=429)


@router.get("/numbers/{number}", response_class=HTMLResponse)
def number_page(
    request: Request, number: str, viewer: Viewer = Depends(current_viewer)
) -> Response:
    with session_scope() as db:
        record = _find_number(db, number)
        detail = number_detail(db, record)
        allowed = record_view(
            db,
            viewer.user(db),
            "view_number",
            "number",
            record.number,
            client_ip(request),
            [r.report.id for r in detail.reports],
        )
        if not allowed:
            return locked_page(request, db, viewer)
        context = base_context(db, viewer) | {
            "n": record,
            "detail": detail,
            "timeline": bar_chart(detail.per_day, height=110, fmt="%d/%m"),
            "safe": safe_text,
            "history": number_status.history(db, record.id),
            "next_statuses": number_status.allowed_next(record.status),
            "domains": offered_domains(number_domains(db, record.id, limit=DOMAINS_SHOWN)),
            "verdicts": number_status.VERDICTS,
            "error": pop_flash(viewer.session),
            "notice": pop_notice(viewer.session),
        }
    return render(request, "console/number.html", context)


@router.post("/numbers/{number}/status")
def change_status(
    request: Request,
    number: str,
    status: str = Form(..., max_length=20),
    note: str = Form("", max_length=number_status.NOTE_MAX),
    viewer: Viewer = Depends(csrf_viewer),
) -> Response:
    texts = texts_for(request)
    with session_scope() as db:
        record = _find_number(db, number)
        if status == record.status:  # the form offers the current status, selected
            set_notice(viewer.session, texts.gettext("Status unchanged."))
            return redirect(f"/console/numbers/{_q(record.number)}")
        try:
            change = number_status.set_number_status(db, record, status, viewer.email, note)
        except number_status.StatusError as exc:
            db.rollback()
            set_flash(viewer.session, status_error(texts, exc))
            return redirect(f"/console/numbers/{_q(record.number)}")
        reporters = reporters_told(db, change.reply_ids)
        record_audit(
            db,
            viewer.email,
            "set_status",
            target_type="number",
            target_id=record.number,
            ip=client_ip(request),
            detail={"from": change.from_status, "to": change.to_status},
        )
        target = record.number
    number_status.enqueue_replies(change.reply_ids)
    set_notice(viewer.session, status_notice(texts, change, reporters))
    return redirect(f"/console/numbers/{_q(target)}")


@router.post("/numbers/{number}/domains")
def confirm_number_domains(
    request: Request,
    number: str,
    note: str = Form("", max_length=number_status.NOTE_MAX),
    domain: list[str] = Form(default=[]),
    viewer: Viewer = Depends(csrf_viewer),
) -> Response:
    """Confirm as scams the domains ticked among those this number's reports name."""
    texts = texts_for(request)
    with session_scope() as db:
        record = _find_number(db, number)
        page = f"/console/numbers/{_q(record.number)}"
        chosen = number_domain_records(db, record.id, [d[:253] for d in domain[:DOMAINS_SHOWN]])
        if not note.strip() or not chosen:
            set_flash(
                viewer.session,
                texts.gettext("Tick at least one domain and write a note saying why."),
            )
            return redirect(page)
        before = {d.domain: d.status for d in chosen}
        outcome = confirm_domains(db, chosen, viewer.email, note.strip()[: number_status.NOTE_MAX])
        for value in outcome.confirmed:
            record_audit(
                db,
                viewer.email,
                "set_domain_status",
                target_type="domain",
                target_id=value,
                ip=client_ip(request),
                detail={"from": before[value], "to": "confirmed_scam", "via": record.number},
            )
    set_notice(viewer.session, domains_notice(texts, outcome))
    return redirect(page)


def status_error(texts: Texts, error: number_status.StatusError) -> str:
    """The workflow's refusal in the analyst's words, its statuses as labels."""
    named = {k: label(texts, STATUSES, str(v)) for k, v in error.params.items() if v in STATUSES}
    return texts.error(error, **named)


def _q(value: str) -> str:
    return quote(value, safe="+")


@router.get("/domains/{domain}", response_class=HTMLResponse)
def domain_page(
    request: Request, domain: str, viewer: Viewer = Depends(current_viewer)
) -> Response:
    wanted = canonical_domain(domain[:253])
    with session_scope() as db:
        reports = domain_reports(db, wanted)
        allowed = record_view(
            db,
            viewer.user(db),
            "view_domain",
            "domain",
            wanted,
            client_ip(request),
            [r.report.id for r in reports],
        )
        if not allowed:
            return locked_page(request, db, viewer)
        record = find_domain(db, wanted)
        context = base_context(db, viewer) | {
            "domain": wanted,
            "record": record,
            "reports": reports,
            "safe": safe_text,
            "history": domain_history(db, record.id) if record else [],
            "verdicts": number_status.VERDICTS,
            "error": pop_flash(viewer.session),
            "notice": pop_notice(viewer.session),
        }
    return render(request, "console/domain.html", context)
