"""Seed many reports into the benchmark's own schema with set-based SQL (generate_series).

Counters on `numbers` are made consistent with the reports, as intake keeps them. Only this
schema's tables are analysed (named, found through search_path): never the whole database.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from bot.domain.families import families


def seed_reports(engine: Engine, reports: int, numbers: int, reporters: int) -> None:
    with engine.connect() as connection:
        reporter_base = connection.scalar(text("SELECT coalesce(max(id), 0) FROM reporters"))
        number_base = connection.scalar(text("SELECT coalesce(max(id), 0) FROM numbers"))
    names = families()
    spread = "ARRAY[" + ",".join(f"'{f}'" for f in names) + "]"
    statements = [
        # Reporters and numbers first, with explicit ids after the existing ones (the workers
        # are stopped), then the sequences moved past them.
        f"""INSERT INTO reporters (id, pseudonym, language, language_chosen, opted_out, created_at,
                last_seen_at)
            SELECT {reporter_base} + g, md5('seed-reporter-' || g) || md5('x' || g), 'fr',
                false, false, now(), now()
            FROM generate_series(1, {reporters}) g""",
        f"""INSERT INTO numbers (id, number, number_type, country, report_count, reporter_count,
                sms_count, call_count, first_reported_at, last_reported_at, status)
            SELECT {number_base} + g, '+3314' || lpad(g::text, 7, '0'), 'geographic', 'FR',
                0, 0, 0, 0, now(), now(), 'new'
            FROM generate_series(1, {numbers}) g""",
        f"""INSERT INTO inbound_events (source_sid, kind, received_at, params, status, attempts)
            SELECT 'SMseed' || lpad(g::text, 10, '0'), 'sms',
                now() - (random() * interval '90 days'), '{{}}'::json, 'done', 1
            FROM generate_series(1, {reports}) g""",
        # Skewed: number ids drawn as u^3 put a few thousand reports on the top numbers (a wave)
        # and one or two on most, as in real data.
        f"""INSERT INTO reports (event_id, source_sid, received_at, channel, reporter_id,
                number_id, body, family, language, reasons, numbers, domains, urls, acted)
            SELECT e.id, e.source_sid, e.received_at,
                CASE WHEN random() < 0.2 THEN 'call' ELSE 'sms' END,
                {reporter_base} + 1 + floor(random() * {reporters})::int,
                {number_base} + 1 + floor({numbers} * power(random(), 3))::int,
                'Colis en attente, frais de livraison a regler', ({spread})[1 + floor(random() *
                {len(names)})::int], 'fr', '[]'::json, '[]'::json, '[]'::json, '[]'::json,
                false
            FROM inbound_events e WHERE e.source_sid LIKE 'SMseed%'""",
        "SELECT setval(pg_get_serial_sequence('reporters', 'id'), (SELECT max(id) FROM reporters))",
        "SELECT setval(pg_get_serial_sequence('numbers', 'id'), (SELECT max(id) FROM numbers))",
        """UPDATE numbers n SET report_count = c.reports, reporter_count = c.reporters,
                sms_count = c.sms, call_count = c.calls, first_reported_at = c.first,
                last_reported_at = c.last
            FROM (SELECT number_id, count(*) reports, count(DISTINCT reporter_id) reporters,
                    count(*) FILTER (WHERE channel = 'sms') sms,
                    count(*) FILTER (WHERE channel = 'call') calls,
                    min(received_at) first, max(received_at) last
                  FROM reports WHERE source_sid LIKE 'SMseed%' GROUP BY number_id) c
            WHERE n.id = c.number_id""",
        """INSERT INTO number_reporters (number_id, reporter_id, first_reported_at)
            SELECT number_id, reporter_id, min(received_at) FROM reports
            WHERE source_sid LIKE 'SMseed%' GROUP BY number_id, reporter_id
            ON CONFLICT DO NOTHING""",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    # VACUUM cannot run in a transaction; these are this schema's tables only.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(
            text("VACUUM (ANALYZE) reporters, numbers, inbound_events, reports, number_reporters")
        )


def lookup_targets(engine: Engine, count: int) -> list[str]:
    """Numbers to look up, drawn like analysts would meet them: through random reports, so that
    the heavily reported numbers come up often. Spelt in the national format half the time."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                """SELECT n.number FROM reports r JOIN numbers n ON n.id = r.number_id
                   WHERE r.source_sid LIKE 'SMseed%' ORDER BY random() LIMIT :n"""
            ),
            {"n": count},
        ).all()
    spelt = []
    for i, (number,) in enumerate(rows):
        if i % 2:
            national = "0" + number[3:]
            spelt.append(" ".join(national[j : j + 2] for j in range(0, 10, 2)))
        else:
            spelt.append(number)
    return spelt
