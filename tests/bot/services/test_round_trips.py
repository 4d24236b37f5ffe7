"""Processing a batch of events costs a fixed, small number of database statements, whatever
the batch's size: with the database 1 ms away, each statement per report would be a millisecond
per report."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from bot.db.session import get_engine, session_scope
from bot.services.intake import Inbound, record_inbound_events
from tests.conftest import BACKEND
from workers import jobs

# Round trips cost over a network: SQLite runs in the process, where SQLAlchemy sends an upsert
# with RETURNING row by row (its order cannot be relied on otherwise) at no cost to speak of.
pytestmark = [
    pytest.mark.storage,
    pytest.mark.skipif(BACKEND == "sqlite", reason="round trips cost over a network"),
]

BODIES = (
    "Votre colis est en attente, frais de {} euros sur colis-{}.test",
    "appel du 06 39 98 {:02d} {:02d}, un faux conseiller qui veut mes codes",
    "AMELI : votre carte Vitale expire, renouvelez-la ({} euros) sur vitale-{}.test",
    "Maman c'est moi, nouveau numero, tu peux m'envoyer {}0 euros ? Reponds sur wa.me/{}",
)


def _batch(size: int) -> list[int]:
    """`size` plain reports from distinct people, of varied kinds (with and without a number,
    a link, a reporter seen before or not)."""
    with session_scope() as session:
        stored = record_inbound_events(
            session,
            [
                Inbound(
                    "SM" + secrets.token_hex(16),
                    "sms",
                    {"Body": BODIES[i % len(BODIES)].format(i % 90, i)},
                    f"+3361{secrets.randbelow(10**8):08d}",
                )
                for i in range(size)
            ],
        )
    return [s.event_id for s in stored]


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]).split(None, 3)[:3].__str__())

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_batch_of_fifty_costs_about_what_a_batch_of_one_costs() -> None:
    one, fifty = _batch(1), _batch(50)
    with counted() as for_one:
        jobs.process_events(one)
    with counted() as for_fifty:
        jobs.process_events(fifty)
    # A handful more for fifty (rows that meet more cases: a number, a campaign grown), never
    # one per report.
    assert len(for_fifty) <= len(for_one) + 8, (len(for_one), len(for_fifty), for_fifty)
