"""Look-alike letters read as the Latin ones they imitate (Unicode's confusables data)."""

from __future__ import annotations

from bot.domain.homoglyphs import decode_idna, imitates_latin, latin_skeleton
from bot.domain.lookalike import lookalike


def test_cyrillic_letters_read_as_latin() -> None:
    assert latin_skeleton("\u0430meli.fr") == "ameli.fr"
    assert latin_skeleton("l\u0430p\u043este.fr") == "laposte.fr"
    assert imitates_latin("\u0430meli.fr")
    assert not imitates_latin("ameli.fr")


def test_punycode_is_decoded_before_reading() -> None:
    assert decode_idna("xn--meli-43d.fr") == "\u0430meli.fr"
    assert latin_skeleton("xn--meli-43d.fr") == "ameli.fr"
    assert decode_idna("xn--zz-not-valid.test") == "xn--zz-not-valid.test"


def test_a_host_in_look_alike_letters_imitates_the_brand_even_as_its_own_domain() -> None:
    for host in ("\u0430meli.fr", "xn--meli-43d.fr", "\u0456mpots.gouv.fr"):
        found = lookalike(host)
        assert found is not None, host
    assert lookalike("ameli.fr") is None
    assert lookalike("compte.ameli.fr") is None
