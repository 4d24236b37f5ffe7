"""Properties of number normalisation: every usual spelling of a number gives one E.164 key."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.numbers import canonical_lookup, find_phone_numbers, parse_any, parse_phone

SEPARATORS = st.sampled_from(["", " ", ".", "-", "\u00a0", " - ", "/"])


@st.composite
def french_spelling(draw: st.DrawFn) -> tuple[str, str]:
    """(a spelling, its E.164): 0X XX XX XX XX, +33 X XX..., 0033 X..., grouped any usual way."""
    nsn = draw(st.sampled_from("123456789")) + draw(st.text("0123456789", min_size=8, max_size=8))
    prefix = draw(st.sampled_from(["0", "+33", "0033", "+33 ", "0033 ", "+33(0)"]))
    if prefix == "+33(0)":
        prefix = "+33 "  # "(0)" is not a separator; keep the spelling plain
    sep = draw(SEPARATORS)
    if prefix == "0":
        digits = "0" + nsn
        groups = [digits[i : i + 2] for i in range(0, 10, 2)]
        return sep.join(groups), "+33" + nsn
    groups = [nsn[0]] + [nsn[i : i + 2] for i in range(1, 9, 2)]
    return prefix + sep.join(groups), "+33" + nsn


@st.composite
def foreign_spelling(draw: st.DrawFn) -> tuple[str, str]:
    """UK and Belgian mobiles and North American numbers, with +CC or 00CC."""
    kind = draw(st.sampled_from(["uk", "be", "us"]))
    if kind == "uk":
        cc, nsn = "44", "7" + draw(st.text("0123456789", min_size=9, max_size=9))
    elif kind == "be":
        cc, nsn = (
            "32",
            "4"
            + draw(st.sampled_from("56789"))
            + draw(st.text("0123456789", min_size=7, max_size=7)),
        )
    else:
        area = draw(st.sampled_from("23456789")) + draw(
            st.text("0123456789", min_size=2, max_size=2)
        )
        exchange = draw(st.sampled_from("23456789")) + draw(
            st.text("0123456789", min_size=2, max_size=2)
        )
        cc, nsn = "1", area + exchange + draw(st.text("0123456789", min_size=4, max_size=4))
    prefix = draw(st.sampled_from(["+", "00"])) + cc + draw(st.sampled_from(["", " "]))
    sep = draw(SEPARATORS)
    cut = draw(st.integers(1, len(nsn) - 1))
    return prefix + nsn[:cut] + sep + nsn[cut:], "+" + cc + nsn


@given(french_spelling())
def test_every_spelling_of_a_french_number_gives_its_e164(case: tuple[str, str]) -> None:
    spelling, e164 = case
    number = parse_phone(spelling)
    assert number is not None, spelling
    assert number.canonical == e164
    assert number.country == "FR"
    assert canonical_lookup(spelling) == e164


@given(foreign_spelling())
def test_every_spelling_of_a_foreign_number_gives_its_e164(case: tuple[str, str]) -> None:
    spelling, e164 = case
    number = parse_phone(spelling)
    assert number is not None, spelling
    assert number.canonical == e164
    assert canonical_lookup(spelling) == e164


@given(french_spelling().filter(lambda case: "/" not in case[0]))
def test_a_number_is_found_in_a_sentence(case: tuple[str, str]) -> None:
    # Slashes aside: libphonenumber's matcher takes `01/02/03/04/05` for a date, on purpose.
    spelling, e164 = case
    found = find_phone_numbers(f"Appel recu du {spelling}, faux conseiller.")
    assert [n.canonical for _, n in found] == [e164]


@settings(max_examples=300)
@given(st.text(max_size=80))
def test_arbitrary_text_never_raises(text: str) -> None:
    parse_any(text)
    find_phone_numbers(text)


@settings(max_examples=300)
@given(
    st.one_of(
        st.text(max_size=20),
        st.text("0123456789 +.-()", max_size=20),
        st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789 ._&'-\"«»", max_size=14),
        st.text("aZ9 '\"«»“”.-", max_size=6),  # sender names with quotes and spaces at the ends
    )
)
def test_canonical_lookup_is_idempotent(text: str) -> None:
    canonical = canonical_lookup(text)
    if canonical is not None:
        assert canonical_lookup(canonical) == canonical


def test_a_quoted_sender_name_with_a_space_inside_the_quotes_has_one_key() -> None:
    # Found by the property above: `AMELI '` gave `AMELI ` (trailing space), `AMELI` on lookup.
    assert canonical_lookup("AMELI '") == canonical_lookup("« AMELI »") == "AMELI"
    # And later: `A' «` gave `A'` (the space stopped the quotes' strip), `A` on lookup.
    assert canonical_lookup("A' «") == canonical_lookup("A'") == "A"
