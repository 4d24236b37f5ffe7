"""Reported texts made safe to show to an analyst.

HTML escaping is the template's job (autoescape). This module does what escaping cannot:
links are defanged so that nothing can be clicked or copied into a browser by mistake,
bidirectional overrides and invisible characters are shown as visible escapes (an RTL
override can make `moc.evil` read as `live.com`), and control characters are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.domain.indicators import defang, find_urls

FOLD_CHARS = 400
PREVIEW_CHARS = 200

# Bidi embeddings, overrides, isolates and marks, zero-width and other invisible characters.
VISIBLE_ESCAPES = frozenset(
    [
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        *(0x200E, 0x200F, 0x061C, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x180E),
        *(0x2028, 0x2029),
    ]
)
# Schemes that run code or embed content when a browser follows them.
_TOKEN = re.compile(r"[^\s<>\"'«»“”]+")
_DANGEROUS_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data|file)\s*:")


@dataclass(frozen=True, slots=True)
class SafeText:
    text: str
    folded: bool
    preview: str
    neutralised: int  # how many invisible or direction characters were made visible


def _visible(char: str) -> str:
    return f"⟨U+{ord(char):04X}⟩"


def neutralise(text: str) -> tuple[str, int]:
    """Drop control characters (keeping newlines and tabs), show invisible ones as escapes."""
    out: list[str] = []
    count = 0
    for char in text:
        code = ord(char)
        if code in VISIBLE_ESCAPES:
            out.append(_visible(char))
            count += 1
        elif char in "\n\t":
            out.append(char)
        elif char == "\r":
            continue
        elif unicodedata.category(char) in ("Cc", "Cs", "Co"):
            count += 1
        else:
            out.append(char)
    return "".join(out), count


def defang_text(text: str) -> str:
    """Every link and bare domain defanged, every code-running scheme broken."""
    pieces: list[str] = []
    last = 0
    for position, _url, _domain in find_urls(text):
        if position < last:
            continue
        # The link as written (it may be half-defanged already): up to the next space.
        written = _TOKEN.match(text, position)
        end = written.end() if written else position
        pieces.append(text[last:position])
        pieces.append(defang(text[position:end]))
        last = end
    pieces.append(text[last:])
    return _DANGEROUS_SCHEME.sub(lambda m: f"{m.group(1)}[:]", "".join(pieces))


def safe_text(raw: str | None) -> SafeText:
    text, count = neutralise(raw or "")
    text = defang_text(text)
    folded = len(text) > FOLD_CHARS or text.count("\n") > 8
    preview = text[:PREVIEW_CHARS].split("\n", 1)[0] if folded else text
    return SafeText(text=text, folded=folded, preview=preview, neutralised=count)


def excerpt(raw: str | None, limit: int = 160) -> str:
    """A short line of a reported text for a list: made safe as above, whitespace folded, cut
    at a word boundary with an ellipsis."""
    text = " ".join(safe_text(raw).text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"
