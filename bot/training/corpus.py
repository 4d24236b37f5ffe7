"""The labelled corpus under `corpus/`: load it, check it, group near-copies.

A record's format is described in `corpus/README.md`. The checks here are about format and the
corpus's own rules (fictional numbers, fictional domains); they know nothing of the classifier,
so that writers of held-out sets can run them without seeing how reports are classified.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import phonenumbers

from bot.domain.families import families
from bot.domain.language import LANGUAGES
from bot.domain.official import is_official_domain
from bot.domain.statuses import CorpusKind

CHANNELS = ("sms", "call")
MAX_BODY_CHARS = 1600
REQUIRED = ("id", "channel", "body", "family", "expect_numbers", "expect_domains", "lang")
# What an `unknown` report is: a genuine message, a scam outside the families, or unclear.
KINDS = tuple(CorpusKind)

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_SHORT_CODE = re.compile(r"^[1-9]\d{3,5}$")
_SENDER_NAME = re.compile(r"^(?=.*[A-Z])[A-Z0-9][A-Z0-9 ._&'-]{0,10}$")
_DOMAIN = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]+$")
# French ranges kept for fiction (ARCEP), as national significant numbers.
_FR_FICTION = ("19900", "26191", "35301", "46571", "53649", "63998", "97510")
_FICTION_TLDS = ("test", "invalid", "example")
# Real domains a report may name without harm: shorteners, messaging links and official sites.
_REAL_DOMAINS_OK = frozenset(
    (
        "bit.ly",
        "tinyurl.com",
        "gg.gg",
        "is.gd",
        "t.co",
        "cutt.ly",
        "rebrand.ly",
        "shorturl.at",
        "urlz.fr",
        "tiny.cc",
        "ow.ly",
        "s.id",
        "rb.gy",
        "wa.me",
        "t.me",
        "whatsapp.com",
        "telegram.me",
        "signal.me",
    )
)
_OFFICIAL_SUFFIXES = (".gouv.fr", ".gov.uk", ".gouv.fr.")


@dataclass(frozen=True, slots=True)
class Problem:
    record_id: str
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        return f"{'error' if self.fatal else 'warning'} {self.record_id}: {self.message}"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON: {exc}") from exc
        if not isinstance(record, dict):
            raise ValueError(f"{path}:{number}: not a JSON object")
        records.append(record)
    return records


def read_dir(directory: Path) -> list[dict[str, Any]]:
    """Every record of every `*.jsonl` file of a folder, in file-name order."""
    records: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.jsonl")):
        records.extend(read_jsonl(path))
    return records


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _national_digits(e164: str) -> str:
    """The digits every spelling of a number contains (`07700 900123` and `+44 7700 900123`)."""
    try:
        return str(phonenumbers.parse(e164, None).national_number)
    except phonenumbers.NumberParseException:
        return e164[1:]


def _number_problems(rid: str, body: str, numbers: Any) -> Iterable[Problem]:
    if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
        yield Problem(rid, "expect_numbers must be a list of strings")
        return
    body_digits = _digits(body)
    for number in numbers:
        if _E164.match(number):
            if _national_digits(number) not in body_digits:
                yield Problem(rid, f"{number} is not written in the body")
            if number.startswith("+33") and not number[3:].startswith(("8", *_FR_FICTION)):
                yield Problem(rid, f"{number} is not in a fiction range", fatal=False)
            if number.startswith("+44") and not number.startswith("+447700900"):
                yield Problem(rid, f"{number}: UK numbers use +44 7700 900xxx", fatal=False)
        elif _SHORT_CODE.match(number):
            if number not in body_digits:
                yield Problem(rid, f"short code {number} is not in the body")
        elif _SENDER_NAME.match(number):
            if number.lower() not in body.lower():
                yield Problem(rid, f"sender name {number} is not in the body")
        else:
            yield Problem(rid, f"{number!r} is neither E.164, a short code nor an upper-case name")


def _domain_problems(rid: str, body: str, domains: Any) -> Iterable[Problem]:
    if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
        yield Problem(rid, "expect_domains must be a list of strings")
        return
    plain = body.lower().replace("[.]", ".").replace("(.)", ".")
    for domain in domains:
        if not _DOMAIN.match(domain):
            yield Problem(rid, f"{domain!r} is not a lower-case domain")
        elif domain not in plain:
            yield Problem(rid, f"domain {domain} is not in the body")
        elif not (
            domain.rsplit(".", 1)[-1] in _FICTION_TLDS
            or domain in _REAL_DOMAINS_OK
            or domain.endswith(_OFFICIAL_SUFFIXES)
            or is_official_domain(domain)
        ):
            yield Problem(rid, f"{domain} is a real-looking domain: is it official?", fatal=False)


def check_record(record: dict[str, Any]) -> list[Problem]:
    rid = str(record.get("id", "?"))
    missing = [name for name in REQUIRED if name not in record]
    if missing:
        return [Problem(rid, "missing " + ", ".join(missing))]
    problems: list[Problem] = []
    body = record["body"]
    if not isinstance(body, str) or not body.strip():
        return [Problem(rid, "empty body")]
    if len(body) > MAX_BODY_CHARS:
        problems.append(Problem(rid, f"body over {MAX_BODY_CHARS} characters"))
    if record["family"] not in families():
        problems.append(Problem(rid, f"unknown family {record['family']!r}"))
    if "kind" in record and (record["kind"] not in KINDS or record["family"] != "unknown"):
        problems.append(Problem(rid, f"kind must be one of {KINDS}, and only on unknown"))
    if record["channel"] not in CHANNELS:
        problems.append(Problem(rid, f"channel must be one of {CHANNELS}"))
    if record["lang"] not in LANGUAGES:
        problems.append(Problem(rid, f"lang must be one of {LANGUAGES}"))
    problems.extend(_number_problems(rid, body, record["expect_numbers"]))
    problems.extend(_domain_problems(rid, body, record["expect_domains"]))
    return problems


def check(records: Sequence[dict[str, Any]]) -> list[Problem]:
    problems: list[Problem] = []
    ids = Counter(str(r.get("id")) for r in records)
    problems += [Problem(rid, f"id used {n} times") for rid, n in ids.items() if n > 1]
    bodies = Counter(str(r.get("body", "")).strip().lower() for r in records)
    problems += [
        Problem(str(r.get("id")), "the same body appears twice", fatal=False)
        for r in records
        if bodies[str(r.get("body", "")).strip().lower()] > 1
    ]
    for record in records:
        problems.extend(check_record(record))
    return problems


def summary(records: Sequence[dict[str, Any]]) -> str:
    counts = Counter(str(r.get("family")) for r in records)
    langs = Counter(str(r.get("lang")) for r in records)
    channels = Counter(str(r.get("channel")) for r in records)
    genuine = counts.get("unknown", 0) / len(records) if records else 0.0
    lines = [f"{len(records)} records; unknown (genuine and unclear): {genuine:.0%}"]
    kinds = Counter(str(r["kind"]) for r in records if "kind" in r)
    if kinds:
        lines.append("unknown kinds: " + ", ".join(f"{k} {kinds.get(k, 0)}" for k in KINDS))
    lines.append("families: " + ", ".join(f"{f} {counts.get(f, 0)}" for f in families()))
    lines.append("languages: " + ", ".join(f"{k} {v}" for k, v in sorted(langs.items())))
    lines.append("channels: " + ", ".join(f"{k} {v}" for k, v in sorted(channels.items())))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.training.corpus")
    commands = parser.add_subparsers(dest="command", required=True)
    check_cmd = commands.add_parser("check", help="check corpus files and count their records")
    check_cmd.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    records: list[dict[str, Any]] = []
    for path in args.paths:
        records.extend(read_dir(path) if path.is_dir() else read_jsonl(path))
    problems = check(records)
    for problem in problems:
        print(problem)
    print(summary(records))
    errors = sum(1 for p in problems if p.fatal)
    print(f"{errors} error(s), {len(problems) - errors} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
