"""Features for the learned context layer: hashed word and character n-grams.

The same function featurises text for training (`training/train.py`) and at run time, so a
model file needs no vocabulary: a feature is `crc32(kind + gram) mod 2**bits`. Words are
lower-case runs of letters, digits and apostrophes, plus each emoji or symbol as a word of its
own (emoji carry meaning: innuendo, mockery); character n-grams (3 to 5) are taken inside
each word padded with spaces, so misspellings and run-together words still share most
features with the word they disguise.

Concept features (a model's `concepts.json`, written by training from the lexicons): a word of a
protected group ("muslims", "women", "pensioners") is also the concept `group` and
`group:<characteristic>`, a word of hostility ("hate", "vermin"), violence ("hang", "deport"),
exclusion ("banned", "belong"), negation or praise is that concept, and each pair of a group
with another concept in one sentence is a feature of its own. A linear model cannot learn
"hate AND a group" from words alone ("I hate Mondays", "my Muslim neighbours" are clean); the
pair features give it that, for every group at once.
"""
from __future__ import annotations

import zlib
from functools import lru_cache

import numpy as np
import regex

WORD = regex.compile(r"[\p{L}\p{N}']+|[^\s\p{L}\p{N}\p{P}]", regex.V1)


def tokens(text: str) -> list[str]:
    return [w.strip("'") or w for w in WORD.findall(text.lower())]


@lru_cache(maxsize=262144)
def _hash(key: str, mask: int) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) & mask


@lru_cache(maxsize=65536)
def _word_keys(w: str, mask: int) -> tuple[np.ndarray, np.ndarray]:
    """A word's own features, hashed: the word, then its character 3-5 grams, as (hashes,
    weights) arrays (bounded cache: most words recur, and hashing their grams was most of the
    layer's time)."""
    keys = [_hash("w:" + w, mask)]
    padded = f" {w} "
    n = len(padded)
    for size in (3, 4, 5):
        for j in range(0, n - size + 1):
            keys.append(_hash("c:" + padded[j:j + size], mask))
    weights = np.full(len(keys), 0.5)
    weights[0] = 1.0
    out = (np.array(keys, dtype=np.int64), weights)
    out[0].flags.writeable = False
    out[1].flags.writeable = False
    return out


_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0))


class Concepts:
    """word -> concept tags, from a mapping tag -> words (a model's concepts.json)."""

    PAIRED = ("hostile", "violence", "exclude", "negation", "praise", "condemn")
    HARM = ("hostile", "violence", "exclude")

    def __init__(self, tags: dict):
        self.tags = {k: tuple(sorted(set(v))) for k, v in sorted(tags.items())}
        index: dict = {}
        for tag, words in self.tags.items():
            for w in words:
                index.setdefault(w, set()).add(tag)
        self.index = {w: tuple(sorted(t)) for w, t in index.items()}
        # models trained with the `condemn` concept (v9 on) also read quotations; an older
        # model's concepts.json has no such tag, and its features stay as they were
        self.quoting = "condemn" in self.tags

    def _tags(self, words) -> set:
        found = set()
        index = self.index
        for i, w in enumerate(words):
            found.update(index.get(w, ()))
            if i:
                found.update(index.get(words[i - 1] + " " + w, ()))
        return found

    def features(self, words, quoted=()) -> list[str]:
        """`quoted`: the words inside quotation marks in the sentence ("told her to 'go back
        home'"): their concepts are also features of their own, as quoted."""
        found = self._tags(words)
        if not found:
            return []
        out = ["k:" + t for t in sorted(found)]
        groups = sorted(t for t in found if t == "group" or t.startswith("group:"))
        others = [t for t in self.PAIRED if t in found]
        out += [f"k:{g}&{o}" for g in groups for o in others]
        if "negation" in found:           # "never any good", "I don't hate them", "not vermin"
            out += [f"k:{g}&negation&{o}" for g in groups for o in self.PAIRED if o != "negation" and o in found]
        if "condemn" in found:            # "called her a ... - unacceptable", "reported it"
            out += [f"k:{h}&condemn" for h in self.HARM if h in found]
        if quoted and self.quoting:
            q = self._tags(quoted)
            out += [f"k:quoted:{t}" for t in sorted(q) if t in self.PAIRED or t == "group"]
            if "condemn" in found and not q.isdisjoint(self.HARM):
                out.append("k:quoted-harm&condemn")
        return out


