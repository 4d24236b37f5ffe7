"""Campaigns in the console: the list and a campaign's page, from which an analyst confirms it.

The list shows campaigns of at least two reports by default (a one-off text is a "campaign" of
one), each with a sample text (its newest, escaped, defanged, cut short), its main numbers and
domains, its first and last report and its growth. Since a row shows a text, numbers and
domains, the list is audited and each campaign it shows counts once in the view quota, as its
own page would (seeing it again within the hour, on the list or its page, is free).
A campaign's page shows its numbers, domains, sample texts and trend.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from bot.db.models import Campaign
from bot.db.session import session_scope
from bot.domain.safe_text import excerpt, safe_text
from bot.services import number_status
from bot.services.audit import record_audit
from bot.services.campaign_queries import (
    MIN_SIZE,
    CampaignCounts,
    Growth,
    Indicators,
    Sort,
    Trend,
    campaign_counts,
    campaign_domains,
    campaign_growth,
    campaign_number_statuses,
    campaign_numbers,
    campaign_trend,
    campaign_trends,
    list_campaigns,
    newest_reports,
    top_indicators,
)
from bot.services.campaigns import confirm_campaign
from bot.services.closing_loop import reporters_told
from bot.services.number_views import campaign_per_day, campaign_reports
from bot.services.view_quota import record_view
from bot.web.console.charts import Sparkline, bar_chart, sparkline
from bot.web.console.deps import Viewer, client_ip, csrf_viewer, current_viewer
from bot.web.console.i18n import texts_for
from bot.web.console.pages import base_context, locked_page
from bot.web.console.rendering import redirect, render
from bot.web.console.sessions import pop_flash, pop_notice, set_flash, set_notice
from bot.web.console.verdicts import JUDGED, campaign_notice, offered_domains
from bot.web.params import DbId

router = APIRouter(prefix="/console")

PAGE_SIZE = 20
TOP_INDICATORS = 3  # numbers and domains named on a row of the list
SHOWN = 100  # numbers and domains listed on a campaign's page
SAMPLES = 20  # newest reports shown as sample texts


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    trend: Trend
    spark: Sparkline
    counts: CampaignCounts
    growth: Growth
    sample: str  # the newest text, safe and short
    indicators: Indicators


@router.get("/campaigns", response_class=HTMLResponse)
def campaigns_page(
    request: Request,
    sort: str = "recent",
    show: str = "",
    page: int = Query(1, ge=1, le=10_000),
    viewer: Viewer = Depends(current_viewer),
) -> Response:
    chosen: Sort = "size" if sort == "size" else "recent"
    show_all = show == "all"
    with session_scope() as db:
        found = list_campaigns(
            db,
            sort=chosen,
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
            min_size=1 if show_all else MIN_SIZE,
        )
        has_next = len(found) > PAGE_SIZE
        found = found[:PAGE_SIZE]
        ids = [c.id for c in found]
        samples = newest_reports(db, ids)
        allowed = record_view(
            db,
            viewer.user(db),
            "view_campaigns",
            "campaigns",
            f"{chosen}:{'all' if show_all else MIN_SIZE}:{page}",
            client_ip(request),
            [r.id for r in samples.values()],
            exposes={("campaign", str(cid)) for cid in ids},
        )
        if not allowed:
            return locked_page(request, db, viewer)
        trends = campaign_trends(db, found)
        counts = campaign_counts(db, ids)
        growth = campaign_growth(db, ids)
        indicators = top_indicators(db, ids, top=TOP_INDICATORS)
        rows = [
            CampaignRow(
                c,
                trends[c.id],
                sparkline(trends[c.id].daily),
                counts[c.id],
                growth[c.id],
                excerpt(samples[c.id].body if c.id in samples else None),
                indicators[c.id],
            )
            for c in found
        ]
        context = base_context(db, viewer) | {
            "rows": rows,
            "sort": chosen,
            "show_all": show_all,
            "min_size": MIN_SIZE,
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
        statuses = campaign_number_statuses(db, campaign.id)
        domains = offered_domains(campaign_domains(db, campaign.id, limit=SHOWN))
        context = base_context(db, viewer) | {
            "c": campaign,
            "counts": campaign_counts(db, [campaign.id])[campaign.id],
            "numbers": campaign_numbers(db, campaign.id, limit=SHOWN),
            "domains": domains,
            "confirmable_numbers": sum(n for status, n in statuses.items() if status not in JUDGED),
            "number_statuses": statuses,
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
    numbers: str = Form("", max_length=8),
    domain: list[str] = Form(default=[]),
    viewer: Viewer = Depends(csrf_viewer),
) -> Response:
    """Confirm the campaign's numbers (`numbers=all`) and the domains ticked among its own;
    the numbers' reporters hear so after commit."""
    page = f"/console/campaigns/{campaign_id}"
    texts = texts_for(request)
    with_numbers = numbers == "all"
    chosen = [d[:253] for d in domain[:SHOWN]]
    with session_scope() as db:
        if db.get(Campaign, campaign_id) is None:
            raise HTTPException(404, "no such campaign")
        if not note.strip():
            set_flash(
                viewer.session, texts.gettext("Confirming a campaign needs a note saying why.")
            )
            return redirect(page)
        if not with_numbers and not chosen:
            set_flash(
                viewer.session,
                texts.gettext("Nothing to confirm: tick the numbers or at least one domain."),
            )
            return redirect(page)
        outcome = confirm_campaign(
            db, campaign_id, viewer.email, note.strip(), numbers=with_numbers, domains=chosen
        )
        reporters = reporters_told(db, outcome.reply_ids)
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
                "domains_confirmed": outcome.domains.confirmed,
                "domains_already": outcome.domains.already,
                "domains_kept_legitimate": outcome.domains.kept_legitimate,
            },
        )
    # Only once the commit is done: a worker must find the replies it is handed.
    number_status.enqueue_replies(outcome.reply_ids)
    set_notice(viewer.session, campaign_notice(texts, outcome, with_numbers, reporters))
    return redirect(page)
