"""The blocklist as a STIX 2.1 bundle: valid for the OASIS validator (strict), an indicator and
a sighting per entry, ids that stay the same from one fetch to the next."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from stix2validator import ValidationOptions, validate_string

from bot.services.blocklist import Entry
from bot.services.blocklist_stix import to_stix

FIRST = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)
LAST = datetime(2026, 11, 20, 17, 5, tzinfo=UTC)
CONFIRMED = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)

ROWS = [
    Entry("number", "+33639981234", CONFIRMED, "fake parcel fees", FIRST, LAST, 12, "mobile"),
    Entry("number", "O'COLIS", CONFIRMED, None, FIRST, FIRST, 1, "sender_name"),
    Entry("domain", "colis-frais.test", CONFIRMED, "phishing kit", FIRST, LAST, 7),
]


def strictly_valid(document: str) -> None:
    result = validate_string(document, ValidationOptions(version="2.1", strict=True))
    assert result.is_valid, result.as_dict()


def by_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in bundle["objects"] if o["type"] == kind]


def test_the_bundle_is_valid_stix_2_1() -> None:
    strictly_valid(to_stix(ROWS, "https://bot.example", NOW))


def test_an_empty_blocklist_is_a_valid_bundle_with_its_producer() -> None:
    document = to_stix([], "https://bot.example", NOW)
    strictly_valid(document)
    [identity] = json.loads(document)["objects"]
    assert identity["type"] == "identity" and identity["name"] == "Scamline"


def test_each_entry_is_an_indicator_with_the_analysts_note() -> None:
    bundle = json.loads(to_stix(ROWS, "https://bot.example", NOW))
    [identity] = by_type(bundle, "identity")
    indicators = by_type(bundle, "indicator")
    assert [i["pattern"] for i in indicators] == [
        "[phone-number:value = '+33639981234']",
        "[phone-number:value = 'O\\'COLIS']",
        "[domain-name:value = 'colis-frais.test']",
    ]
    number, sender, domain = indicators
    assert number["description"] == "fake parcel fees"
    assert number["name"] == "Scam number +33639981234" and number["labels"] == ["number", "mobile"]
    assert sender["name"] == "Scam SMS sender name O'COLIS"
    assert sender["description"]  # a default note when the analyst left none
    assert domain["description"] == "phishing kit"
    assert {i["valid_from"] for i in indicators} == {"2026-11-21T09:00:00Z"}
    assert {i["created_by_ref"] for i in indicators} == {identity["id"]}
    assert all(i["indicator_types"] == ["malicious-activity"] for i in indicators)


def test_each_indicator_is_sighted_with_first_seen_and_report_count() -> None:
    bundle = json.loads(to_stix(ROWS, "https://bot.example", NOW))
    indicators = {i["id"]: i for i in by_type(bundle, "indicator")}
    sightings = {indicators[s["sighting_of_ref"]]["name"]: s for s in by_type(bundle, "sighting")}
    number = sightings["Scam number +33639981234"]
    assert number["first_seen"] == "2026-11-02T08:30:00Z"
    assert number["last_seen"] == "2026-11-20T17:05:00Z"
    assert number["count"] == 12
    assert sightings["Scam domain colis-frais.test"]["count"] == 7


def test_ids_are_stable_across_fetches_and_apart_across_deployments() -> None:
    def ids(producer: str, now: datetime) -> list[str]:
        objects = json.loads(to_stix(ROWS, producer, now))["objects"]
        return [o["id"] for o in objects]

    assert ids("https://bot.example", NOW) == ids("https://bot.example", LAST)
    assert not set(ids("https://bot.example", NOW)) & set(ids("https://other.example", NOW))
