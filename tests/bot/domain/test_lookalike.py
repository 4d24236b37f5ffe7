"""Look-alike domains, on hand-made domains: positive and negative."""

from __future__ import annotations

import pytest

from bot.domain.lookalike import lookalike, within_one_edit
from bot.domain.numbers import parse_any
from bot.domain.official import is_official_domain, official_name


@pytest.mark.parametrize(
    "domain",
    [
        "ameli.fr",
        "compte.ameli.fr",
        "impots.gouv.fr",
        "www.caf.fr",
        "laposte.fr",
        "boutique-deco.test",
        "bit.ly",
        "amelie-fleurs.test",
    ],
)
def test_not_lookalike(domain: str) -> None:
    assert lookalike(domain) is None


@pytest.mark.parametrize(
    ("domain", "brand"),
    [
        ("ameli-remboursement.xyz", "ameli"),
        ("impots-gouv.info", "impots"),
        ("ameli.fr.secure-login.test", "ameli"),  # brand in front of another registrable domain
        ("arneli.test", "ameli"),  # rn -> m homoglyph
        ("amelli.test", "ameli"),  # one edit away
        ("antai-paiement.test", "antai"),
        ("caf-aide.test", "caf"),
        ("chronopost-livraison.test", "carriers"),
    ],
)
def test_lookalike(domain: str, brand: str) -> None:
    found = lookalike(domain)
    assert found is not None and found[0].key == brand


def test_official_domains_and_suffixes() -> None:
    assert is_official_domain("ameli.fr")
    assert is_official_domain("cybermalveillance.gouv.fr")
    assert not is_official_domain("ameli-fr.test")


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("3646", "Assurance Maladie"),
        ("3230", "CAF"),
        ("3949", "France Travail"),
        ("33700", "33700"),
        ("0 805 805 817", "Info Escroqueries"),
        ("38455", "Chèque énergie"),
    ],
)
def test_official_name(raw: str, name: str) -> None:
    assert official_name(parse_any(raw)) == name


def test_not_official_number() -> None:
    assert official_name(parse_any("36105")) is None
    assert official_name(parse_any("06 12 34 56 78")) is None
    assert official_name(None) is None


def test_within_one_edit() -> None:
    assert within_one_edit("ameli", "amel")
    assert within_one_edit("ameli", "aemli")
    assert not within_one_edit("ameli", "amazon")
