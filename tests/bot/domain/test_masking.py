"""Texts that train the classifier keep the lure and lose the person."""

from __future__ import annotations

from bot.domain.masking import mask_personal_data


def test_numbers_become_fiction_of_the_same_kind_and_other_data_goes() -> None:
    text = (
        "Bonjour Marie Curie, appelez le 06 12 34 56 78 ou le 0899 12 34 56 ou +44 7911 123456, "
        "mail jean.dupont@gmail.com, IBAN FR76 3000 6000 0112 3456 7890 189, "
        "secu 1 85 05 78 006 084 36. Frais 1,99€ sur colis-frais.test"
    )
    masked = mask_personal_data(text)
    for secret in ("Curie", "12 34 56 78", "7911", "jean.dupont", "3000 6000", "006 084"):
        assert secret not in masked
    assert "06 39 98 00 00" in masked and "08 99 00 00 00" in masked
    assert "+44 7700 900000" in masked
    assert "Frais 1,99€ sur colis-frais.test" in masked