QUOTED = regex.compile(r"[\"“”«»]([^\"“”«»\n]{1,120})[\"“”«»]|(?<![\w])['‘’]([^'‘’\n]{1,120}?)['‘’](?![\w])")


def quoted_words(text: str, concepts=None) -> list[str]:
    """The words inside quotation marks ("...", “...”, '...', ‘...’) in a sentence; none when
    `concepts` is given and its model does not read quotations."""
    if (concepts is not None and not concepts.quoting) or not any(q in text for q in "\"“”«»'‘’"):
        return []
    out = []
    for m in QUOTED.finditer(text):
        out += tokens(m.group(1) or m.group(2) or "")
    return out


def featurise(text: str, bits: int, extra=(), context: str = "", concepts=None) -> tuple[np.ndarray, np.ndarray]:
    """(indices, values) of an L2-normalised sparse vector, indices ascending; `extra` are
    whole-unit tokens (the account) hashed as they are; the words of `context` (the whole post
    around a sentence) are features of their own, weighted lower: "reported", "not OK"
    elsewhere in the post change what a quoted slur means. Each feature's value is
    1 + log(its weighted count): a word 1, a character n-gram 0.5, a bigram 1, a context word 0.3."""
    return featurise_words(tokens(text), bits, extra, set(tokens(context)) if context else (), concepts,
                           quoted_words(text, concepts) if concepts is not None else ())


def sentence_tokens(text: str, bounds) -> list | None:
    """tokens(text[s:e]) for each (s, e) of `bounds` (sentences in order), from one pass over
    the text; None when that would differ from tokenising each sentence alone (a word running
    across a boundary, or a character whose lower case is longer)."""
    low = text.lower()
    if len(low) != len(text):
        return None
    found = [(m.start(), m.end(), m.group()) for m in WORD.finditer(low)]
    out, k = [], 0
    for s, e in bounds:
        while k < len(found) and found[k][0] < s:
            if found[k][1] > s:
                return None
            k += 1
        words = []
        while k < len(found) and found[k][0] < e:
            if found[k][1] > e:
                return None
            w = found[k][2]
            words.append(w.strip("'") or w)
            k += 1
        out.append(words)
    return out


def featurise_words(words, bits: int, extra=(), context_words=(), concepts=None,
                    quoted=()) -> tuple[np.ndarray, np.ndarray]:
    """`featurise` of a text already split into `tokens`, its context as a set of words and
    the words it quotes (`quoted_words`)."""
    mask = (1 << bits) - 1
    hashes, weights = [], []
    for w in words:
        h, wt = _word_keys(w, mask)
        hashes.append(h)
        weights.append(wt)
    more = [_hash("b:" + words[i - 1] + " " + words[i], mask) for i in range(1, len(words))]
    more_w = [1.0] * len(more)
    for t in extra:
        more.append(_hash("x:" + t, mask))
        more_w.append(1.0)
    if concepts is not None:
        for t in concepts.features(words, quoted):
            more.append(_hash(t, mask))
            more_w.append(1.0)
    if context_words:
        ctx = [_hash("p:" + w, mask) for w in context_words]
        more += ctx
        more_w += [0.3] * len(ctx)
    if more:
        hashes.append(np.array(more, dtype=np.int64))
        weights.append(np.array(more_w))
    if not hashes:
        return _EMPTY
    h = np.concatenate(hashes)
    if not len(h):
        return _EMPTY
    idx, inverse = np.unique(h, return_inverse=True)
    vals = 1.0 + np.log(np.bincount(inverse, weights=np.concatenate(weights)))
    norm = float(np.sqrt(vals @ vals)) or 1.0
    return idx, vals / norm
