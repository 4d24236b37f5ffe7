"""Indicators found in a reported text: links, registrable domains and numbers.

Registrable domains come from the public-suffix list bundled with tldextract, never fetched.
Links and domains are stored defanged (`hxxps://evil[.]test`) so that no one clicks them by
accident in a console, a CSV or a chat.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import tldextract

from bot.domain.numbers import (
    Number,
    find_phone_numbers,
    parse_phone,
    parse_sender_name,
    parse_short_code,
)
from bot.domain.official import official_name

# TLDs reserved by RFC 2606/6761: absent from the public-suffix list but real in reports.
RESERVED_TLDS = frozenset({"test", "invalid", "example", "localhost", "onion"})

# A link, or (group `chain`) the labels of a host that is not one. After `[.]` a new try may start,
# and a try from each label of `a[.]a[.]a[.]...` read the rest of the labels again: 14 ms for
# 1,600 characters, four times that for twice as many. When the link fails, the labels it read
# are taken as `chain`: a try from any of them would meet the same top-level labels, none of them
# fit, and none of them is followed by `://`. Use `links` and `replace_links`, which skip them.
_LINK_OR_CHAIN = re.compile(
    r"""(?ix)
    (?<![@\w.-])
    (?:
      (?:(?:https?|hxxps?)://(?:[^\s/?#@]{1,64}@)?|www\.)?  # scheme (and user info), or www.
      (?:[^\W_](?:[\w-]{0,61}[^\W_])?(?:\.|\[\.\]))+      # labels, in any script
      (?:[a-z][a-z0-9-]{1,62}|xn--[a-z0-9-]{1,59})         # the top-level label
      (?::\d{2,5})?
      (?:[/?#][^\s<>"'«»“”]*)?                           # path, query, fragment
    | (?P<chain>(?:[^\W_](?:[\w-]{0,61}[^\W_])?(?:\.|\[\.\]))++)
    )
    """
)
_SCHEME = re.compile(r"(?i)^(?:https?|hxxps?)://")
_TRAILING_PUNCTUATION = ".,;:!?)]}»\"'"

# "De : AMELI", "envoyé par 38455", "Expéditeur: ...", "from: ...": marked plainly as the sender.
_STRONG_SENDER_MARK = re.compile(
    r"""(?ix)
    (?:^|[\s(«"'])
    (?:from|sender|exp[ée]diteur(?:\s+affich[ée])?|envoy[ée]e?\s+par|sent\s+by|de|du)
    \s*:\s*
    (?P<sender>[A-Za-z0-9][A-Za-z0-9&_-]{1,10})
    (?=\s*[:\-–—,.;!?)»"]|\s*$|\s+\S)
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
# "reçu de COLISSIMO, c'est fiable ?", "envoyé par le 38200": an explicit "received from" names
# the sender whatever follows, but only an upper-case name or a short code.
_RECEIVED_FROM = re.compile(
    r"""(?x)
    (?:^|[\s(«"'])
    (?i:re[çc]ue?s?\s+(?:de\s+la\s+part\s+)?d[eu]|sms\s+d[eu]|texto\s+d[eu]|message\s+d[eu]
       |envoy[ée]e?s?\s+par(?:\s+le|\s+la)?|sent\s+by|text\s+from|message\s+from)
    \s+
    (?P<sender>[A-Z0-9][A-Z0-9&_-]{1,10})(?![\w-])
    """
)
# "rappelez le 3646", "call 7726", "contactez le service client au 3900": a short code given as
# the number to call (a year, an amount or a time is not one).
_CALL_SHORT_CODE = re.compile(
    r"""(?ix)
    \b(?:r?appel\w*|call|contact\w*|compos\w*|tape[rz]?|joindre|joignable|dial|ring)\b
    (?:\s+[^\s\d]+){0,4}?
    \s+(?:le|au|the|on|at|num[ée]ro|n°)?\s*
    (?!(?:19|20)\d\d\b)(?P<sender>[1-9]\d{3,5})\b(?!\s*(?:€|eur|euros?|h\b|min))
    """
)

# "au 3646", "le 3949 c'est bien France Travail ?": an official short number named anywhere is the
# number to call or the caller (config/official.toml lists them), never an amount or a year.
_NAMED_SHORT_NUMBER = re.compile(
    r"(?i)\b(?:le|au|the|on|du|par|at|call|num[ée]ro(?:\s+affich[ée])?\s*:?|number(?:\s+shown)?\s*:?)"
    r"\s+(?P<sender>[1-9]\d{3,4})\b(?!\s*(?:€|eur|euros?|h\b))"
)
# "c'est écrit AMELI en expéditeur", "marqué info-colis comme expéditeur", "shows AMELI as sender".
_NAMED_AS_SENDER = re.compile(
    r"""(?ix)
    (?:[ée]crit|marqu[ée]|affich[ée]|not[ée]|indiqu[ée]|shows?|says?|displayed)\s+
    [«"'“]?\s?(?P<sender>[A-Za-z0-9][A-Za-z0-9&_.-]{1,10})\s?[»"'”]?\s+
    (?:en|comme|as(?:\s+the)?)\s+(?:nom\s+d['’]\s?)?(?:exp[ée]diteur|sender)
    """
)
# "l'expéditeur c'est AMELI", "expéditeur AMELI", "the sender was 38455": without a colon, only
# an upper-case name or a short code counts ("l'expéditeur est inconnu" names no one).
_SENDER_IS = re.compile(
    r"""(?x)
    (?i:exp[ée]diteur|sender(?:\s+name)?|nom\s+de\s+l['’]\s?exp[ée]diteur)
    \s+(?i:c['’]\s?[ée]tait|c['’]\s?est|est|was|is|affich[ée])?\s*
    [«"'“]?(?P<sender>[A-Z0-9][A-Z0-9&_-]{1,10})(?![\w-])
    """
)
# "appelé du 3646", "called by 3646", "le 3646 m'a appelé", "3646 ma appelé" (at the start, and
# as typed in haste): an official or business short code named as the caller.
_CALLED_FROM_SHORT_CODE = re.compile(
    r"""(?ix)
    \b(?:appel(?:[ée]e?s?|s)?|contact[ée]e?s?|t[ée]l[ée]phon[ée]e?s?|called|rang|phoned
       |call|calls|missed\s+call)
    \s+(?:en\s+absence\s+|manqu[ée]s?\s+)?(?:du|par\s+le|par|depuis\s+le|from|by)\s+(?:le\s+|the\s+)?
    (?P<sender>[1-9]\d{3,5})\b(?!\s*(?:€|eur|euros?)\b)
    """
)
_SHORT_CODE_CALLED = re.compile(
    r"""(?ix)
    (?:\b(?:le|the|num[ée]ro|number)\s+|^\s*)(?P<sender>[1-9]\d{3,5})\s+
    (?:m['’]?\s?a\s+(?:appel|rappel|t[ée]l[ée]phon|contact|laiss)|m['’]\s?appel|m['’]\s?rappel
       |called|rang|phoned|calls)
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


def _to_punycode(domain: str) -> str | None:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def url_host(url: str) -> str:
    """The host a link really opens: `https://www.ameli.fr@evil.test/x` opens `evil.test`."""
    rest = _SCHEME.sub("", refang(url))
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    return host.split(":", 1)[0].lower()


# wa.me/33639981234, api.whatsapp.com/send?phone=..., t.me/+33...: a chat opened with a number.
_CHAT_LINK_NUMBER = re.compile(
    r"(?i)^(?:https?://)?(?:www\.)?(?:wa\.me/|(?:api\.)?whatsapp\.com/send/?\?phone=|t\.me/)"
    r"\+?(\d{8,15})(?!\d)"
)


def chat_link_number(url: str) -> Number | None:
    """The phone number a WhatsApp or Telegram link opens a chat with, if it names one."""
    match = _CHAT_LINK_NUMBER.match(url)
    return parse_phone("+" + match.group(1)) if match else None


def links(text: str) -> Iterator[re.Match[str]]:
    """Every link and bare domain, as written, in order."""
    return (m for m in _LINK_OR_CHAIN.finditer(text) if m.group("chain") is None)


def replace_links(text: str, replacement: Callable[[re.Match[str]], str]) -> str:
    """`text` with each of its `links` replaced by what `replacement` makes of it."""
    return _LINK_OR_CHAIN.sub(lambda m: m.group(0) if m.group("chain") else replacement(m), text)


def find_urls(text: str) -> list[tuple[int, str, str]]:
    """(position, url, registrable domain) for each link, bare domains included."""
    found: list[tuple[int, str, str]] = []
    for match in links(text):
        url = match.group(0).rstrip(_TRAILING_PUNCTUATION)
        domain = registrable_domain(url_host(url))
        if domain is not None and not domain.isascii():
            # Stored as the DNS sees it: `аmeli.fr` with a Cyrillic а reads as ameli.fr to an
            # analyst, its punycode `xn--meli-43d.fr` does not.
            domain = _to_punycode(domain)
        if domain is None:
            continue
        found.append((match.start(), refang(url), domain))
    return found


# Words that follow "De :" or "from:" without naming a sender ("De : mon frère").
_NOT_A_SENDER = frozenset(
    {
        "mon",
        "ma",
        "mes",
        "ton",
        "ta",
        "tes",
        "son",
        "sa",
        "ses",
        "notre",
        "votre",
        "nos",
        "vos",
        "leur",
        "un",
        "une",
        "le",
        "la",
        "les",
        "des",
        "ce",
        "cet",
        "cette",
        "qui",
        "quoi",
        "je",
        "tu",
        "il",
        "elle",
        "on",
        "nous",
        "vous",
        "ils",
        "elles",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "the",
        "a",
        "an",
        "this",
        "that",
        "me",
        "him",
        "us",
        "them",
        "who",
    }
)


def find_marked_senders(text: str) -> list[tuple[int, Number]]:
    """Short codes and sender names that the reporter marks as the sender."""
    found: list[tuple[int, Number]] = []
    patterns = (
        _STRONG_SENDER_MARK,
        _WEAK_SENDER_MARK,
        _RECEIVED_FROM,
        _CALL_SHORT_CODE,
        _NAMED_AS_SENDER,
        _SENDER_IS,
        _CALLED_FROM_SHORT_CODE,
        _SHORT_CODE_CALLED,
    )
    for pattern in patterns:
        for match in pattern.finditer(text):
            raw = match.group("sender")
            if raw.lower() in _NOT_A_SENDER:
                continue
            number = parse_short_code(raw) or (
                parse_sender_name(raw) if not raw.isdigit() and len(raw) >= 3 else None
            )
            if number is not None:
                found.append((match.start("sender"), number))
    for match in _NAMED_SHORT_NUMBER.finditer(text):
        number = parse_short_code(match.group("sender"))
        if number is not None and official_name(number) is not None:
            found.append((match.start("sender"), number))
    return found


def extract(text: str) -> Indicators:
    urls = find_urls(text)
    url_spans = [(pos, pos + len(url)) for pos, url, _ in urls]

    def inside_url(pos: int) -> bool:
        return any(start <= pos < end for start, end in url_spans)

    numbers = [(pos, n) for pos, n in find_phone_numbers(text) if not inside_url(pos)]
    numbers += [(pos, n) for pos, n in find_marked_senders(text) if not inside_url(pos)]
    numbers += [(pos, n) for pos, url, _ in urls if (n := chat_link_number(url)) is not None]
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
