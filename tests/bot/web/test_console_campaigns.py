"""Console campaign pages: the list, a campaign's page (audited, counted in the view quota, texts
shown safely) and confirming a whole campaign (CSRF, note, SMS to every reporter)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.db.models import AuditEntry, Campaign, ReportedNumber
from bot.db.session import session_scope
from bot.db.types import utcnow
from tests.conftest import _reset_caches
from tests.console_fixtures import HOSTILE, csrf_of, signed_in
from tests.factories import number_id, report, set_status, store_sms
from tests.fakes.twilio_api import FakeTwilioServer
from tests.helpers import run_worker_until_idle

PARCEL = (
    "De {sender} : Votre colis est retenu au centre de tri, des frais de {amount} sont a regler "
    "sur {link} sous 48h sinon retour a l'expediteur."
)
AMELI = (
    "recu du {sender} : Ameli : votre carte vitale arrive a expiration. Renouvelez-la sur {link} "
    "pour eviter une suspension de vos droits."
)
A, B, C = "+33611111111", "+33622222222", "+33633333333"


def _campaign(report_id: int | None) -> int:
    assert report_id is not None
    campaign_id = report(report_id).campaign_id
    assert campaign_id is not None
    return campaign_id


def _parcel_campaign() -> int:
    """Three reporters, two numbers, two domains: one template."""
    first = store_sms(A, PARCEL.format(sender="06 39 98 12 34", amount="1€", link="a.test"))
    store_sms(B, PARCEL.format(sender="07 12 34 56 78", amount="2 EUR", link="https://b.test/x"))
    store_sms(C, PARCEL.format(sender="06 39 98 12 34", amount="3€", link="a.test"))
    return _campaign(first)


def _confirmations(fake: FakeTwilioServer, to: str) -> list[str]:
    return [b for b in fake.state.bodies_to(to) if "arnaque confirmée" in b]


def test_the_list_shows_size_dates_family_counts_and_a_sparkline() -> None:
    parcel = _parcel_campaign()
    html = signed_in().get("/console/campaigns").text
    assert f'href="/console/campaigns/{parcel}"' in html
    row = html[html.index(f"Campagne n°\u00a0{parcel}") :]
    assert "<td>Colis</td>" in row  # the family, in words
    assert '<td class="num">3</td>' in row  # size
    assert '<td class="num">2</td>' in row  # two numbers, two domains
    assert '<svg class="spark"' in row and "<polyline points=" in row
    assert "trend-new" in row
    assert "+33639981234" not in html and "a[.]test" not in html  # counts only, no data


def test_the_list_sorts_by_recent_activity_or_size_and_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.web.console import campaign_pages

    big = _parcel_campaign()
    old = utcnow() - timedelta(days=3)
    small = _campaign(
        store_sms(A, AMELI.format(sender="38455", link="ameli.test"), received_at=old)
    )
    with session_scope() as session:  # make the small one the most recently active
        campaign = session.get(Campaign, small)
        assert campaign is not None
        campaign.last_seen_at = utcnow() + timedelta(minutes=1)
    client = signed_in()
    recent = client.get("/console/campaigns").text
    assert recent.index(f"Campagne n°\u00a0{small}<") < recent.index(f"Campagne n°\u00a0{big}<")
    by_size = client.get("/console/campaigns?sort=size").text
    assert by_size.index(f"Campagne n°\u00a0{big}<") < by_size.index(f"Campagne n°\u00a0{small}<")

    monkeypatch.setattr(campaign_pages, "PAGE_SIZE", 1)
    first = client.get("/console/campaigns?sort=size").text
    assert f"Campagne n°\u00a0{big}<" in first and f"Campagne n°\u00a0{small}<" not in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/console/campaigns?sort=size&page=2").text
    assert f"Campagne n°\u00a0{small}<" in second and 'rel="prev"' in second
    assert 'rel="next"' not in second


def test_a_campaign_page_links_its_numbers_and_domains_and_is_audited() -> None:
    campaign = _parcel_campaign()
    client = signed_in()
    page = client.get(f"/console/campaigns/{campaign}")
    assert page.status_code == 200
    html = page.text
    assert 'href="/console/numbers/+33639981234"' in html
    assert 'href="/console/numbers/+33712345678"' in html
    assert 'href="/console/domains/a%5B.%5Dtest"' in html
    assert 'href="/console/domains/b%5B.%5Dtest"' in html
    assert "centre de tri" in html and 'class="pseudonym">R-' in html
    assert "611111111" not in html  # reporters only as pseudonyms
    assert "Signalements par jour, 30 derniers jours" in html and '<svg class="spark"' in html
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert client.get("/console/campaigns/999").status_code == 404
    with session_scope() as session:
        view = session.scalars(select(AuditEntry).where(AuditEntry.action == "view_campaign")).one()
    assert (view.actor, view.target_type, view.target_id) == (
        "ana@example.org",
        "campaign",
        str(campaign),
    )
    assert len(view.detail["reports"]) == 3


def test_hostile_texts_stay_escaped_and_unclickable_on_a_campaign_page() -> None:
    campaign = _campaign(store_sms(A, "De 06 39 98 12 34 : " + HOSTILE))
    html = signed_in().get(f"/console/campaigns/{campaign}").text
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html.lower() and "javascript[:]alert(1)" in html
    assert "https://colis-frais.test" not in html and "hxxps://colis-frais[.]test/pay" in html
    assert 'href="http' not in html and 'href="hxxp' not in html
    assert "\u202e" not in html and "⟨U+202E⟩" in html
    assert '<details class="text">' in html


def test_campaign_pages_spend_the_view_quota(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSOLE_VIEW_QUOTA_PER_HOUR", "1")
    _reset_caches()
    first = _parcel_campaign()
    second = _campaign(store_sms(A, AMELI.format(sender="38455", link="ameli.test")))
    client = signed_in()
    assert client.get(f"/console/campaigns/{first}").status_code == 200
    assert client.get(f"/console/campaigns/{first}").status_code == 200  # same one: free
    locked = client.get(f"/console/campaigns/{second}")
    assert locked.status_code == 429 and "Consultations bloquées" in locked.text
    assert "recu du" not in locked.text
    assert client.get(f"/console/campaigns/{first}").status_code == 429


def _confirm(client: TestClient, campaign: int, **data: str) -> object:
    return client.post(f"/console/campaigns/{campaign}/confirm", data=data)


def test_confirming_a_campaign_refuses_a_missing_or_wrong_csrf_token() -> None:
    campaign = _parcel_campaign()
    client = signed_in()
    client.get(f"/console/campaigns/{campaign}")
    assert _confirm(client, campaign, note="scam").status_code == 403  # type: ignore[attr-defined]
    wrong = _confirm(client, campaign, note="scam", csrf_token="forged")
    assert wrong.status_code == 403  # type: ignore[attr-defined]
    with session_scope() as session:
        assert set(session.scalars(select(ReportedNumber.status)).all()) == {"new"}
        assert "confirm_campaign" not in session.scalars(select(AuditEntry.action)).all()


def test_confirming_a_campaign_needs_a_note() -> None:
    campaign = _parcel_campaign()
    client = signed_in()
    token = csrf_of(client.get(f"/console/campaigns/{campaign}").text)
    page = _confirm(client, campaign, note="  ", csrf_token=token)
    assert "Confirmer une campagne demande une note" in page.text  # type: ignore[attr-defined]
    with session_scope() as session:
        assert set(session.scalars(select(ReportedNumber.status)).all()) == {"new"}


def test_confirming_a_campaign_confirms_its_numbers_and_tells_each_reporter_once(
    fake_twilio: FakeTwilioServer,
) -> None:
    campaign = _parcel_campaign()
    client = signed_in()
    token = csrf_of(client.get(f"/console/campaigns/{campaign}").text)
    page = _confirm(client, campaign, note="<b>parcel fee template</b>", csrf_token=token)
    assert page.status_code == 200  # type: ignore[attr-defined]
    html = page.text  # type: ignore[attr-defined]
    assert "2 numéros confirmés comme arnaques\u00a0; 3 signalants seront prévenus par SMS." in html
    with session_scope() as session:
        numbers = session.scalars(select(ReportedNumber)).all()
        assert {(n.number, n.status) for n in numbers} == {
            ("+33639981234", "confirmed_scam"),
            ("+33712345678", "confirmed_scam"),
        }
        assert {n.status_reason for n in numbers} == {"<b>parcel fee template</b>"}
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "confirm_campaign")
        ).one()
    assert (entry.actor, entry.target_id, entry.detail["replies"]) == (
        "ana@example.org",
        str(campaign),
        3,
    )
    run_worker_until_idle()  # the confirmations were enqueued after commit
    for reporter in (A, B, C):
        assert len(_confirmations(fake_twilio, reporter)) == 1, reporter
    # Confirming again tells nobody twice.
    _confirm(client, campaign, note="again", csrf_token=token)
    run_worker_until_idle()
    for reporter in (A, B, C):
        assert len(_confirmations(fake_twilio, reporter)) == 1, reporter


def test_a_number_judged_legitimate_keeps_its_verdict(fake_twilio: FakeTwilioServer) -> None:
    campaign = _parcel_campaign()
    set_status(number_id("+33712345678"), "legitimate", note="the real carrier's line")
    client = signed_in()
    token = csrf_of(client.get(f"/console/campaigns/{campaign}").text)
    html = _confirm(client, campaign, note="parcel fee", csrf_token=token).text  # type: ignore[attr-defined]
    assert "1 gardé comme légitime" in html
    run_worker_until_idle()
    assert _confirmations(fake_twilio, B) == []
    assert len(_confirmations(fake_twilio, A)) == 1
