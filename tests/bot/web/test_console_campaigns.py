"""Console campaign pages: the list, a campaign's page (audited, counted in the view quota, texts
shown safely) and confirming a whole campaign (CSRF, note, SMS to every reporter)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.db.models import AuditEntry, Campaign, Domain, ReportedNumber
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


def test_the_list_shows_a_sample_text_its_numbers_domains_dates_and_growth() -> None:
    parcel = _parcel_campaign()
    html = signed_in().get("/console/campaigns").text
    assert f'href="/console/campaigns/{parcel}"' in html
    row = html[html.index(f"Campagne n°\u00a0{parcel}") :]
    assert '<span class="family">Colis</span>' in row  # the family, in words
    assert "Votre colis est retenu au centre de tri" in row  # the newest text...
    assert "a[.]test" in row and "https://" not in row and "b.test" not in row  # ...defanged
    assert ">06 39 98 12 34</a>" in row and 'title="+33639981234"' in row  # its numbers
    assert 'href="/console/domains/b%5B.%5Dtest"' in row  # and domains
    assert '<td class="num">3</td>' in row  # size
    assert '<strong class="num">3</strong>' in row  # 3 reports in the last 24 h...
    assert "contre 0 les 24 h d’avant" in row and "+3" in row  # ...against none before
    assert '<svg class="spark"' in row and "<polyline points=" in row
    assert "trend-new" in row
    assert row.count("<time datetime=") == 2  # its first and last report


def test_the_list_leaves_out_one_off_texts_unless_asked() -> None:
    parcel = _parcel_campaign()
    single = _campaign(store_sms(A, AMELI.format(sender="38455", link="ameli.test")))
    client = signed_in()
    default = client.get("/console/campaigns").text
    assert f"Campagne n°\u00a0{parcel}<" in default and f"Campagne n°\u00a0{single}<" not in default
    assert 'href="/console/campaigns?sort=recent&amp;show=all"' in default
    every = client.get("/console/campaigns?show=all").text
    assert f"Campagne n°\u00a0{single}<" in every and f"Campagne n°\u00a0{parcel}<" in every


def test_the_list_is_audited_and_spends_the_view_quota(monkeypatch: pytest.MonkeyPatch) -> None:
    """A row shows a text, numbers and domains: each campaign listed counts as its page would."""
    monkeypatch.setenv("CONSOLE_VIEW_QUOTA_PER_HOUR", "1")
    _reset_caches()
    parcel = _parcel_campaign()
    client = signed_in()
    assert client.get("/console/campaigns").status_code == 200
    assert client.get(f"/console/campaigns/{parcel}").status_code == 200  # seen: free
    _campaign(store_sms(A, AMELI.format(sender="38455", link="ameli.test")))
    _campaign(store_sms(B, AMELI.format(sender="38455", link="ameli.test")))
    locked = client.get("/console/campaigns")  # a second campaign would pass the quota
    assert locked.status_code == 429 and "centre de tri" not in locked.text
    with session_scope() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert "view_campaigns" in actions and "views_locked" in actions


def test_the_list_sorts_by_recent_activity_or_size_and_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.web.console import campaign_pages

    big = _parcel_campaign()
    old = utcnow() - timedelta(days=3)
    small = _campaign(
        store_sms(A, AMELI.format(sender="38455", link="ameli.test"), received_at=old)
    )
    store_sms(B, AMELI.format(sender="38455", link="ameli.test"), received_at=old)
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


def _confirm(client: TestClient, campaign: int, **data: str | list[str]) -> object:
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
    page = _confirm(client, campaign, note="  ", numbers="all", csrf_token=token)
    assert "Confirmer une campagne demande une note" in page.text  # type: ignore[attr-defined]
    with session_scope() as session:
        assert set(session.scalars(select(ReportedNumber.status)).all()) == {"new"}


def test_confirming_a_campaign_confirms_its_numbers_and_tells_each_reporter_once(
    fake_twilio: FakeTwilioServer,
) -> None:
    campaign = _parcel_campaign()
    client = signed_in()
    token = csrf_of(client.get(f"/console/campaigns/{campaign}").text)
    page = _confirm(
        client, campaign, note="<b>parcel fee template</b>", numbers="all", csrf_token=token
    )
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
    _confirm(client, campaign, note="again", numbers="all", csrf_token=token)
    run_worker_until_idle()
    for reporter in (A, B, C):
        assert len(_confirmations(fake_twilio, reporter)) == 1, reporter


def test_a_number_judged_legitimate_keeps_its_verdict(fake_twilio: FakeTwilioServer) -> None:
    campaign = _parcel_campaign()
    set_status(number_id("+33712345678"), "legitimate", note="the real carrier's line")
    client = signed_in()
    token = csrf_of(client.get(f"/console/campaigns/{campaign}").text)
    confirmed = _confirm(client, campaign, note="parcel fee", numbers="all", csrf_token=token)
    html = confirmed.text  # type: ignore[attr-defined]
    assert "1 gardé comme légitime" in html
    run_worker_until_idle()
    assert _confirmations(fake_twilio, B) == []
    assert len(_confirmations(fake_twilio, A)) == 1


def test_the_form_offers_the_numbers_and_the_domains_official_sites_unticked() -> None:
    first = store_sms(A, PARCEL.format(sender="06 39 98 12 34", amount="1€", link="a.test"))
    store_sms(B, PARCEL.format(sender="07 12 34 56 78", amount="2€", link="https://ameli.fr/x"))
    html = signed_in().get(f"/console/campaigns/{_campaign(first)}").text
    form = html[html.index('class="status-form campaign-confirm"') :]
    form = form[: form.index("</form>")]
    assert '<input type="checkbox" name="numbers" value="all" checked> 2 numéros' in form
    assert '<input type="checkbox" name="domain" value="a[.]test" checked>' in form
    assert '<input type="checkbox" name="domain" value="ameli[.]fr">' in form  # unticked
    assert "site officiel\u00a0: à vérifier d’abord" in form
    assert '<button type="submit">Confirmer la sélection comme arnaques</button>' in form


def test_confirming_a_campaign_confirms_the_ticked_domains_too() -> None:
    campaign = _parcel_campaign()
    store_sms(A, "Rien a voir : votre colis est sur autre.test pour de vrai, merci")
    client = signed_in()
    token = csrf_of(client.get(f"/console/campaigns/{campaign}").text)
    page = _confirm(
        client,
        campaign,
        note="fake parcel fees",
        numbers="all",
        domain=["a[.]test", "b[.]test", "autre[.]test"],  # the last is not the campaign's
        csrf_token=token,
    )
    notice = page.text  # type: ignore[attr-defined]
    assert "2 numéros confirmés comme arnaques, 2 domaines confirmés comme arnaques" in notice
    with session_scope() as session:
        statuses = dict(session.execute(select(Domain.domain, Domain.status)).all())
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "confirm_campaign")
        ).one()
    assert statuses == {
        "a[.]test": "confirmed_scam",
        "b[.]test": "confirmed_scam",
        "autre[.]test": "new",
    }
    assert entry.detail["domains_confirmed"] == ["a[.]test", "b[.]test"]
    blocklist = client.get("/console/blocklist").text
    assert "a[.]test" in blocklist and "autre[.]test" not in blocklist


def test_domains_alone_can_be_confirmed_and_nobody_is_texted_for_them() -> None:
    campaign = _parcel_campaign()
    client = signed_in()
    token = csrf_of(client.get(f"/console/campaigns/{campaign}").text)
    page = _confirm(client, campaign, note="fake", domain=["a[.]test"], csrf_token=token)
    assert "1 domaine confirmé comme arnaque\u00a0; Aucun signalant" in page.text  # type: ignore[attr-defined]
    with session_scope() as session:
        assert set(session.scalars(select(ReportedNumber.status)).all()) == {"new"}
    nothing = _confirm(client, campaign, note="fake", csrf_token=token)
    assert "Rien à confirmer" in nothing.text  # type: ignore[attr-defined]


def test_with_nothing_to_confirm_the_button_is_disabled() -> None:
    """A campaign whose texts were forwarded without their sender and carry no link."""
    text = (
        "Votre colis est retenu au centre de tri, des frais de {} sont a regler sous 48h "
        "sinon retour a l'expediteur, repondez vite merci"
    )
    first = store_sms(A, text.format("1€"))
    store_sms(B, text.format("2€"))
    campaign = _campaign(first)
    with session_scope() as session:
        assert session.scalars(select(ReportedNumber)).all() == []
    html = signed_in().get(f"/console/campaigns/{campaign}").text
    assert '<button type="submit" disabled>' in html
    assert "Confirm 0" not in html and "Confirmer 0" not in html
    assert "Plus rien à confirmer" in html
