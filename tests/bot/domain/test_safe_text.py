"""Reported texts made safe to show: defanged, bidi and controls neutralised, folded."""

from __future__ import annotations

from bot.domain.safe_text import excerpt, safe_text


def test_links_and_bare_domains_are_defanged() -> None:
    text = safe_text("Payez sur https://colis.test/p?x=1 ou www.ameli-remb.fr vite").text
    assert "hxxps://colis[.]test/p?x=1" in text
    assert "www[.]ameli-remb[.]fr" in text
    assert "https://" not in text


def test_half_defanged_links_are_finished() -> None:
    assert safe_text("voir hxxp://evil.test/a").text == "voir hxxp://evil[.]test/a"


def test_code_running_schemes_are_broken() -> None:
    text = safe_text("javascript:alert(1) DATA:text/html,x").text
    assert "javascript[:]alert(1)" in text and "DATA[:]text" in text


def test_direction_overrides_and_invisible_characters_become_visible() -> None:
    result = safe_text("facture\u202efdp.exe\u200b\u2066x\u2069")
    assert "\u202e" not in result.text and "⟨U+202E⟩" in result.text
    assert "⟨U+200B⟩" in result.text and "⟨U+2066⟩" in result.text
    assert result.neutralised == 4


def test_control_characters_are_dropped_but_lines_kept() -> None:
    result = safe_text("a\x00b\x07c\x1b[0m\r\nd\te")
    assert result.text == "abc[0m\nd\te"


def test_long_texts_are_folded_with_a_preview() -> None:
    result = safe_text("x" * 5000)
    assert result.folded and len(result.preview) == 200 and len(result.text) == 5000
    assert not safe_text("court").folded


def test_an_excerpt_is_safe_short_and_on_one_line() -> None:
    text = "Votre colis\nest retenu : https://colis-frais.test/pay " + "frais a regler " * 20
    short = excerpt(text, limit=60)
    assert "\n" not in short and short.endswith("…") and len(short) <= 61
    assert "hxxps://colis-frais[.]test/pay" in short and "https://" not in short
    assert excerpt("\u202egnp.exe") == "⟨U+202E⟩gnp.exe"
    assert excerpt("court") == "court" and excerpt(None) == ""
