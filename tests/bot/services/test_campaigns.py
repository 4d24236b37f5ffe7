"""Campaigns: grouped as reports are processed, listed with numbers, domains and trend, and
confirmed at once."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import (
    Campaign,
    CampaignSimhashBand,
    Domain,
    NumberStatusChange,
    Reply,
    Report,
    ReportedNumber,
)
from bot.db.session import session_scope
from bot.db.types import utcnow
from bot.services.campaign_queries import (
    MIN_SIZE,
    Growth,
    campaign_counts,
    campaign_domains,
    campaign_growth,
    campaign_numbers,
    campaign_trend,
    campaign_trends,
    list_campaigns,
    newest_reports,
    top_indicators,
)
from bot.services.campaigns import confirm_campaign
from bot.services.domains import set_domain_status
from bot.services.intake import Inbound, record_inbound_events
from tests.factories import number_id, report, set_status, store_sms
from workers import jobs

pytestmark = pytest.mark.storage

PARCEL = (
    "De {sender} : Votre colis est retenu au centre de tri, des frais de {amount} sont a regler "
    "sur {link} sous 48h sinon retour a l'expediteur."
)
AMELI = (
    "recu du {sender} : Ameli : votre carte vitale arrive a expiration. Renouvelez-la sur {link} "
    "pour eviter une suspension de vos droits."
)


def parcel(sender: str, amount: str, link: str) -> str:
    return PARCEL.format(sender=sender, amount=amount, link=link)


def _campaign_of(report_id: int | None) -> int:
    assert report_id is not None
    campaign_id = report(report_id).campaign_id
    assert campaign_id is not None
    return campaign_id


def test_one_template_with_other_links_numbers_and_amounts_is_one_campaign() -> None:
    ids = [
        store_sms("+33600000001", parcel("06 39 98 12 34", "1,99€", "https://colis-frais.test/a")),
        store_sms(
            "+33600000002", parcel("07 12 34 56 78", "2,50 EUR", "hxxps://livr-colis[.]test/b")
        ),
        store_sms(
            "+33600000003",
            "je viens de recevoir ça : " + parcel("38455", "3€", "www.colis-poste.test/x?id=4"),
        ),
    ]
    campaigns = {_campaign_of(i) for i in ids}
    assert len(campaigns) == 1
    with session_scope() as session:
        campaign = session.get(Campaign, campaigns.pop())
        assert campaign is not None and campaign.size == 3
        numbers = {n.number for n, _ in campaign_numbers(session, campaign.id)}
        assert numbers == {"+33639981234", "+33712345678", "38455"}
        domains = {d.domain for d, _ in campaign_domains(session, campaign.id)}
        assert domains == {"colis-frais[.]test", "livr-colis[.]test", "colis-poste[.]test"}


def test_unrelated_texts_are_different_campaigns() -> None:
    a = store_sms("+33600000001", parcel("06 39 98 12 34", "1,99€", "https://colis-frais.test/a"))
    b = store_sms("+33600000002", AMELI.format(sender="38455", link="https://ameli-carte.test"))
    c = store_sms(
        "+33600000003",
        "De 0639981234 : Bonjour, votre compte CPF dispose de 500 euros de droits a former "
        "qui expirent bientot. Activez-les ici https://cpf.test",
    )
    assert len({_campaign_of(a), _campaign_of(b), _campaign_of(c)}) == 3


def test_call_reports_and_bare_numbers_get_no_campaign() -> None:
    call = store_sms("+33600000001", "appel 06 39 98 12 34")
    assert call is not None and report(call).campaign_id is None
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_identical_fingerprints_are_indexed_once() -> None:
    for i in range(5):
        store_sms(f"+3360000000{i}", parcel("06 39 98 12 34", f"{i},99€", f"https://c{i}.test"))
    with session_scope() as session:
        rows = session.scalar(select(func.count()).select_from(CampaignSimhashBand))
        assert rows == 4  # one fingerprint, four bands, however many copies


def test_trend_compares_the_last_week_with_before() -> None:
    now = utcnow()
    old = [now - timedelta(days=30 - i) for i in range(2)]
    recent = [now - timedelta(days=1, hours=i) for i in range(6)]
    ids = [
        store_sms(f"+336000001{i:02d}", parcel("06 39 98 12 34", "1€", "https://a.test"), at)
        for i, at in enumerate(old + recent)
    ]
    with session_scope() as session:
        campaign = session.get(Campaign, _campaign_of(ids[0]))
        assert campaign is not None
        trend = campaign_trend(session, campaign, now)
        assert trend.last_7d == 6 and trend.before == 2
        assert sum(trend.daily) == 6 and trend.daily[-2] + trend.daily[-1] == 6
        assert trend.direction == "rising"


def test_trends_and_counts_for_a_page_agree_with_one_by_one() -> None:
    now = utcnow()
    old = [now - timedelta(days=30 - i) for i in range(2)]
    recent = [now - timedelta(days=1, hours=i) for i in range(4)]
    first = store_sms("+33600000100", parcel("06 39 98 12 34", "1€", "https://a.test"), old[0])
    for i, at in enumerate(old[1:] + recent):
        store_sms(f"+336000002{i:02d}", parcel(f"07 12 34 56 7{i}", "2€", "https://b.test"), at)
    other = store_sms("+33600000300", AMELI.format(sender="38455", link="https://c.test"), now)
    with session_scope() as session:
        campaigns = list_campaigns(session)
        trends = campaign_trends(session, campaigns, now)
        for campaign in campaigns:
            assert trends[campaign.id] == campaign_trend(session, campaign, now)
        counts = campaign_counts(session, [_campaign_of(first), _campaign_of(other), 999])
    assert (counts[_campaign_of(first)].numbers, counts[_campaign_of(first)].domains) == (6, 2)
    assert (counts[_campaign_of(other)].numbers, counts[_campaign_of(other)].domains) == (1, 1)
    assert (counts[999].numbers, counts[999].domains) == (0, 0)


def test_lists_newest_or_largest_first() -> None:
    now = utcnow()
    for i in range(3):
        store_sms(f"+3360000000{i}", parcel("06 39 98 12 34", "1€", "https://a.test"), now)
    store_sms(
        "+33600000009",
        AMELI.format(sender="38455", link="https://b.test"),
        now + timedelta(minutes=1),
    )
    with session_scope() as session:
        assert [c.size for c in list_campaigns(session)] == [1, 3]
        assert [c.size for c in list_campaigns(session, sort="size")] == [3, 1]


def test_lists_can_leave_out_the_smallest() -> None:
    store_sms("+33600000001", parcel("06 39 98 12 34", "1€", "https://a.test"))
    store_sms("+33600000002", parcel("06 39 98 12 34", "2€", "https://a.test"))
    store_sms("+33600000009", AMELI.format(sender="38455", link="https://b.test"))
    with session_scope() as session:
        assert [c.size for c in list_campaigns(session, min_size=MIN_SIZE)] == [2]
        assert sorted(c.size for c in list_campaigns(session)) == [1, 2]


def test_growth_compares_the_last_24_hours_with_the_24_before() -> None:
    now = utcnow()
    for i, hours in enumerate((1, 5, 30, 40, 47, 60)):
        store_sms(
            f"+3360000000{i}",
            parcel("06 39 98 12 34", f"{i}€", "https://a.test"),
            now - timedelta(hours=hours),
        )
    campaign_id = _campaign_of(store_sms("+33600000009", parcel("0612", "9€", "a.test"), now))
    with session_scope() as session:
        growth = campaign_growth(session, [campaign_id, 999])
    assert growth[campaign_id] == Growth(last_24h=3, previous_24h=3)
    assert growth[999] == Growth(0, 0) and growth[campaign_id].change == 0


def test_a_page_gets_each_campaigns_newest_text_and_top_numbers_and_domains() -> None:
    now = utcnow()
    senders = ["06 39 98 12 34"] * 3 + ["07 12 34 56 78"] * 2 + ["0975123456", "0612121212"]
    for i, sender in enumerate(senders):
        link = "https://a.test" if i % 2 else f"https://d{i}.test"
        store_sms(f"+336000000{i:02d}", parcel(sender, f"{i}€", link), now - timedelta(minutes=i))
    first = _campaign_of(store_sms("+33600000099", parcel("0612", "0€", "a.test"), now))
    other = _campaign_of(
        store_sms("+33600000098", AMELI.format(sender="38455", link="https://b.test"))
    )
    with session_scope() as session:
        newest = newest_reports(session, [first, other])
        indicators = top_indicators(session, [first, other], top=3)
    assert "0€" in (newest[first].body or "") and "38455" in (newest[other].body or "")
    assert indicators[first].numbers[:2] == ["+33639981234", "+33712345678"]
    assert len(indicators[first].numbers) == 3
    assert indicators[first].domains[0] == "a[.]test" and len(indicators[first].domains) == 3
    assert indicators[other].numbers == ["38455"] and indicators[other].domains == ["b[.]test"]


def test_confirming_a_campaign_confirms_the_chosen_domains_of_its_own() -> None:
    store_sms("+33600000001", parcel("06 39 98 12 34", "1€", "https://a.test"))
    last = store_sms("+33600000002", parcel("07 12 34 56 78", "2€", "https://b.test"))
    store_sms("+33600000003", "Autre chose, rien a voir : lisez c.test demain matin svp")
    campaign_id = _campaign_of(last)
    with session_scope() as session:
        legit = session.scalars(select(Domain).where(Domain.domain == "b[.]test")).one()
        set_domain_status(session, legit, "legitimate", "analyst@test", "the real carrier")
    with session_scope() as session:
        outcome = confirm_campaign(
            session,
            campaign_id,
            "analyst@test",
            "fake fees",
            numbers=False,
            domains=["a[.]test", "b[.]test", "c[.]test"],
        )
    assert outcome.confirmed == [] and outcome.reply_ids == []
    assert outcome.domains.confirmed == ["a[.]test"]
    assert outcome.domains.kept_legitimate == ["b[.]test"]
    with session_scope() as session:
        statuses = dict(session.execute(select(Domain.domain, Domain.status)).all())
        numbers = set(session.scalars(select(ReportedNumber.status)).all())
    assert statuses == {"a[.]test": "confirmed_scam", "b[.]test": "legitimate", "c[.]test": "new"}
    assert numbers == {"new"}


def test_confirming_a_campaign_confirms_its_numbers_and_tells_reporters_once() -> None:
    store_sms("+33600000001", parcel("06 39 98 12 34", "1€", "https://a.test"))
    store_sms("+33600000002", parcel("07 12 34 56 78", "2€", "https://b.test"))
    last = store_sms("+33600000003", parcel("0975123456", "3€", "https://c.test"))
    legit = number_id("+33975123456")
    set_status(legit, "legitimate", note="a real bank line")
    campaign_id = _campaign_of(last)

    with session_scope() as session:
        outcome = confirm_campaign(session, campaign_id, "analyst@test", "fake parcel fees")
    assert len(outcome.confirmed) == 2 and outcome.kept_legitimate == [legit]
    assert len(outcome.reply_ids) == 2

    with session_scope() as session:
        statuses = dict(session.execute(select(ReportedNumber.number, ReportedNumber.status)).all())
        assert statuses == {
            "+33639981234": "confirmed_scam",
            "+33712345678": "confirmed_scam",
            "+33975123456": "legitimate",
        }
        number = session.scalars(
            select(ReportedNumber).where(ReportedNumber.number == "+33639981234")
        ).one()
        assert number.status_reason == "fake parcel fees" and number.status_changed_at
        changes = session.scalars(
            select(NumberStatusChange).where(NumberStatusChange.to_status == "confirmed_scam")
        ).all()
        assert {c.actor for c in changes} == {"analyst@test"} and len(changes) == 2

    with session_scope() as session:
        again = confirm_campaign(session, campaign_id, "analyst@test", "again")
    assert again.confirmed == [] and len(again.already) == 2 and again.reply_ids == []
    with session_scope() as session:
        kinds = session.scalars(select(Reply.kind).where(Reply.kind == "loop_confirmed")).all()
        assert len(kinds) == 2


def _batch(*texts: str) -> list[int]:
    """Process `texts` (each from its own reporter) as one intake batch; their report ids."""
    with session_scope() as session:
        stored = record_inbound_events(
            session,
            [
                Inbound("SM" + secrets.token_hex(16), "sms", {"Body": text}, f"+336100{i:05d}")
                for i, text in enumerate(texts)
            ],
        )
    jobs.process_events([s.event_id for s in stored])
    with session_scope() as session:
        by_event = {
            r.event_id: r.id
            for r in session.scalars(
                select(Report).where(Report.event_id.in_([s.event_id for s in stored]))
            )
        }
    return [by_event[s.event_id] for s in stored]


def test_a_batch_groups_its_own_copies_as_one_by_one_would() -> None:
    # A wave: the first batch holds several copies of two new templates and an unrelated text.
    first = _batch(
        parcel("06 39 98 12 34", "1,99€", "https://colis-frais.test/a"),
        AMELI.format(sender="38455", link="https://ameli-carte.test"),
        parcel("07 12 34 56 78", "2,50 EUR", "https://livr-colis.test/b"),
        "De 0639981234 : Bonjour, votre compte CPF dispose de 500 euros de droits a former "
        "qui expirent bientot. Activez-les ici https://cpf.test",
        AMELI.format(sender="36100", link="https://ameli-droits.test"),
        parcel("38455", "3€", "www.colis-poste.test/x?id=4"),
    )
    parcel_campaign, ameli_campaign, cpf_campaign = (
        _campaign_of(first[0]),
        _campaign_of(first[1]),
        _campaign_of(first[3]),
    )
    assert [_campaign_of(i) for i in first] == [
        parcel_campaign,
        ameli_campaign,
        parcel_campaign,
        cpf_campaign,
        ameli_campaign,
        parcel_campaign,
    ]
    assert len({parcel_campaign, ameli_campaign, cpf_campaign}) == 3
    # The next batch grows the campaigns the first one opened.
    second = _batch(
        parcel("06 11 22 33 44", "4€", "https://colis-relais.test"),
        AMELI.format(sender="38455", link="https://ameli-vitale.test"),
    )
    assert [_campaign_of(i) for i in second] == [parcel_campaign, ameli_campaign]
    with session_scope() as session:
        sizes = {
            c.id: (c.size, c.sample_report_id, c.first_seen_at <= c.last_seen_at)
            for c in session.scalars(select(Campaign))
        }
        assert sizes == {
            parcel_campaign: (4, first[0], True),
            ameli_campaign: (3, first[1], True),
            cpf_campaign: (1, first[3], True),
        }
        # Copies that normalise alike add no fingerprint: one per template here.
        assert session.scalar(select(func.count()).select_from(CampaignSimhashBand)) == 3 * 4
