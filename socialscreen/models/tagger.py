"""The span tagger: which words of a post are the offensive or discriminatory ones.

A logistic regression over hashed features of each word: the word, its character 3-5 grams
(a misspelt, leet or run-together word shares most of them with the word it disguises), its
shape, the two words either side and the bigrams they form, and whether it stands inside
quotation marks (quoted words are often reported, not meant). It gives every word a
probability; runs of words at or above the span threshold are the spans it is about. The
sentence classifier (`ContextModel`) says whether a sentence is offensive; the tagger says
which words, so a finding the layer adds can point at "numpty", not at the whole sentence.

The same `word_features` serve training (`training/tagger.py`) and run time, so the weights
file needs no vocabulary. Word features are cached (bounded): most words recur.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import regex

from .features import _hash

# a word: letters, digits and the symbols people hide letters with ("f*ck", "$hit", "@ss"),
# with inner apostrophes; or one emoji / symbol on its own
TOKEN = regex.compile(r"(?:[\p{L}\p{N}*$@]+(?:'[\p{L}\p{N}]+)*)|[^\s\p{L}\p{N}\p{P}\p{Z}]", regex.V1)
MAX_GRAMS_FROM = 30      # character n-grams come from a word's first 30 characters
QUOTES = frozenset("\"“”«»„")


def tokenise(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lower-cased word) for every word of the text."""
    return [(m.start(), m.end(), m.group().lower()) for m in TOKEN.finditer(text)]


def _shape(w: str) -> str:
    if any(c in "*$@" for c in w):
        return "masked"
    if w.isdigit():
        return "digits"
    if any(c.isdigit() for c in w):
        return "mixed"
    if not w[0].isalnum():
        return "symbol"
    return "len" + str(min(len(w), 12))


@lru_cache(maxsize=65536)
def _word_keys(w: str) -> tuple[tuple[str, float], ...]:
    keys = [("w:" + w, 1.0), ("s:" + _shape(w), 0.5)]
    padded = f" {w[:MAX_GRAMS_FROM]} "
    n = len(padded)
    for size in (3, 4, 5):
        for j in range(0, n - size + 1):
            keys.append(("c:" + padded[j:j + size], 0.4))
    return tuple(keys)


@lru_cache(maxsize=65536)
def _word_feats(w: str, mask: int) -> dict:
    """A word's own features, hashed and merged (a repeated n-gram counts once). Cached and
    shared: callers copy it, never change it."""
    feats: dict[int, float] = {}
    for key, v in _word_keys(w):
        h = _hash(key, mask)
        feats[h] = max(feats.get(h, 0.0), v)
    return feats


def _context_keys(pad: list, k: int, w: str, quoted: bool) -> list:
    """The features of the word at pad[k] that come from around it: the words either side,
    the bigrams they form with it, and whether it is quoted."""
    keys = [("l1:" + pad[k - 1], 0.5), ("l2:" + pad[k - 2], 0.3), ("r1:" + pad[k + 1], 0.5),
            ("r2:" + pad[k + 2], 0.3), ("lb:" + pad[k - 1] + " " + w, 0.7), ("rb:" + w + " " + pad[k + 1], 0.7)]
    if quoted:
        keys.append(("q:" + w, 0.5))
        keys.append(("q", 0.5))
    return keys


def sentence_features(words: list[str], quoted: list[bool], bits: int):
    """Per word, (indices, values) of its feature vector (not normalised: a fixed scale).
    Training's form; `SpanTagger.word_probs` scores the same features without listing them."""
    mask = (1 << bits) - 1
    out = []
    pad = ["<s>", "<s>"] + words + ["</s>", "</s>"]
    for i, w in enumerate(words):
        feats = dict(_word_feats(w, mask))
        for key, v in _context_keys(pad, i + 2, w, quoted[i]):
            h = _hash(key, mask)
            feats[h] = max(feats.get(h, 0.0), v)       # a repeated n-gram counts once
        out.append((list(feats), list(feats.values())))
    return out


def quoted_flags(text: str, toks) -> list[bool]:
    """Whether each word stands between an odd number of quotation marks before it (in the text
    given, a sentence)."""
    flags, count, pos = [], 0, 0
    for s, _e, _w in toks:
        count += sum(1 for ch in text[pos:s] if ch in QUOTES)
        pos = s
        flags.append(count % 2 == 1)
    return flags


class SpanTagger:
    """Word probabilities from `tagger.npy` (one float16 weight per hashed feature)."""

    def __init__(self, weights: np.ndarray, bias: float, bits: int, span: float):
        self.weights = weights.astype(np.float32)
        self.bias = float(bias)
        self.bits = bits
        self.span = float(span)        # a word at or above this is part of a span
        self.mask = (1 << bits) - 1
        self._own_scores: dict = {}    # word -> (its own features, their score); bounded

    def word_probs(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, float]]:
        """(start, end, probability) of every word of text[start:end], offsets into text.

        The score of sentence_features' vector, computed in two parts: a word's own features
        (the word, its shape, its n-grams) give a score cached per word; the features from
        around it are added where they are not already among its own (a feature counts once,
        at its highest value)."""
        piece = text[start:end] if (start or end is not None) else text
        toks = tokenise(piece)
        if not toks:
            return []
        words = [w for _s, _e, w in toks]
        quoted = quoted_flags(piece, toks)
        mask = self.mask
        pad = ["<s>", "<s>"] + words + ["</s>", "</s>"]
        own_scores, at, hs, deltas = [], [], [], []
        for i, w in enumerate(words):
            feats, score = self._own(w)
            own_scores.append(score)
            extra: dict[int, float] = {}
            for key, v in _context_keys(pad, i + 2, w, quoted[i]):
                h = _hash(key, mask)
                if v > extra.get(h, 0.0):
                    extra[h] = v
            for h, v in extra.items():
                d = v - feats.get(h, 0.0)
                if d > 0:
                    at.append(i)
                    hs.append(h)
                    deltas.append(d)
        z = np.array(own_scores, dtype=np.float32)
        if hs:
            z += np.bincount(at, weights=self.weights[hs] * np.array(deltas, dtype=np.float32),
                             minlength=len(words)).astype(np.float32)
        probs = 1.0 / (1.0 + np.exp(-np.clip(z + self.bias, -30.0, 30.0)))
        return [(s + start, e + start, float(p)) for (s, e, _w), p in zip(toks, probs.tolist())]

    def _own(self, w: str) -> tuple[dict, float]:
        got = self._own_scores.get(w)
        if got is None:
            feats = _word_feats(w, self.mask)
            score = float(self.weights[list(feats)] @ np.array(list(feats.values()), dtype=np.float32))
            got = (feats, score)
            if len(self._own_scores) >= 65536:          # bounded: start again rather than grow
                self._own_scores.clear()
            self._own_scores[w] = got
        return got


def spans_of(word_probs, threshold: float, text: str, gap: int = 3) -> list[tuple[int, int, float]]:
    """Runs of words at or above threshold, joined across short gaps of spaces and punctuation
    (not across a sentence end); each (start, end, highest probability)."""
    out = []
    for s, e, p in word_probs:
        if p < threshold:
            continue
        if out and s - out[-1][1] <= gap and not any(ch in ".!?\n" for ch in text[out[-1][1]:s]):
            ps, _pe, pp = out[-1]
            out[-1] = (ps, e, max(pp, p))
        else:
            out.append((s, e, p))
    return out
