"""The operators' blocklist as a STIX 2.1 bundle, the exchange format of threat-intelligence
platforms and feeds, built with the `stix2` library:

- one Identity, Scamline, which produced every other object;
- for each confirmed number or domain, an Indicator: its pattern, the analysts' note (the
  verdict's `status_reason`) as description, valid from the confirmation;
- for each Indicator, a Sighting by Scamline: first and last report, and how many reports.

Domains are `[domain-name:value = '...']`. STIX 2.1 defines no object for a phone number:
numbers, short codes and SMS sender names are written `[phone-number:value = '...']`, as
threat-intelligence platforms (OpenCTI's phone-number observable) read them, with the kind of
number among the labels.

Ids stay the same from one fetch to the next, so that a consumer updates an indicator rather
than piling up copies: version-4 UUIDs (what the STIX validator expects of these objects) drawn
from a hash of the producer and the value, not at random.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import stix2

from bot.services.blocklist import Entry

MEDIA_TYPE = "application/stix+json;version=2.1"
# The Identity is the same object in every bundle: a fixed creation date.
IDENTITY_CREATED = datetime(2022, 3, 1, tzinfo=UTC)
MAX_SIGHTING_COUNT = 999_999_999  # STIX's upper bound
DEFAULT_NOTE = "Confirmed as a scam by Scamline's analysts."


def stable_id(object_type: str, producer: str, key: str) -> str:
    digest = hashlib.sha256(f"{producer}\x00{object_type}\x00{key}".encode()).digest()
    return f"{object_type}--{uuid.UUID(bytes=digest[:16], version=4)}"


def pattern_literal(value: str) -> str:
    """A STIX pattern string: quoted, with its backslashes and quotes escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _pattern(entry: Entry) -> str:
    object_type = "domain-name" if entry.type == "domain" else "phone-number"
    return f"[{object_type}:value = {pattern_literal(entry.value)}]"


def _name(entry: Entry) -> str:
    if entry.type == "domain":
        return f"Scam domain {entry.value}"
    if entry.number_type == "sender_name":
        return f"Scam SMS sender name {entry.value}"
    return f"Scam number {entry.value}"


def _objects_for(entry: Entry, producer: str, identity: str, now: datetime) -> list[object]:
    key = f"{entry.type}:{entry.value}"
    confirmed = entry.confirmed_at or now
    # First seen, not the confirmation: `created` must not change when a verdict is given again.
    first_seen = min(entry.first_seen or confirmed, confirmed)
    last_seen = max(entry.last_seen or first_seen, first_seen)
    labels = [entry.type] + ([entry.number_type] if entry.number_type else [])
    indicator = stix2.Indicator(
        id=stable_id("indicator", producer, key),
        created=first_seen,
        modified=confirmed,
        created_by_ref=identity,
        name=_name(entry),
        description=entry.reason or DEFAULT_NOTE,
        indicator_types=["malicious-activity"],
        labels=labels,
        pattern=_pattern(entry),
        pattern_type="stix",
        valid_from=confirmed,
    )
    sighting = stix2.Sighting(
        id=stable_id("sighting", producer, key),
        created=first_seen,
        modified=max(last_seen, confirmed),
        created_by_ref=identity,
        sighting_of_ref=indicator.id,
        where_sighted_refs=[identity],
        first_seen=first_seen,
        last_seen=last_seen,
        count=min(entry.report_count, MAX_SIGHTING_COUNT),
        description="Reports of this scam that people sent to Scamline",
    )
    return [indicator, sighting]


def to_stix(rows: Sequence[Entry], producer: str, now: datetime) -> str:
    """The bundle as JSON. `producer` tells this deployment apart in the ids (its public URL)."""
    identity = stix2.Identity(
        id=stable_id("identity", producer, "scamline"),
        created=IDENTITY_CREATED,
        modified=IDENTITY_CREATED,
        name="Scamline",
        description="Scam-reporting service: numbers and domains people reported by SMS and "
        "phone, confirmed by analysts.",
        identity_class="system",
    )
    objects: list[object] = [identity]
    for entry in rows:
        objects.extend(_objects_for(entry, producer, identity.id, now))
    return str(stix2.Bundle(objects=objects).serialize())
