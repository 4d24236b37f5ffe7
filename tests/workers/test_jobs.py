"""The jobs: an intake batch processed as one, its replies sent in batches, each at most once."""

from __future__ import annotations

import secrets

import pytest
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from bot.db.models import Reply
from bot.db.session import session_scope
from bot.queueing.connections import get_redis
from bot.queueing.liveness import alive_key
from bot.queueing.queues import REPLIES_QUEUE, get_queue
from bot.services.intake import Inbound, record_inbound_events
from bot.settings import get_settings
from tests.fakes.twilio_api import FakeTwilioServer
from tests.helpers import run_worker_until_idle
from workers import jobs
from workers.sweeper import sweep_once

PARCEL = "Votre colis est en attente, frais de port 1,99e a regler sur colis-frais.test"


def stored_batch(count: int) -> list[int]:
    with session_scope() as session:
        stored = record_inbound_events(
            session,
            [
                Inbound("SM" + secrets.token_hex(16), "sms", {"Body": PARCEL}, f"+336110000{i:02d}")
                for i in range(count)
            ],
        )
    return [s.event_id for s in stored]


def replies() -> list[Reply]:
    with session_scope() as session:
        return list(session.scalars(select(Reply).order_by(Reply.id)).all())


def test_a_batchs_replies_go_out_in_send_jobs_of_a_second_each(
    fake_twilio: FakeTwilioServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENDER_RATE_PER_SECOND", "4")
    get_settings.cache_clear()
    jobs.process_events(stored_batch(10))
    queued = replies()
    assert len(queued) == 10 and {r.status for r in queued} == {"queued"}
    # 4 replies a job at 4 a second: 3 jobs, each reply naming its own.
    job_ids = get_queue(REPLIES_QUEUE).job_ids
    assert len(job_ids) == 3
    assert {r.job_id for r in queued} == set(job_ids)
    run_worker_until_idle()
    assert {r.status for r in replies()} == {"accepted"}


def test_without_twilio_a_batchs_replies_go_to_the_outbox_in_one_job() -> None:
    jobs.process_events(stored_batch(10))
    assert len(get_queue(REPLIES_QUEUE).job_ids) == 1
    run_worker_until_idle()
    assert {r.status for r in replies()} == {"outbox"}


def test_a_failed_send_does_not_hold_back_the_others(fake_twilio: FakeTwilioServer) -> None:
    jobs.process_events(stored_batch(3))
    ids = [r.id for r in replies()]
    fake_twilio.state.fail_next(1, 503, 20003, "busy")
    assert jobs.send_replies(ids) == "3 of 3 replies handed to the sender"
    statuses = [r.status for r in replies()]
    assert sorted(statuses) == ["accepted", "accepted", "queued"]
    # The one Twilio turned away waits for its own job, scheduled after a backoff: not RQ's
    # retry of the whole job, and the sweeper leaves it alone meanwhile.
    [retried] = [r.id for r in replies() if r.status == "queued"]
    scheduled = ScheduledJobRegistry(queue=get_queue(REPLIES_QUEUE))
    assert scheduled.get_job_ids() == [f"reply-{retried}"]
    assert jobs.send_replies(ids) == "1 of 3 replies handed to the sender"  # the job, once due
    assert [r.status for r in replies()] == ["accepted"] * 3
    assert len(fake_twilio.state.messages) == 3


def test_the_sweeper_leaves_replies_whose_send_job_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWEEPER_GRACE_SECONDS", "0")
    get_settings.cache_clear()
    jobs.process_events(stored_batch(2))
    assert sweep_once().replies == 0  # their batch's send job waits
    [job_id] = {r.job_id for r in replies()}
    assert job_id is not None
    Job.fetch(job_id, connection=get_redis()).delete()  # lost
    assert sweep_once().replies == 2
    run_worker_until_idle()
    assert [r.status for r in replies()] == ["outbox", "outbox"]


def test_the_sweeper_leaves_replies_whose_send_job_runs_on_a_living_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Else a second job could send a reply while the batch's job is about to send it."""
    monkeypatch.setenv("SWEEPER_GRACE_SECONDS", "0")
    get_settings.cache_clear()
    jobs.process_events(stored_batch(2))
    [job_id] = {r.job_id for r in replies()}
    assert job_id is not None
    redis = get_redis()
    redis.hset(Job.key_for(job_id), mapping={"status": "started", "worker_name": "w1"})
    redis.set(alive_key("w1"), "1", ex=10)
    assert sweep_once().replies == 0  # its worker is alive: the batch job will send them
    redis.delete(alive_key("w1"))
    assert sweep_once().replies == 2  # its worker died: each reply gets a job of its own
