"""A corpus of hostile report texts: every one was written by an attacker, on purpose.

Each goes through the real path in tests/test_hostile_input.py. Names say what each probes.
"""

from __future__ import annotations

CONTROL = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\n\t") + "\x7f\x85"
HOSTILE_TEXTS: dict[str, str] = {
    "control_characters": f"Colis bloque{CONTROL}payez sur colis-frais.test",
    "nul_bytes": "Votre\x00 compte\x00 ameli est suspendu\x00, ameli-secu.test",
    "rtl_override": "Facture: \u202egnp.exe\u202c ouvrez la piece jointe, facture-edf.test",
    "bidi_isolates": "Banque \u2066\u2067\u2068conseiller\u2069 rappelez le 09 75 12 34 56",
    "bidi_embeddings": "\u202a\u202b\u202cAmeli\u202d remboursement\u200e\u200f\u061c",
    "zero_width": "a\u200bm\u200ce\u200dl\u2060i\ufeff.test remboursement\u00ad en attente",
    "long_10000": "Votre colis est en attente. " + "Payez vite sur colis-frais.test ! " * 300,
    "long_line_no_spaces": "x" * 10_000,
    "sql_injection": "'; DROP TABLE reports; -- \" OR 1=1 -- ' UNION SELECT password FROM users --",
    "jinja_expression": "Votre colis {{7*7}} {{ config }} {{ ''.__class__.__mro__ }} colis.test",
    "jinja_statement": "{% for x in range(3) %}X{% endfor %} {% raw %}{{7*7}}{% endraw %} {# c #}",
    "html_script": "<script>alert('xss')</script><img src=x onerror=alert(1)> payez-ici.test",
    "html_attribute_breakout": '"><svg/onload=alert(1)>\'><iframe src="https://evil.test">',
    "javascript_link": "Cliquez javascript:alert(document.cookie) ou JaVaScRiPt:alert(1)",
    "data_and_vbscript": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg== vbscript:x",
    "markdown_link": "[ameli.fr](https://ameli-remboursement.test/login) ![x](javascript:alert(1))",
    "emoji_and_astral": "📦🚚 Votre colis 👉 colis.test 💳 𝕻𝖆𝖞𝖊𝖟 🏳️‍🌈 👩‍👩‍👧 \U0001f9ff",
    "combining_marks": "Z̴̡̢̛̗̘̙̜̝̞̟̠̀́̂̃̄̅̆̇̉̊̋̌̍̎̏̐̑̒̓̔a̶l̷g̸o ameli",
    "homoglyph_cyrillic": "Connectez-vous sur аmeli.fr (le а est cyrillique) ou pаypal.com",
    "homoglyph_punycode": "Votre banque: https://xn--mli-bma.test/connexion et xn--pypal-4ve.com",
    "newlines_and_crlf": "ligne1\r\nligne2\rligne3\n\n\n\n\n\n\n\n\n\n\nfin colis.test",
    "header_injection": "x\r\nSet-Cookie: scamline_console=stolen\r\n\r\n<h1>hi</h1>",
    "format_strings": "%s%s%s%n %x {0} {body} ${7*7} #{7*7} <%= 7*7 %>",
    "path_traversal": "../../../../etc/passwd %2e%2e%2f file:///etc/passwd",
    "csv_formula": '=HYPERLINK("https://evil.test","clic") +cmd|\' /C calc\'!A0 @SUM(1)',
    "unicode_line_separators": "ligne\u2028suite\u2029fin ameli.test",
    "private_use_and_noncharacters": "colis \ue000\uf8ff\ufdd0\uffff fin",
    "only_whitespace_and_invisibles": " \t\u200b\u00a0\u3000 ",
}
