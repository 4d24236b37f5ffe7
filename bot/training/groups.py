"""Near-copies of one text share a group, so cross-validation never puts one on each side.

Two records are in one group when a writer said so (`group`) or when their campaign fingerprints
(`bot.domain.simhash`: links, numbers, amounts and a reporter's lead-in taken out) are within
`MAX_DISTANCE` bits. Candidates come from the fingerprint's bands, as campaigns do."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from bot.domain.simhash import MAX_DISTANCE, bands, hamming, simhash


def near_copy_groups(records: Sequence[dict[str, Any]]) -> list[int]:
    """A group number per record (records with no near-copy get one of their own)."""
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_label: dict[str, int] = {}
    for i, record in enumerate(records):
        label = record.get("group")
        if label:
            key = f"{record.get('writer', '')!s}/{label}"
            if key in by_label:
                union(i, by_label[key])
            else:
                by_label[key] = i
    hashes = [simhash(str(r["body"])) for r in records]
    index: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, value in enumerate(hashes):
        if value == 0:
            continue
        for band_no, band in enumerate(bands(value)):
            for j in index[(band_no, band)]:
                if hamming(value, hashes[j]) <= MAX_DISTANCE:
                    union(i, j)
            index[(band_no, band)].append(i)
    roots: dict[int, int] = {}
    return [roots.setdefault(find(i), len(roots)) for i in range(len(records))]
