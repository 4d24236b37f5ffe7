"""Look-alike domains: a registrable domain that imitates a brand without being the brand's.

Three shapes are common in scam links:
- the brand as a word of another domain: `ameli-remboursement.xyz`, `impots-gouv.info`;
- the brand's own domain placed in front of another one: `ameli.fr.secure-login.test`;
- a misspelling or homoglyph: `arneli.test` (rn looks like m), `amel1.test`, or letters of
  another script that read as Latin ones (`аmeli.fr` with a Cyrillic а, `xn--meli-43d.fr`).
The official domain itself and its subdomains (`compte.ameli.fr`) are never look-alikes.
"""

from __future__ import annotations

import re

from bot.domain.homoglyphs import imitates_latin, latin_skeleton
from bot.domain.indicators import registrable_domain
from bot.domain.official import Brand, is_official_domain, load_official

_LABEL_SPLIT = re.compile(r"[.\-_]+")


def _deglyph(token: str) -> str:
    for fake, real in load_official().homoglyphs:
        token = token.replace(fake, real)
    return token


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def _matches(token: str, brand_token: str) -> bool:
    official = load_official()
    if token == brand_token:
        return True
    if len(brand_token) < official.min_fuzzy_length or token in official.lookalike_ignore:
        return False
    if brand_token in token:  # `vitalemaj2025`, `mondialrelayrelayeur`
        return True
    return within_one_edit(_deglyph(token), brand_token)


def lookalike(host_or_domain: str) -> tuple[Brand, str] | None:
    """The brand a host imitates and the brand word it imitates (`arneli.test` -> ameli).

    A host written with letters of another script that read as Latin ones (`аmeli.fr` with a
    Cyrillic а, or its punycode) is compared as it reads; it imitates a brand even when it reads
    exactly as the brand's own domain."""
    written = host_or_domain.lower().strip(".")
    host = latin_skeleton(written)
    domain = registrable_domain(host) or host
    if is_official_domain(domain):
        if not imitates_latin(written):
            return None
        for brand in load_official().brands:
            if domain in brand.domains:
                return brand, brand.tokens[0] if brand.tokens else brand.key
    labels = [label for label in host.split(".") if label]
    # Words of every label, and each label glued whole (`ameli-vitale` -> `amelivitale`).
    ignore = load_official().lookalike_ignore
    words = [w for w in _LABEL_SPLIT.split(".".join(labels)) if w]
    glued = [
        "".join(w for w in _LABEL_SPLIT.split(label) if w and w not in ignore) for label in labels
    ]
    candidates = set(words) | set(glued)
    for brand in load_official().brands:
        for brand_token in brand.tokens:
            if any(_matches(candidate, brand_token) for candidate in candidates):
                return brand, brand_token
    return None
