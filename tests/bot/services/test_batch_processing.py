"""A batch of events in one transaction: the plain reports set-wise, the rest one by one."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import Campaign, Domain, InboundEvent, Reply, Report, ReportedNumber, Reporter
from bot.db.session import session_scope
from bot.domain.conversation import Sms, read_sms
from bot.security.pseudonyms import pseudonym
from bot.services.batch_processing import handle_events
from bot.services.intake import Inbound, lock_events, record_inbound_events
from workers import jobs

pytestmark = pytest.mark.storage

PARCEL = "Votre colis est en attente, frais de port 1,99e a regler sur colis-frais.test"


def store(*messages: tuple[str, str]) -> list[int]:
    """Store (sender, body) SMS events in one intake batch; their ids in order."""
    with session_scope() as session:
        stored = record_inbound_events(
            session,
            [
                Inbound("SM" + secrets.token_hex(16), "sms", {"Body": body}, sender)
                for sender, body in messages
            ],
        )
    return [s.event_id for s in stored]


def process_batch(event_ids: list[int]) -> list[list[int]]:
    with session_scope() as session:
        outcomes = handle_events(session, lock_events(session, event_ids))
        return [outcome.reply_ids for outcome in outcomes]


def replies_by_event() -> dict[int | None, list[Reply]]:
    with session_scope() as session:
        found: dict[int | None, list[Reply]] = {}
        for reply in session.scalars(select(Reply).order_by(Reply.id)):
            found.setdefault(reply.event_id, []).append(reply)
        return found


def test_plain_reports_of_a_batch_are_counted_together() -> None:
    ids = store(
        ("+33611000001", PARCEL + " de la part du 06 39 98 12 34"),
        ("+33611000002", PARCEL + " de la part du 06 39 98 12 34"),
        ("+33611000003", PARCEL),
    )
    reply_ids = process_batch(ids)
    assert all(len(r) == 1 for r in reply_ids)
    with session_scope() as session:
        number = session.scalars(select(ReportedNumber)).one()
        assert (number.number, number.report_count, number.reporter_count) == ("+33639981234", 2, 2)
        domain = session.scalars(select(Domain)).one()
        assert (domain.domain, domain.report_count) == ("colis-frais[.]test", 3)
        reports = session.scalars(select(Report).order_by(Report.id)).unique().all()
        assert [r.event_id for r in reports] == ids
        assert [r.family for r in reports] == ["parcel"] * 3
        # The two copies of one text share a campaign, counted twice.
        assert reports[0].campaign_id is not None
        assert reports[0].campaign_id == reports[1].campaign_id
        campaign = session.get_one(Campaign, reports[0].campaign_id)
        assert campaign.size == sum(r.campaign_id == campaign.id for r in reports)
        # Only the report without a number waits for the sender's.
        third = session.scalars(
            select(Reporter).where(Reporter.pseudonym == pseudonym("+33611000003"))
        ).one()
        assert third.awaiting_report_id == reports[2].id
        events = session.scalars(select(InboundEvent).order_by(InboundEvent.id)).all()
        assert [(e.status, e.attempts) for e in events] == [("done", 1)] * 3
    assert "Qui vous l'a envoyé" in replies_by_event()[ids[2]][0].body


def process_as_the_job_does(event_ids: list[int]) -> None:
    jobs.process_events(event_ids)  # no autoflush, as in production


@pytest.mark.parametrize("process", [process_batch, process_as_the_job_does])
def test_one_persons_texts_in_one_batch_keep_their_order(
    process: Callable[[list[int]], object],
) -> None:
    """The answer finds the report that waits for it, though the report was stored in the same
    transaction and its reporter's state not flushed yet."""
    ids = store(
        ("+33611000001", PARCEL),  # a report: "who sent it?"
        ("+33611000002", "STOP"),
        ("+33611000001", "06 39 98 12 34"),  # the answer, in the same batch
    )
    process(ids)
    with session_scope() as session:
        [report] = session.scalars(select(Report)).unique().all()
        assert report.number is not None and report.number.number == "+33639981234"
        stopped = session.scalars(
            select(Reporter).where(Reporter.pseudonym == pseudonym("+33611000002"))
        ).one()
        assert stopped.opted_out
    replies = replies_by_event()
    assert [r.kind for r in replies[ids[0]]] == ["advice"]
    assert [r.kind for r in replies[ids[2]]] == ["sender_logged"]
    assert ids[1] not in replies  # STOP is honoured without a word


def test_a_batch_processed_twice_changes_nothing() -> None:
    ids = store(("+33611000001", PARCEL), ("+33611000002", PARCEL))
    assert len([r for r in process_batch(ids) if r]) == 2
    assert process_batch(ids) == []
    with session_scope() as session:
        assert len(session.scalars(select(Report)).unique().all()) == 2
        assert session.scalars(select(Domain)).one().report_count == 2


def test_a_poison_event_does_not_hold_back_its_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = store(("+33611000001", PARCEL), ("+33611000002", "poison"), ("+33611000003", PARCEL))
    real = read_sms

    def failing(body: str, *rest: Any) -> Sms:
        if body == "poison":
            raise RuntimeError("cannot read this one")
        return real(body, *rest)

    monkeypatch.setattr("bot.services.processing.read_sms", failing)
    with pytest.raises(jobs.BatchIncomplete):
        jobs.process_events(ids)
    with session_scope() as session:
        events = session.scalars(select(InboundEvent).order_by(InboundEvent.id)).all()
        assert [(e.status, e.attempts) for e in events] == [
            ("done", 1),
            ("received", 1),
            ("done", 1),
        ]
        assert "cannot read this one" in (events[1].error or "")
