"""SimHash over normalised report texts, to group the same scam template into one campaign.

Scammers send one template with a different link, number, amount or code in each copy, and
reporters add their own words around it ("je viens de recevoir ça :"). So the text is normalised
first (lower case, accents stripped, links, numbers, amounts and codes replaced by tokens, a short
leading preamble dropped), then hashed as word 3-gram shingles: a few words added by a reporter
change only a few shingles, and the 64-bit fingerprint moves by a few bits at most.

Finding near fingerprints without comparing all pairs uses the classic banding trick: the hash is
cut into `BANDS` bands of 16 bits; two hashes within `MAX_DISTANCE` bits of each other share at
least one band exactly (pigeonhole, for distance < BANDS), so candidates are found by an indexed
equality lookup and only those are compared. Pure: no database, no web.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

BITS = 64
BANDS = 4
BAND_BITS = BITS // BANDS
# Within 3 bits, two hashes always share a band (pigeonhole); at 4 to 6 bits they usually do (90%
# at 4). Copies of one template with other links, numbers, amounts or a reporter's lead-in differ
# by 0 bits once normalised; a changed word moves a short text by about 10 bits, different
# templates sit 25+ bits apart, and two random hashes fall within 6 bits with odds near 1e-11.
MAX_DISTANCE = 6
SHINGLE = 3
# Fewer meaningful words than this and a text is not a template ("appel 06...", "regarde ça").
MIN_WORDS = 5

# Links; and (group `chain`) what a bare domain that failed had read. A try from each label or
# hyphen of `a.a.a...` or `1-1-1...` read the rest of the run again: 33 ms for 1,600 characters,
# four times that for twice as many. A try from any of the characters it read would meet the same
# top-level labels, so `chain` takes them, up to the next `www.` or `http://`, which are links.
_URL = re.compile(
    r"""(?ix)
    (?:(?:https?|hxxps?)://\S+)                                   # a link with its scheme
    | (?:www(?:\.|\[\.\])\S+)                                      # a bare www. link
    | (?:\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:(?:\.|\[\.\])[a-z0-9-]+)*
         (?:\.|\[\.\])[a-z]{2,24}\b(?:/\S*)?)                      # a bare domain, maybe a path
    | (?P<chain>\b[a-z0-9](?:(?!(?:https?|hxxps?)://|www(?:\.|\[\.\]))[a-z0-9-])*+
         (?:(?<=[a-z0-9])(?:(?:\.|\[\.\])(?:(?!(?:https?|hxxps?)://|www(?:\.|\[\.\]))[a-z0-9-])++)++)?)
    """
)
# An address; or (group `chain`) the run before an `@` that is not one, which a try from any later
# character of it would read to the same end (was 8 ms on 1,600 characters, growing as a square).
_EMAIL = re.compile(r"(?i)\b(?:[\w.+-]++@[\w-]+(?:\.[\w-]+)+\b|(?P<chain>[\w.+-]++))")
# Amounts: "1,99€", "€ 2.50", "12 eur", "1.99 euros", "$5", "1 500 €".
#
# Linear time: the plain form `\d[\d.,]*(?:\s?\d{3})*\s*<currency>` let `[\d.,]*` and the groups of
# three share a run of digits in every way, from every digit of it: normalise("1" * 800) took
# 2.4 s, 1,600 digits 20 s. Now each part takes what it can and never gives it back (giving back
# digits or spaces cannot reach a currency, which is none of them), and a match is tried once per
# run: only where a run of digits, dots and commas begins (a later digit of it can match only if
# its first one does), and not on a group of three that the run before already reads on (`1 000`:
# the try from `1` went through `000` and ended where a try from `000` would). Same matches:
# `lead`, the dots and commas before the first digit, is put back by `normalise`.
_AMOUNT = re.compile(
    r"""(?ix)
    [€$£]\s*\d[\d\s.,]*\d?
    | (?<![\d.,]) (?!(?<=\d\s)(?:\d{3})++(?![\d.,])) (?P<lead>[.,]*+)
      \d[\d.,]*+(?:\s?\d{3})*+\s*+(?:€|eur(?:os?)?\b|e\b|usd\b|\$|£)
    """
)
_PHONE = re.compile(r"(?<![\w])\+?\d[\d\s.\-/()]{6,}\d(?![\w])")
# Codes and references: anything mixing letters and digits ("A12B9", "PP-2025-11874", "x7k2"):
# a word or hyphenated words, from where the rest of its run of letters, digits and hyphens still
# holds a digit and a letter. Written as two lookaheads, that re-read the rest of the run from
# every hyphen (32 ms on 1,600 characters of `1-1-1...`, growing as a square); `_mask_codes` finds
# where each run stops holding both, once.
_CODE = re.compile(r"(?i)\b[a-z0-9]+(?:-[a-z0-9]+)*\b")
_CODE_RUN = re.compile(r"(?i)[a-z0-9-]+")
_LETTERS = re.compile(r"(?i)[a-z]+")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[a-z]+|<[a-z]+>")
# A reporter's preamble: a few words at the very start, ended by a colon, an arrow, "?" or "!".
# The spaces are taken whole (`*+`): no mark starts with a space, so giving one back never helped,
# and trying every split of a run of spaces between the three parts took 1.6 s on 1,600 spaces.
_PREAMBLE = re.compile(r"^\s*+[^:?!\n]{0,80}?\s*+(?::|->|=>|\?++|!++)\s+")
_PREAMBLE_MAX_WORDS = 12
_PREAMBLE_MAX_SEGMENTS = 3

_MASK = 2**BITS - 1
# Bit-sliced counting: each of the 64 bit positions gets a 16-bit lane in one big integer, so
# summing fingerprints counts every column at once instead of looping over 64 bits per shingle.
_LANE = 16
_SPREAD = [sum(((byte >> i) & 1) << (i * _LANE) for i in range(8)) for byte in range(256)]


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def drop_preamble(text: str) -> str:
    """Drop "je viens de recevoir ça :"-style lead-ins, when enough text remains after them.

    Up to three short leading segments are dropped, one after the other, so that a reporter's
    "encore un ?" before a template that itself starts with "AMELI : ..." ends where the bare
    copy of the template ends: both lose their lead-ins and keep the same body.
    """
    for _ in range(_PREAMBLE_MAX_SEGMENTS):
        match = _PREAMBLE.match(text)
        if match is None:
            break
        rest = text[match.end() :]
        if len(match.group(0).split()) > _PREAMBLE_MAX_WORDS or len(rest.split()) < MIN_WORDS:
            break
        text = rest
    return text


def _last_end(pattern: re.Pattern[str], text: str, start: int, end: int) -> int:
    """Where the last match of `pattern` within text[start:end] ends, or -1."""
    found = -1
    for match in pattern.finditer(text, start, end):
        found = match.end()
    return found


def _mask_codes(text: str) -> str:
    """Each code becomes `<code>`: a `_CODE` that starts before both the last letter and the last
    digit of its run (a digit of another script just after the run counts, as `\\d` reads it)."""
    pieces: list[str] = []
    last = 0
    for run in _CODE_RUN.finditer(text):
        start, end = run.span()
        limit = min(_last_end(_LETTERS, text, start, end), _last_end(_DIGITS, text, start, end + 1))
        for code in _CODE.finditer(text, start, end + 1):
            if code.start() >= limit:
                break
            pieces += [text[last : code.start()], " <code> "]
            last = code.end()
    return "".join(pieces) + text[last:]


def normalise(text: str) -> str:
    """The template behind a text: variable parts become `<url>`, `<num>`, `<amount>`, `<code>`."""
    text = strip_accents(text).lower().replace("\u2019", "'")
    text = drop_preamble(text)
    text = _EMAIL.sub(lambda m: m.group("chain") or " <email> ", text)
    text = _URL.sub(lambda m: m.group("chain") or " <url> ", text)
    text = _AMOUNT.sub(r"\g<lead> <amount> ", text)
    text = _PHONE.sub(" <num> ", text)
    text = _mask_codes(text)
    text = _DIGITS.sub(" <num> ", text)
    return " ".join(_WORD.findall(text))


def words(text: str) -> list[str]:
    return normalise(text).split()


def is_template(text: str | None) -> bool:
    """Whether a text says enough to belong to a campaign; bare numbers and one-liners do not."""
    if not text:
        return False
    return sum(1 for w in words(text) if not w.startswith("<")) >= MIN_WORDS


def shingles(tokens: list[str], size: int = SHINGLE) -> list[str]:
    if len(tokens) <= size:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]


def _feature_hash(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")


def simhash_tokens(tokens: list[str]) -> int:
    features = shingles(tokens)
    if not features:
        return 0
    total = 0
    for feature in features:
        h = _feature_hash(feature)
        for byte_no in range(8):
            total += _SPREAD[(h >> (8 * byte_no)) & 0xFF] << (8 * byte_no * _LANE)
    half = len(features)
    lane_mask = (1 << _LANE) - 1
    result = 0
    for bit in range(BITS):
        # A bit is set when more than half of the shingles set it (ties count as unset).
        if 2 * ((total >> (bit * _LANE)) & lane_mask) > half:
            result |= 1 << bit
    return result


def simhash(text: str) -> int:
    """The unsigned 64-bit SimHash of a text's normalised word 3-grams."""
    return simhash_tokens(words(text))


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & _MASK).bit_count()


def bands(value: int) -> list[int]:
    """The `BANDS` 16-bit slices of an unsigned hash, band 0 lowest."""
    return [(value >> (BAND_BITS * i)) & ((1 << BAND_BITS) - 1) for i in range(BANDS)]


def to_signed(value: int) -> int:
    """For a signed BIGINT column: the same 64 bits, read as two's complement."""
    return value - (1 << BITS) if value >= 1 << (BITS - 1) else value


def to_unsigned(value: int) -> int:
    return value & _MASK
