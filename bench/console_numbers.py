"""How long the console's numbers list takes with 100,000 reports in PostgreSQL.

Creates a throwaway schema, migrates it, bulk-loads reporters, numbers, events and reports
(counters consistent with what intake maintains), then signs in through the real console and
times the numbers list (and, for context, the overview and a number page) over HTTP through
the ASGI app: query, template and all. The schema is dropped at the end.

    PYTHONPATH=. python bench/console_numbers.py [--reports 100000] [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from sqlalchemy import create_engine, insert, text

PG_BASE = os.environ.get("SCAMLINE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_BASE = os.environ.get("SCAMLINE_BENCH_REDIS", "redis://127.0.0.1:6379")
FAMILIES = ["parcel", "bank", "health_insurance", "fine", "tax", "utility_telecom", "unknown"]
TYPES = ["mobile", "mobile", "mobile", "voip", "geographic", "short_code", "sender_name"]


def _claim_redis_db() -> int:
    claims = Redis.from_url(f"{REDIS_BASE}/0")
    for number in range(15, 0, -1):
        if claims.set(f"scamline:test-db-claim:{number}", "bench", nx=True, ex=3600):
            return number
    raise SystemExit("no free Redis database")


def _seed(url: str, n_reports: int, rng: random.Random) -> None:
    from bot.db.models import InboundEvent, NumberReporter, Report, ReportedNumber, Reporter

    engine = create_engine(url)
    now = datetime.now(UTC)
    n_numbers, n_reporters = n_reports // 5, n_reports * 3 // 10
    with engine.begin() as db:
        db.execute(
            insert(Reporter),
            [
                {
                    "pseudonym": secrets.token_hex(32),
                    "language": "fr",
                    "language_chosen": False,
                    "opted_out": False,
                    "created_at": now,
                    "last_seen_at": now,
                }
                for _ in range(n_reporters)
            ],
        )
        # A long tail: a few numbers get many reports, most get one or two.
        weights = [1.0 / (i + 1) ** 0.9 for i in range(n_numbers)]
        number_of = rng.choices(range(n_numbers), weights=weights, k=n_reports)
        stats: dict[int, dict[str, Any]] = {}
        events, reports, links = [], [], set()
        for i, num in enumerate(number_of):
            at = now - timedelta(seconds=rng.randrange(90 * 86400))
            channel = "call" if rng.random() < 0.2 else "sms"
            reporter = rng.randrange(n_reporters) + 1
            sid = f"SMbench{i:010d}"
            events.append(
                {
                    "source_sid": sid,
                    "kind": "sms",
                    "received_at": at,
                    "params": {},
                    "status": "done",
                    "attempts": 1,
                }
            )
            domain = f"colis-{num % 500}[.]test"
            reports.append(
                {
                    "event_id": i + 1,
                    "source_sid": sid,
                    "received_at": at,
                    "channel": channel,
                    "reporter_id": reporter,
                    "number_id": num + 1,
                    "body": f"Votre colis est retenu, payez sur {domain}",
                    "family": FAMILIES[num % len(FAMILIES)],
                    "language": "fr",
                    "reasons": [],
                    "numbers": [],
                    "domains": [domain],
                    "urls": [],
                    "acted": False,
                }
            )
            s = stats.setdefault(
                num, {"n": 0, "sms": 0, "call": 0, "first": at, "last": at, "reporters": set()}
            )
            s["n"] += 1
            s[channel] += 1
            s["first"], s["last"] = min(s["first"], at), max(s["last"], at)
            s["reporters"].add(reporter)
            links.add((num + 1, reporter))
        empty: dict[str, Any] = {
            "n": 0,
            "sms": 0,
            "call": 0,
            "first": now,
            "last": now,
            "reporters": set(),
        }
        rows = []
        for num in range(n_numbers):
            s = stats.get(num, empty)
            rows.append(
                {
                    "number": f"+3363{num:07d}",
                    "number_type": TYPES[num % len(TYPES)],
                    "country": "FR",
                    "report_count": s["n"],
                    "reporter_count": len(s["reporters"]),
                    "sms_count": s["sms"],
                    "call_count": s["call"],
                    "first_reported_at": s["first"],
                    "last_reported_at": s["last"],
                    "status": "confirmed_scam" if num % 11 == 0 else "new",
                }
            )
        db.execute(insert(ReportedNumber), rows)
        for chunk in range(0, n_reports, 20_000):
            db.execute(insert(InboundEvent), events[chunk : chunk + 20_000])
            db.execute(insert(Report), reports[chunk : chunk + 20_000])
        db.execute(
            insert(NumberReporter),
            [{"number_id": n, "reporter_id": r, "first_reported_at": now} for n, r in links],
        )
        # Only this schema's tables (found through search_path): a bare ANALYZE would lock
        # every table of the database, other test runs' schemas included.
        db.execute(text("ANALYZE reporters, numbers, inbound_events, reports, number_reporters"))
    engine.dispose()


def _time(client: Any, path: str, runs: int) -> tuple[float, float]:
    client.get(path)  # warm-up: connections, template compilation, caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples), max(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(7726)

    schema = f"bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    redis_db = _claim_redis_db()
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    os.environ.update(
        ENVIRONMENT="test",
        DATABASE_URL=url,
        REDIS_URL=f"{REDIS_BASE}/{redis_db}",
        SECRET_KEY="bench-secret-key-0123456789abcdef",  # noqa: S106 (throwaway schema)
        PSEUDONYM_KEY="bench-pseudonym-key-0123456789abcdef",
        TWILIO_AUTH_TOKEN="bench-twilio-auth-token-0123456789",  # noqa: S106
        CONSOLE_VIEW_QUOTA_PER_HOUR="100000",
    )
    try:
        from fastapi.testclient import TestClient

        from bot.db.session import migrate, session_scope
        from bot.services.users import create_user
        from bot.web.app import create_app
        from tests.console_fixtures import PASSWORD, login

        migrate(url)
        started = time.perf_counter()
        _seed(url, args.reports, rng)
        print(f"seeded {args.reports} reports in {time.perf_counter() - started:.1f} s")
        with session_scope() as session:
            secret = create_user(session, "bench@example.org", "analyst", PASSWORD).secret
        client = TestClient(create_app())
        assert login(client, "bench@example.org", secret).status_code == 303  # type: ignore[attr-defined]
        paths = [
            "/console/numbers",
            "/console/numbers?sort=reports",
            "/console/numbers?sort=last_seen",
            "/console/numbers?family=bank",
            "/console/numbers?channel=call&period=7d",
            "/console/numbers?status=new&number_type=mobile&sort=last_seen&page=20",
            "/console/numbers?family=tax&period=30d&sort=reports&page=5",
            "/console/",
            "/console/numbers/+33630000000",
        ]
        print(f"{'page':<72} {'median ms':>10} {'max ms':>8}")
        for path in paths:
            median, worst = _time(client, path, args.runs)
            print(f"{path:<72} {median:>10.1f} {worst:>8.1f}")
    finally:
        from bot.db.session import dispose_engines

        dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        Redis.from_url(f"{REDIS_BASE}/{redis_db}").flushdb()
        Redis.from_url(f"{REDIS_BASE}/0").delete(f"scamline:test-db-claim:{redis_db}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
