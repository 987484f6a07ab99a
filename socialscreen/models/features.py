"""Features for the learned context layer: hashed word and character n-grams.

The same function featurises text for training (`training/train.py`) and at run time, so a
model file needs no vocabulary: a feature is `crc32(kind + gram) mod 2**bits`. Words are
lower-case runs of letters, digits and apostrophes, plus each emoji or symbol as a word of its
own (emoji carry meaning: innuendo, mockery); character n-grams (3 to 5) are taken inside
each word padded with spaces, so misspellings and run-together words still share most
features with the word they disguise.
"""
from __future__ import annotations

import math
import zlib

import regex

WORD = regex.compile(r"[\p{L}\p{N}']+|[^\s\p{L}\p{N}\p{P}]", regex.V1)


def tokens(text: str) -> list[str]:
    return [w.strip("'") or w for w in WORD.findall(text.lower())]


def featurise(text: str, bits: int, extra=(), context: str = "") -> tuple[list[int], list[float]]:
    """(indices, values) of an L2-normalised sparse vector; `extra` are whole-unit tokens
    (the account) hashed as they are; the words of `context` (the whole post around a
    sentence) are features of their own, weighted lower: "reported", "not OK" elsewhere in the
    post change what a quoted slur means."""
    mask = (1 << bits) - 1
    counts: dict[int, float] = {}

    def add(key: str, weight: float = 1.0):
        h = zlib.crc32(key.encode("utf-8", "surrogatepass")) & mask
        counts[h] = counts.get(h, 0.0) + weight

    words = tokens(text)
    for i, w in enumerate(words):
        add("w:" + w)
        if i:
            add("b:" + words[i - 1] + " " + w)
        padded = f" {w} "
        n = len(padded)
        for size in (3, 4, 5):
            for j in range(0, n - size + 1):
                add("c:" + padded[j:j + size], 0.5)
    for t in extra:
        add("x:" + t)
    if context:
        for w in set(tokens(context)):
            add("p:" + w, 0.3)
    if not counts:
        return [], []
    idx = sorted(counts)
    vals = [1.0 + math.log(counts[i]) for i in idx]
    norm = math.sqrt(sum(v * v for v in vals)) or 1.0
    return idx, [v / norm for v in vals]
