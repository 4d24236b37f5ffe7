"""Campaigns in the console: the list (size, dates, family, trend, counts) and a campaign's page
(its numbers, domains, sample texts and trend), from which an analyst confirms it at once.

The list shows no text, number or domain, only counts: it is not a way around the view quota.
A campaign's page shows reports' texts, so it is audited and counted like a number page.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from bot.db.models import Campaign
from bot.db.session import session_scope
from bot.domain.safe_text import safe_text
from bot.services import number_status
from bot.services.audit import record_audit
from bot.services.campaign_queries import (
    CampaignCounts,
    Sort,
    Trend,
    campaign_counts,
    campaign_domains,
    campaign_numbers,
    campaign_trend,
    campaign_trends,
    list_campaigns,
)
from bot.services.campaigns import confirm_campaign
from bot.services.number_views import campaign_per_day, campaign_reports
from bot.services.view_quota import record_view
from bot.web.console.charts import Sparkline, bar_chart, sparkline
from bot.web.console.deps import Viewer, client_ip, csrf_viewer, current_viewer
from bot.web.console.i18n import texts_for
from bot.web.console.pages import base_context, locked_page
from bot.web.console.rendering import redirect, render
from bot.web.console.sessions import pop_flash, pop_notice, set_flash, set_notice
from bot.web.params import DbId

router = APIRouter(prefix="/console")

PAGE_SIZE = 30
SHOWN = 100  # numbers and domains listed on a campaign's page
SAMPLES = 20  # newest reports shown as sample texts


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    trend: Trend
    spark: Sparkline
    counts: CampaignCounts


@router.get("/campaigns", response_class=HTMLResponse)
def campaigns_page(
    request: Request,
    sort: str = "recent",
    page: int = Query(1, ge=1, le=10_000),
    viewer: Viewer = Depends(current_viewer),
) -> Response:
    chosen: Sort = "size" if sort == "size" else "recent"
    with session_scope() as db:
        found = list_campaigns(db, sort=chosen, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        has_next = len(found) > PAGE_SIZE
        found = found[:PAGE_SIZE]
        trends = campaign_trends(db, found)
        counts = campaign_counts(db, [c.id for c in found])
        rows = [
            CampaignRow(c, trends[c.id], sparkline(trends[c.id].daily), counts[c.id]) for c in found
        ]
        context = base_context(db, viewer) | {
            "rows": rows,
            "sort": chosen,
            "page": page,
            "has_next": has_next,
        }
    return render(request, "console/campaigns.html", context)


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(
    request: Request, campaign_id: DbId, viewer: Viewer = Depends(current_viewer)
) -> Response:
    with session_scope() as db:
        campaign = db.get(Campaign, campaign_id)
        if campaign is None:
            raise HTTPException(404, "no such campaign")
        reports = campaign_reports(db, campaign.id, limit=SAMPLES)
        allowed = record_view(
            db,
            viewer.user(db),
            "view_campaign",
            "campaign",
            str(campaign.id),
            client_ip(request),
            [r.report.id for r in reports],
        )
        if not allowed:
            return locked_page(request, db, viewer)
        trend = campaign_trend(db, campaign)
        context = base_context(db, viewer) | {
            "c": campaign,
            "counts": campaign_counts(db, [campaign.id])[campaign.id],
            "numbers": campaign_numbers(db, campaign.id, limit=SHOWN),
            "domains": campaign_domains(db, campaign.id, limit=SHOWN),
            "reports": reports,
            "safe": safe_text,
            "trend": trend,
            "weekly": sparkline(trend.daily, width=160, height=32),
            "timeline": bar_chart(campaign_per_day(db, campaign.id), height=110, fmt="%d/%m"),
            "error": pop_flash(viewer.session),
            "notice": pop_notice(viewer.session),
        }
    return render(request, "console/campaign.html", context)


@router.post("/campaigns/{campaign_id}/confirm")
def confirm_whole_campaign(
    request: Request,
    campaign_id: DbId,
    note: str = Form("", max_length=number_status.NOTE_MAX),
    viewer: Viewer = Depends(csrf_viewer),
) -> Response:
    """Confirm every number of the campaign as a scam; their reporters hear so after commit."""
    page = f"/console/campaigns/{campaign_id}"
    texts = texts_for(request)
    with session_scope() as db:
        if db.get(Campaign, campaign_id) is None:
            raise HTTPException(404, "no such campaign")
        if not note.strip():
            set_flash(
                viewer.session, texts.gettext("Confirming a campaign needs a note saying why.")
            )
            return redirect(page)
        outcome = confirm_campaign(db, campaign_id, viewer.email, note.strip())
        record_audit(
            db,
            viewer.email,
            "confirm_campaign",
            target_type="campaign",
            target_id=str(campaign_id),
            ip=client_ip(request),
            detail={
                "confirmed": outcome.confirmed,
                "already": outcome.already,
                "kept_legitimate": outcome.kept_legitimate,
                "replies": len(outcome.reply_ids),
            },
        )
    # Only once the commit is done: a worker must find the replies it is handed.
    number_status.enqueue_replies(outcome.reply_ids)
    parts = [
        texts.ngettext(
            "%(num)d number confirmed as a scam",
            "%(num)d numbers confirmed as scams",
            len(outcome.confirmed),
        )
    ]
    if outcome.already:
        parts.append(
            texts.ngettext(
                "%(num)d already confirmed", "%(num)d already confirmed", len(outcome.already)
            )
        )
    if outcome.kept_legitimate:
        parts.append(
            texts.ngettext(
                "%(num)d kept as legitimate (judged on its own page)",
                "%(num)d kept as legitimate (judged on their own page)",
                len(outcome.kept_legitimate),
            )
        )
    told = texts.ngettext(
        "%(num)d reporter will be told by SMS.",
        "%(num)d reporters will be told by SMS.",
        len(outcome.reply_ids),
    )
    set_notice(
        viewer.session, texts.gettext("%(done)s; %(told)s", done=", ".join(parts), told=told)
    )
    return redirect(page)
