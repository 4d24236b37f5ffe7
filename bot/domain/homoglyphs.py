"""Hosts written with look-alike letters: `аmeli.fr` with a Cyrillic а, or its punycode
`xn--meli-...`. Unicode's confusables data (through `confusable-homoglyphs`) maps each letter
that imitates a Latin one back to it, so that the host can be compared with a brand's name."""

from __future__ import annotations

import contextlib
from functools import lru_cache

from confusable_homoglyphs import confusables

_PUNYCODE_PREFIX = "xn--"


def decode_idna(host: str) -> str:
    """`xn--` labels decoded to Unicode; a label that does not decode is kept as written."""
    labels = []
    for label in host.split("."):
        if label.startswith(_PUNYCODE_PREFIX):
            # The idna codec checks what it decodes; plain punycode would turn junk into
            # control characters.
            with contextlib.suppress(UnicodeError, ValueError):
                label = label.encode("ascii").decode("idna")
        labels.append(label)
    return ".".join(labels)


@lru_cache(maxsize=4096)
def _latin_for(char: str) -> str:
    found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin"])
    if not found:
        return char
    for glyph in found[0]["homoglyphs"]:
        latin = glyph["c"]
        if glyph["n"].startswith("LATIN") and latin.isascii():
            return latin.lower()
    return char


def latin_skeleton(host: str) -> str:
    """The host as a Latin reader sees it: punycode decoded, look-alike letters made Latin."""
    decoded = decode_idna(host.lower())
    return "".join(ch if ch.isascii() else _latin_for(ch) for ch in decoded)


def imitates_latin(host: str) -> bool:
    """True when the host uses non-Latin letters that read as Latin ones (or punycode of them)."""
    decoded = decode_idna(host.lower())
    return any(not ch.isascii() and _latin_for(ch) != ch for ch in decoded)
