"""Normalise text before matching, keeping a map back to the original offsets.

Matching runs on the normalised text; every span is mapped back with
`Normalised.to_original` so that `text[start:end]` always points into the post
exactly as given.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Look-alike letters people use to slip words past filters (Cyrillic, Greek).
CONFUSABLES = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j",
    "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "ո": "n", "ս": "u",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # typographic punctuation to ASCII so patterns stay simple
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " ", "\u202f": " ", "\u2007": " ",
}
# Characters removed outright: zero-width and other invisible format characters.
INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u2061",
             "\u2062", "\u2063", "\u2064"}


@dataclass(frozen=True)
class Normalised:
    original: str
    text: str
    # origin[i] = index in original of normalised char i; origin[len(text)] = len(original)
    origin: tuple

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span [start, end) back to the original text."""
        if end <= start:
            end = start + 1
        o_start = self.origin[start]
        o_end = self.origin[end - 1] + 1
        return o_start, max(o_end, o_start + 1)


def _fold(ch: str) -> str:
    if ch in CONFUSABLES:
        return CONFUSABLES[ch]
    if ch.isascii():
        return ch
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) == 1 and folded in CONFUSABLES:
        return CONFUSABLES[folded]
    # strip diacritics: "é" -> "e" (letters only, so emoji and symbols stay as they are)
    if folded.isalpha():
        bare = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
        if bare:
            return bare
    return folded


def normalise(text: str) -> Normalised:
    """Fold look-alikes, width variants and invisible characters; keep an offset map."""
    if text.isascii():
        return Normalised(text, text, tuple(range(len(text) + 1)))
    out, origin = [], []
    for i, ch in enumerate(text):
        if ch in INVISIBLE:
            continue
        folded = _fold(ch)
        if not folded:
            continue
        # keep lone combining marks out of words ("fu\u0301ck" -> "fuck")
        if unicodedata.combining(ch):
            continue
        for c in folded:
            out.append(c)
            origin.append(i)
    origin.append(len(text))
    return Normalised(text, "".join(out), tuple(origin))
