"""The sweeper re-enqueues what the database says is unfinished, and never duplicates work."""

from __future__ import annotations

import time

import pytest
from rq.job import Job
from sqlalchemy import func, select

from bot.db.models import InboundEvent, Reply, Report
from bot.db.session import session_scope
from bot.queueing.connections import get_redis
from bot.queueing.queues import enqueue_event, enqueue_new_events, new_batch_job_id
from bot.services import sending
from bot.services.intake import Inbound, record_inbound_event, record_inbound_events
from bot.services.sweeping import MAX_EVENT_ATTEMPTS
from bot.settings import get_settings
from tests.factories import queued_reply
from tests.fakes.twilio_api import FakeTwilioServer
from tests.helpers import run_worker_until_idle
from workers.sweeper import sweep_once, sweep_with_lock


def stored_event(sid: str, body: str = "appel du 06 39 98 12 34") -> int:
    with session_scope() as session:
        event, _ = record_inbound_event(session, sid, "sms", {"Body": body}, "+33612345678")
        return event.id


def count(model: type) -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_an_event_without_a_job_is_enqueued_and_processed_once() -> None:
    stored_event("SM1")
    assert sweep_once().events == 1
    assert sweep_once().events == 0  # a live job exists: nothing more
    run_worker_until_idle()
    assert count(Report) == 1 and count(Reply) == 1
    assert sweep_once().events == 0


def test_an_event_already_queued_is_not_queued_twice() -> None:
    event_id = stored_event("SM2")
    assert enqueue_event(event_id, "SM2")
    assert sweep_once().events == 0
    run_worker_until_idle()
    assert count(Report) == 1


def test_events_waiting_in_their_intake_batch_job_are_left_alone() -> None:
    job_id = new_batch_job_id()
    with session_scope() as session:
        stored = record_inbound_events(
            session,
            [
                Inbound(sid, "sms", {"Body": "appel du 06 39 98 12 34"}, "+33612345678")
                for sid in ("SMb1", "SMb2")
            ],
            job_id,
        )
    enqueue_new_events(job_id, [s.event_id for s in stored])
    assert sweep_once().events == 0  # both wait in the batch's job
    Job.fetch(job_id, connection=get_redis()).delete()  # the batch job is lost
    assert sweep_once().events == 2  # each gets a job of its own
    run_worker_until_idle()
    assert count(Report) == 2 and count(Reply) == 2


def test_a_job_lost_with_redis_is_recreated_from_the_database() -> None:
    event_id = stored_event("SM3")
    enqueue_event(event_id, "SM3")
    get_redis().flushdb()  # Redis restarted without its data
    assert sweep_once().events == 1
    run_worker_until_idle()
    assert count(Report) == 1


def test_a_poison_event_is_given_up_after_repeated_attempts() -> None:
    event_id = stored_event("SM4")
    with session_scope() as session:
        event = session.get(InboundEvent, event_id)
        assert event is not None
        event.attempts = MAX_EVENT_ATTEMPTS
    assert sweep_once().failed == 1
    with session_scope() as session:
        assert session.get(InboundEvent, event_id).status == "failed"  # type: ignore[union-attr]


def test_queued_replies_left_without_a_job_are_enqueued() -> None:
    stored_event("SM5")
    sweep_once()
    # Process the event but lose the reply's job, as if Redis died right after the commit.
    from workers.jobs import process_event

    with session_scope() as session:
        event_id = session.scalars(select(InboundEvent.id)).one()
    get_redis().flushdb()
    process_event(event_id)
    get_redis().flushdb()
    assert sweep_once().replies == 1
    run_worker_until_idle()
    with session_scope() as session:
        assert session.scalars(select(Reply.status)).one() == "outbox"


def test_a_reply_left_sending_is_claimed_by_its_sweep_job_once_the_lease_ran_out(
    fake_twilio: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker died in flight: the sweeper's job must be able to claim the reply (sweeping it
    must not renew its lease), ask Twilio, and send it once."""
    monkeypatch.setenv("STUCK_SENDING_SECONDS", "1")
    get_settings.cache_clear()
    reply_id = queued_reply("+33612345678")
    sending.claim_replies([reply_id])  # then the worker dies
    get_redis().flushdb()
    assert sweep_once().replies == 0  # within its lease: it may be in flight
    time.sleep(1.1)
    assert sweep_once().replies == 1
    run_worker_until_idle()
    with session_scope() as session:
        assert session.scalars(select(Reply.status)).one() == "accepted"
    assert len(fake_twilio.state.messages) == 1


def test_only_one_sweeper_runs_at_a_time() -> None:
    get_redis().set("scamline:sweeper:lock", "1", ex=30)
    assert sweep_with_lock() is None


def test_an_event_that_always_fails_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each failed run is counted although its transaction rolled back; then the sweeper stops."""
    from workers import jobs

    event_id = stored_event("SM6")

    def explode(*_: object) -> None:
        raise RuntimeError("poison")

    monkeypatch.setattr(jobs, "handle_events", explode)
    for _ in range(MAX_EVENT_ATTEMPTS):
        with pytest.raises(RuntimeError):
            jobs.process_event(event_id)
    assert sweep_once().failed == 1
    with session_scope() as session:
        event = session.get(InboundEvent, event_id)
        assert event is not None and event.status == "failed" and "poison" in (event.error or "")


def test_a_queued_backlog_costs_one_round_trip_not_a_unique_check_per_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import workers.sweeper as sweeper_module

    for n in range(5):
        enqueue_event(stored_event(f"SMq{n}"), f"SMq{n}")
    checked: list[int] = []
    monkeypatch.setattr(
        sweeper_module, "enqueue_event", lambda event_id, sid: checked.append(event_id) or True
    )
    assert sweep_once().events == 0
    assert checked == []  # all five wait in the queue: no per-job check


def test_a_job_that_ended_while_its_event_is_unfinished_is_replaced() -> None:
    from rq.job import Job

    from bot.queueing.queues import event_job_id, waiting_jobs

    event_id = stored_event("SMend")
    enqueue_event(event_id, "SMend")
    job_id = event_job_id("SMend")
    assert waiting_jobs([job_id]) == {job_id}
    get_redis().hset(Job.key_for(job_id), "status", "finished")  # ended, but not in the DB
    assert waiting_jobs([job_id]) == set()
    assert sweep_once().events == 1
    run_worker_until_idle()
    assert count(Report) == 1
