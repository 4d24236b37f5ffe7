"""Benchmark: assign N synthetic reports to campaigns and print reports per second.

Not a test. Reports are inserted in bulk first; only `assign_campaign` is timed, in transactions
of `--batch` reports, as the worker would call it. The data mixes `--templates` scam templates
(other links, numbers, amounts and codes in each copy, and reporters' lead-ins) with a share of
one-off texts, which is the worst case for the band index (each adds a fingerprint).

    PYTHONPATH=. python bench/campaigns.py --reports 100000
    PYTHONPATH=. python bench/campaigns.py --database-url sqlite:////tmp/bench.db

By default it creates a throw-away schema in the PostgreSQL at SCAMLINE_BENCH_PG (or the test
server) and drops it afterwards.

Measured on the development machine (PostgreSQL, local socket), 100,000 reports, 300 templates,
20% one-off texts: 319 reports/s, flat from 20,000 reports on (about 3 ms a report, mostly round
trips); 300 template campaigns plus one per one-off text, 100% of template copies in their
template's campaign, no template split; 81,152 band rows.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import time
from collections import Counter, defaultdict
from datetime import timedelta

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.orm import Session

from bot.db.models import Campaign, CampaignSimhashBand, InboundEvent, Report
from bot.db.session import build_engine, migrate
from bot.db.types import utcnow
from bot.services.campaigns import assign_campaign

PG_BASE = os.environ.get("SCAMLINE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORDS = """
votre colis compte carte vitale banque conseiller frais livraison remboursement dossier droits
formation amende paiement suspendu urgent immediatement confirmer valider mettre jour
informations securite acces bloque retenu expire renouveler cliquez lien ici avant sinon perte
points permis impots trop percu caf allocation mutuelle electricite facture impayee abonnement
resilie maman papa telephone casse nouveau numero ecris moi whatsapp livreur adresse incomplete
reprogrammer centre tri douane taxe reglez montant sous heures jours derniere relance service
client operation suspecte detectee si ce n est pas vous appelez le rappeler agence espace
personnel identifiant mot de passe code
""".split()  # noqa: SIM905 - a paragraph reads better than a 100-item list
PREAMBLES = (
    "",
    "",
    "",
    "je viens de recevoir ça : ",
    "Reçu ce matin: ",
    "arnaque ? ",
    "encore un ! ",
    "De 06 39 98 12 34 : ",
    "Bonjour, j'ai reçu ce sms bizarre, c'est une arnaque ? ",
)
SLOTS = ("{link}", "{amount}", "{number}", "{code}")


def make_template(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(15, 35))]
    for slot in rng.sample(SLOTS, rng.randint(1, 3)):
        words.insert(rng.randint(3, len(words)), slot)
    return " ".join(words).capitalize() + "."


def fill(template: str, rng: random.Random) -> str:
    return rng.choice(PREAMBLES) + template.format(
        link=f"https://{secrets.token_hex(4)}-{rng.choice(WORDS)}.test/{secrets.token_hex(3)}",
        amount=f"{rng.randint(1, 999)},{rng.randint(0, 99):02d}€",
        number=f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} 12",
        code=f"PP-{rng.randint(1000, 99999)}",
    )


def one_off(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))).capitalize()


def seed(
    session: Session, count: int, templates: int, noise: float, rng: random.Random
) -> dict[int, int]:
    """Insert the reports; returns report id -> template number (-1 for one-off texts)."""
    shapes = [make_template(rng) for _ in range(templates)]
    # Campaign sizes follow a long tail, as real ones do.
    weights = [1 / (i + 1) for i in range(templates)]
    truth: dict[int, int] = {}
    start = utcnow() - timedelta(days=30)
    batch = 5000
    for offset in range(0, count, batch):
        n = min(batch, count - offset)
        events = [
            {
                "source_sid": f"SMbench{offset + i:010d}",
                "kind": "sms",
                "params": {},
                "received_at": start + timedelta(seconds=(offset + i) * 20),
                "status": "done",
                "attempts": 1,
            }
            for i in range(n)
        ]
        event_ids = session.scalars(insert(InboundEvent).returning(InboundEvent.id), events).all()
        rows, labels = [], []
        for i, event_id in enumerate(event_ids):
            if rng.random() < noise:
                label, body = -1, one_off(rng)
            else:
                label = rng.choices(range(templates), weights)[0]
                body = fill(shapes[label], rng)
            labels.append(label)
            rows.append(
                {
                    "event_id": event_id,
                    "source_sid": events[i]["source_sid"],
                    "received_at": events[i]["received_at"],
                    "channel": "sms",
                    "body": body,
                    "family": "unknown",
                    "language": "fr",
                    "reasons": [],
                    "numbers": [],
                    "domains": [],
                    "urls": [],
                    "acted": False,
                }
            )
        report_ids = session.scalars(insert(Report).returning(Report.id), rows).all()
        truth.update(zip(report_ids, labels, strict=True))
        session.commit()
    return truth


def quality(session: Session, truth: dict[int, int]) -> tuple[float, int, int]:
    """(share of template reports in their template's main campaign, campaigns, split templates)."""
    by_template: dict[int, Counter[int | None]] = defaultdict(Counter)
    for report_id, campaign_id in session.execute(select(Report.id, Report.campaign_id)):
        label = truth[report_id]
        if label >= 0:
            by_template[label][campaign_id] += 1
    grouped = sum(c.most_common(1)[0][1] for c in by_template.values())
    total = sum(sum(c.values()) for c in by_template.values())
    split = sum(1 for c in by_template.values() if len(c) > 1)
    campaigns = session.scalar(select(func.count()).select_from(Campaign)) or 0
    return grouped / max(1, total), int(campaigns), split


def run(url: str, count: int, templates: int, noise: float, batch: int) -> None:
    migrate(url)
    engine = build_engine(url)
    rng = random.Random(42)
    with Session(engine) as session:
        started = time.perf_counter()
        truth = seed(session, count, templates, noise, rng)
        print(f"seeded {count} reports in {time.perf_counter() - started:.1f}s")
    ids = sorted(truth)
    started = time.perf_counter()
    for offset in range(0, len(ids), batch):
        with Session(engine) as session:
            chunk = session.scalars(
                select(Report)
                .where(Report.id.in_(ids[offset : offset + batch]))
                .order_by(Report.id)
            ).all()
            for report in chunk:
                assign_campaign(session, report)
            session.commit()
        done = offset + batch
        if done % 20000 == 0:
            rate = done / (time.perf_counter() - started)
            print(f"  {done} assigned, {rate:.0f} reports/s")
    elapsed = time.perf_counter() - started
    with Session(engine) as session:
        share, campaigns, split = quality(session, truth)
        bands = session.scalar(select(func.count()).select_from(CampaignSimhashBand))
    print(
        f"{count} reports assigned in {elapsed:.1f}s: {count / elapsed:.0f} reports/s "
        f"({engine.dialect.name})"
    )
    print(
        f"{campaigns} campaigns for {templates} templates and about {int(count * noise)} one-off "
        f"texts; {share:.1%} of template copies in their template's main campaign; "
        f"{split} templates split; {bands} band rows"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--templates", type=int, default=300)
    parser.add_argument("--noise", type=float, default=0.2, help="share of one-off texts")
    parser.add_argument("--batch", type=int, default=500, help="reports per transaction")
    parser.add_argument("--database-url", help="default: a throw-away PostgreSQL schema")
    args = parser.parse_args()
    if args.database_url:
        run(args.database_url, args.reports, args.templates, args.noise, args.batch)
        return
    schema = f"bench_{os.getpid()}"
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        run(
            f"{PG_BASE}?options=-csearch_path%3D{schema}",
            args.reports,
            args.templates,
            args.noise,
            args.batch,
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
