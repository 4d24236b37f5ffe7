"""SimHash: one template, whatever its links, numbers, amounts and the reporter's lead-in."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.simhash import (
    BANDS,
    MAX_DISTANCE,
    bands,
    hamming,
    is_template,
    normalise,
    simhash,
    to_signed,
    to_unsigned,
)

PARCEL = (
    "Votre colis est retenu au centre de tri, des frais de {amount} sont a regler : {link} "
    "sous 48h sinon retour a l'expediteur. Ref {code}"
)
AMELI = (
    "Ameli : votre carte vitale arrive a expiration. Renouvelez-la avant le {date} sur {link} "
    "pour eviter une suspension de vos droits."
)
BANK = (
    "Votre conseiller bancaire : une operation suspecte de {amount} a ete detectee. "
    "Si ce n'est pas vous, appelez le {number} immediatement."
)
FAMILY = "Coucou maman, mon telephone est casse. Ecris-moi sur ce numero {number} c'est urgent stp"
TEMPLATES = (PARCEL, AMELI, BANK, FAMILY)
LINKS = (
    "https://colis-frais.test/a1",
    "hxxps://ameli-carte[.]test/x?id=9",
    "www.sec-cpf.fr",
    "bit.ly/3xYz1",
)
AMOUNTS = ("1,99€", "2.50 EUR", "€ 3", "500 euros", "1 500 €")
NUMBERS = ("06 39 98 12 34", "+33 7 12 34 56 78", "0975123456", "07.12.34.56.78")
PREAMBLES = (
    "",
    "je viens de recevoir ça : ",
    "Reçu ce matin: ",
    "arnaque ? ",
    "De 06 39 98 12 34 : ",
    "Bonjour, j'ai reçu ce sms bizarre, c'est une arnaque ? ",
)


def fill(template: str, rng: random.Random) -> str:
    return template.format(
        amount=rng.choice(AMOUNTS),
        link=rng.choice(LINKS),
        number=rng.choice(NUMBERS),
        code=f"PP-2025-{rng.randint(1000, 99999)}",
        date=f"{rng.randint(1, 28)}/0{rng.randint(1, 9)}",
    )


def test_normalise_masks_links_numbers_amounts_codes_and_accents() -> None:
    text = (
        "Réglez 1,99€ sur hxxps://colis[.]test/a ou www.x.fr, appelez le 06 39 98 12 34, réf A1B9"
    )
    assert normalise(text) == ("reglez <amount> sur <url> ou <url> appelez le <num> ref <code>")


def test_copies_of_one_template_hash_alike() -> None:
    rng = random.Random(5)
    for template in TEMPLATES:
        hashes = [simhash(pre + fill(template, rng)) for pre in PREAMBLES for _ in range(3)]
        assert max(hamming(hashes[0], h) for h in hashes) <= MAX_DISTANCE, template


def test_different_templates_are_far_apart() -> None:
    rng = random.Random(7)
    hashes = [simhash(fill(t, rng)) for t in TEMPLATES]
    for i, a in enumerate(hashes):
        for b in hashes[i + 1 :]:
            assert hamming(a, b) > 2 * MAX_DISTANCE


def test_bare_numbers_and_one_liners_are_not_templates() -> None:
    assert not is_template("appel 06 39 98 12 34")
    assert not is_template("regarde ça https://a.test")
    assert not is_template(None)
    assert is_template(fill(PARCEL, random.Random(1)))


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_signed_storage_keeps_all_64_bits(value: int) -> None:
    assert -(2**63) <= to_signed(value) < 2**63
    assert to_unsigned(to_signed(value)) == value


@given(
    st.integers(min_value=0, max_value=2**64 - 1),
    st.sets(st.integers(min_value=0, max_value=63), max_size=BANDS - 1),
)
def test_hashes_within_three_bits_always_share_a_band(value: int, flips: set[int]) -> None:
    other = value
    for bit in flips:
        other ^= 1 << bit
    assert hamming(value, other) == len(flips)
    assert any(a == b for a, b in zip(bands(value), bands(other), strict=True))


def test_amounts_read_as_before_the_linear_rewrite() -> None:
    # Where the amount starts: a run of digits is read from its first digit, a lone group of
    # three continues the number before it, and dots or commas before the digits stay text.
    assert normalise("payez 1 500 € ou 1 2345 € ou .50 € ou 12 234 eur vite") == (
        "payez <amount> ou <num> <amount> ou <amount> ou <amount> vite"
    )
    assert normalise("ref 1 234 567 89 puis 1 000 000 euros") == "ref <num> puis <amount>"
    assert normalise("11111111111111111111 x") == "<num> x"


def test_preamble_ends_at_the_first_mark_within_reach() -> None:
    body = "votre colis est retenu au centre de tri payez les frais"
    assert normalise("   arnaque ?   " + body) == normalise(body)
    assert normalise("vu ->  " + body) == normalise(body)
    assert normalise(" " * 1600 + body) == normalise(body)
    assert normalise("question ?! " + body).startswith("question")
