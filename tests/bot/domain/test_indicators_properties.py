"""Properties of indicator extraction: it never raises, defanging is inert and reversible, and
domains come out lower-case and registrable."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.indicators import defang, extract, refang, registrable_domain

LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
TLD = st.sampled_from(
    ["fr", "com", "net", "org", "info", "co.uk", "com.fr", "test", "xyz", "gouv.fr"]
)
PATH = st.from_regex(
    r"(?:/[A-Za-z0-9_~-]{0,8}){0,3}(?:\?[a-z]{1,5}=[A-Za-z0-9]{0,6})?", fullmatch=True
)


@st.composite
def hosts(draw: st.DrawFn) -> tuple[str, str]:
    """(host as written, possibly with odd case; its registrable domain)."""
    domain = draw(LABEL)
    tld = draw(TLD)
    subs = draw(st.lists(LABEL, max_size=2))
    host = ".".join([*subs, domain, tld])
    written = (
        "".join(ch.upper() if draw(st.booleans()) else ch for ch in host)
        if draw(st.booleans())
        else host
    )
    return written, f"{domain}.{tld}"


@st.composite
def urls(draw: st.DrawFn) -> tuple[str, str]:
    written, domain = draw(hosts())
    scheme = draw(st.sampled_from(["https://", "http://", ""]))
    return scheme + written + draw(PATH), domain


@given(urls())
def test_defanged_links_have_no_scheme_and_no_bare_dot(case: tuple[str, str]) -> None:
    url, _ = case
    inert = defang(url)
    assert not re.search(r"(?i)https?://", inert)
    assert "." not in inert.replace("[.]", "")


@given(urls().filter(lambda case: case[0] == case[0].lower() or "://" not in case[0]))
def test_refang_undoes_defang(case: tuple[str, str]) -> None:
    url, _ = case
    assert refang(defang(url)) == url
    assert defang(defang(url)) == defang(url)


@given(urls(), st.sampled_from(["Payez sur {} avant demain", "{}", "Lien: {}.", "({})"]))
def test_a_link_in_a_text_gives_its_registrable_domain_lower_case(
    case: tuple[str, str], template: str
) -> None:
    url, domain = case
    found = extract(template.format(url))
    assert found.domains == [domain]
    assert found.urls == [url]


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises_and_domains_are_registrable(text: str) -> None:
    found = extract(text)
    for domain in found.domains:
        assert domain == domain.lower()
        assert registrable_domain(domain) == domain
    for url in found.urls:
        assert "." not in defang(url).replace("[.]", "")


@settings(max_examples=100)
@given(
    st.lists(
        st.one_of(
            urls().map(lambda case: case[0]),
            st.sampled_from(
                ["06 39 98 12 34", "+33639981234", "De: AMELI", "38455", "hxxps://a[.]test"]
            ),
            st.text(max_size=20),
        ),
        max_size=6,
    )
)
def test_mixed_texts_never_raise(parts: list[str]) -> None:
    found = extract(" ".join(parts))
    assert all(d == d.lower() for d in found.domains)
