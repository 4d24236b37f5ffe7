"""Indicators found in a reported text: links, registrable domains and numbers.

Registrable domains come from the public-suffix list bundled with tldextract, never fetched.
Links and domains are stored defanged (`hxxps://evil[.]test`) so that no one clicks them by
accident in a console, a CSV or a chat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import tldextract

from bot.domain.numbers import Number, find_phone_numbers, parse_sender_name, parse_short_code

# TLDs reserved by RFC 2606/6761: absent from the public-suffix list but real in reports.
RESERVED_TLDS = frozenset({"test", "invalid", "example", "localhost", "onion"})

_URL = re.compile(
    r"""(?ix)
    (?<![@\w.-])
    (?:(?:https?|hxxps?)://|www\.)?             # scheme, or a bare www.
    (?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.|\[\.\]))+   # labels
    [a-z][a-z0-9-]{1,62}                        # the top-level label
    (?::\d{2,5})?
    (?:[/?#][^\s<>"'«»“”]*)?                    # path, query, fragment
    """
)
_TRAILING_PUNCTUATION = ".,;:!?)]}»\"'"

# "De : AMELI", "envoyé par 38455", "Expéditeur: ...", "from: ...": marked plainly as the sender.
_STRONG_SENDER_MARK = re.compile(
    r"""(?ix)
    (?:^|[\s(«"'])
    (?:from|sender|exp[ée]diteur|envoy[ée]e?\s+par|sent\s+by|de|du)
    \s*:\s*
    (?P<sender>[A-Za-z0-9][A-Za-z0-9&_-]{1,10})
    (?=\s*[:\-–—,]|\s*$|\s+\S)
    """
)
# "de 38455 :", "reçu du 36105 :", "sms de AMELI :": the preposition alone is ambiguous
# ("frais de dossier :"), so only a short code or an upper-case name counts.
_WEAK_SENDER_MARK = re.compile(
    r"""(?x)
    (?:^|[\s(«"'])
    (?i:de|du|from|re[çc]ue?\s+d[eu]|sms\s+d[eu]|envoy[ée]e?\s+par|sent\s+by)
    \s+
    (?P<sender>[A-Z0-9][A-Z0-9&_-]{1,10})
    (?=\s*[:\-–—]|\s*$)
    """
)
# "rappelez le 3646", "call 7726": a short code given as the number to call.
_CALL_SHORT_CODE = re.compile(
    r"""(?ix)
    \b(?:r?appel\w*|call|contact\w*|compos\w*|tape[rz]?|joindre)
    \s+(?:le|au|the|on)?\s*
    (?P<sender>[1-9]\d{3,5})\b(?!\s*(?:€|eur|euros?)\b)
    """
)


@dataclass(frozen=True, slots=True)
class Indicators:
    urls: list[str] = field(default_factory=list)  # refanged, as found
    domains: list[str] = field(default_factory=list)  # registrable domains, lower case
    numbers: list[Number] = field(default_factory=list)  # in order of appearance

    @property
    def defanged_urls(self) -> list[str]:
        return [defang(url) for url in self.urls]

    @property
    def defanged_domains(self) -> list[str]:
        return [defang(domain) for domain in self.domains]


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() keeps tldextract on its bundled snapshot: no network, no cache dir.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def refang(text: str) -> str:
    return text.replace("[.]", ".").replace("(.)", ".").replace("hxxp", "http").replace("[:]", ":")


def defang(text: str) -> str:
    """Make a link or domain inert: `https://a.test/x` -> `hxxps://a[.]test/x`."""
    text = refang(text)
    text = re.sub(r"(?i)\bhttp", "hxxp", text)
    return text.replace(".", "[.]")


def registrable_domain(host: str) -> str | None:
    host = host.lower().strip(".")
    if not host or ".." in host:
        return None
    parts = _extractor()(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    labels = host.split(".")
    if labels[-1] in RESERVED_TLDS and len(labels) >= 2:
        return ".".join(labels[-2:])
    return None


def find_urls(text: str) -> list[tuple[int, str, str]]:
    """(position, url, registrable domain) for each link, bare domains included."""
    found: list[tuple[int, str, str]] = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        host = re.sub(r"(?i)^(?:https?|hxxps?)://", "", refang(url))
        host = re.split(r"[/?#:]", host, maxsplit=1)[0]
        domain = registrable_domain(host)
        if domain is None:
            continue
        found.append((match.start(), refang(url), domain))
    return found


def find_marked_senders(text: str) -> list[tuple[int, Number]]:
    """Short codes and sender names that the reporter marks as the sender."""
    found: list[tuple[int, Number]] = []
    for pattern in (_STRONG_SENDER_MARK, _WEAK_SENDER_MARK, _CALL_SHORT_CODE):
        for match in pattern.finditer(text):
            raw = match.group("sender")
            number = parse_short_code(raw) or (
                parse_sender_name(raw) if not raw.isdigit() and len(raw) >= 3 else None
            )
            if number is not None:
                found.append((match.start("sender"), number))
    return found


def extract(text: str) -> Indicators:
    urls = find_urls(text)
    url_spans = [(pos, pos + len(url)) for pos, url, _ in urls]

    def inside_url(pos: int) -> bool:
        return any(start <= pos < end for start, end in url_spans)

    numbers = [(pos, n) for pos, n in find_phone_numbers(text) if not inside_url(pos)]
    numbers += [(pos, n) for pos, n in find_marked_senders(text) if not inside_url(pos)]
    numbers.sort(key=lambda item: item[0])
    ordered: list[Number] = []
    phone_digits = "".join(n.canonical for _, n in numbers if n.is_phone)
    for _, number in numbers:
        if not number.is_phone and number.canonical.isdigit() and number.canonical in phone_digits:
            continue  # "De: 0639987710" also matched the weak pattern; keep the phone number
        if number not in ordered:
            ordered.append(number)
    domains: list[str] = []
    for _, _, domain in urls:
        if domain not in domains:
            domains.append(domain)
    return Indicators(urls=[url for _, url, _ in urls], domains=domains, numbers=ordered)
