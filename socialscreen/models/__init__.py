"""The learned context layer: model files shipped as data (`patterns/models/<name>/`), scored
per sentence of a post. Knows nothing of packs, like every kind: it says how likely each
sentence is to hold each category; `decide.py` combines that with the rules' hits.

A model folder holds `weights.npy` (hashed-feature weights, one column per category, then one
per characteristic), optionally `tagger.npy` (the span tagger's word weights: which words of
a sentence are the offensive or discriminatory ones, `tagger.py`), `meta.json` (categories,
biases, the calibrated thresholds, how it was trained) and `CARD.md` (what it was trained on,
how it scores, what it gets wrong). It is
trained by `python -m training.train` from the corpus in the repository; nothing is
downloaded at run time.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from .features import Concepts, featurise, featurise_words, quoted_words, sentence_tokens, tokens
from .tagger import SpanTagger


@dataclass(frozen=True)
class SentenceScores:
    start: int                 # in the normalised text
    end: int
    scores: dict               # category -> probability
    characteristic: str = ""   # the likeliest protected characteristic (for discriminatory language)
    words: tuple = ()          # the span tagger's (start, end, probability) per word, when it has one


class ContextModel:
    def __init__(self, folder: Path):
        folder = Path(folder)
        try:
            self.meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            weights = np.load(folder / "weights.npy", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise DataError(folder, None, f"not a readable context model ({exc.__class__.__name__}); "
                                          f"retrain it with python -m training.train") from None
        self.name = self.meta.get("name", folder.name)
        self.categories = tuple(self.meta["categories"])
        self.characteristics = tuple(self.meta.get("characteristics", ()))
        # categories judged on the whole post with its profile (missing_disclaimer), not per sentence
        self.post_categories = tuple(self.meta.get("post_categories", ()))
        self.covered = self.categories + self.post_categories
        self.bits = int(self.meta["features"]["bits"])
        if weights.shape != (1 << self.bits, len(self.categories) + len(self.characteristics) + len(self.post_categories)):
            raise DataError(folder / "weights.npy", None, "shape does not match meta.json")
        self.weights = weights.astype(np.float32)
        self.bias = np.array(self.meta["bias"], dtype=np.float32)
        self.char_bias = np.array(self.meta.get("characteristic_bias", []), dtype=np.float32)
        self.post_bias = np.array(self.meta.get("post_bias", []), dtype=np.float32)
        self.thresholds = self.meta["thresholds"]
        self.concepts = None
        if (folder / "concepts.json").is_file():
            try:
                self.concepts = Concepts(json.loads((folder / "concepts.json").read_text(encoding="utf-8")))
            except (OSError, ValueError, AttributeError, TypeError) as exc:
                raise DataError(folder / "concepts.json", None, f"not readable ({exc.__class__.__name__}); "
                                                                f"retrain with python -m training.train") from None
        self.tagger = None
        tmeta = self.meta.get("tagger")
        if tmeta:
            try:
                tw = np.load(folder / "tagger.npy", allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise DataError(folder / "tagger.npy", None, f"not readable ({exc.__class__.__name__}); "
                                                             f"retrain with python -m training.train") from None
            if tw.shape != (1 << int(tmeta["bits"]),):
                raise DataError(folder / "tagger.npy", None, "shape does not match meta.json's tagger bits")
            self.tagger = SpanTagger(tw, tmeta["bias"], int(tmeta["bits"]), tmeta["span"])
        self._offensive = self.categories.index("offensive_language") if "offensive_language" in self.categories else None
        self._words_from = min([float(tmeta.get("floor", 0.0)) if tmeta else 0.0]
                               + [float(self.thresholds[c]["add"]) for c in ("offensive_language",) if c in self.thresholds])

    def score(self, analysis, account: str) -> list:
        """One SentenceScores per non-blank sentence of the analysed text."""
        out = []
        text = analysis.text
        n = len(self.categories)
        sents = [(x.start_char, x.end_char) for x in analysis.doc.sents if text[x.start_char:x.end_char].strip()]
        sent_words = sentence_tokens(text, sents)     # one pass over the post, not one per sentence
        for i, (s, e) in enumerate(sents):
            # the sentence, and the words of the two sentences either side as context
            lo, hi = max(0, i - 2), min(len(sents) - 1, i + 2)
            if sent_words is not None:
                idx, vals = featurise_words(sent_words[i], self.bits, ("account:" + account,),
                                            {w for j in range(lo, hi + 1) for w in sent_words[j]}, self.concepts,
                                            quoted_words(text[s:e], self.concepts) if self.concepts is not None else ())
            else:
                idx, vals = featurise(text[s:e], self.bits, ("account:" + account,),
                                      context=text[sents[lo][0]:sents[hi][1]], concepts=self.concepts)
            if not len(idx):
                continue
            z = np.asarray(vals, dtype=np.float32) @ self.weights[idx]
            probs = 1.0 / (1.0 + np.exp(-(z[:n] + self.bias)))
            char = ""
            if self.characteristics:
                char = self.characteristics[int(np.argmax(z[n:n + len(self.characteristics)] + self.char_bias))]
            # the tagger's words serve only a sentence the decision stage could read as offensive
            # (at or above the tagger's floor, or the offensive add threshold): skip it elsewhere
            words = ()
            if self.tagger is not None and (self._offensive is None or probs[self._offensive] >= self._words_from):
                words = tuple(self.tagger.word_probs(text, s, e))
            out.append(SentenceScores(s, e, dict(zip(self.categories, probs.tolist())), char, words))
        return out


    def post_scores(self, analysis, account: str, attachments=()) -> dict:
        """category -> probability for the post-level categories: the whole post, with the
        account type, the words of the profile and the attachments' types and alt texts as
        features of their own."""
        if not self.post_categories:
            return {}
        idx, vals = featurise(analysis.text, self.bits, post_extras(account, analysis.profile, attachments),
                              concepts=self.concepts)
        if not len(idx):
            return {c: 0.0 for c in self.post_categories}
        first = len(self.categories) + len(self.characteristics)
        z = np.asarray(vals, dtype=np.float32) @ self.weights[idx, first:]
        probs = 1.0 / (1.0 + np.exp(-np.clip(z + self.post_bias, -30.0, 30.0)))
        return dict(zip(self.post_categories, probs.tolist()))


def post_extras(account: str, profile, attachments=()) -> tuple:
    """The whole-post units' extra features: the account type, each word of the profile, and
    for each attachment its type and the words of its alt text (`attachments`: (type, alt
    text) pairs, the alt text normalised as the post is)."""
    out = {"profile:" + w for w in tokens(profile or "")}
    for kind, alt in attachments:
        out.add("att:" + kind)
        out.update("alt:" + w for w in tokens(alt or ""))
    return ("account:" + account,) + tuple(sorted(out))


_LOADED: dict = {}


def load_model(name: str, root: Path) -> ContextModel:
    """A model from root/models/<name>, loaded once per process (a handful at most)."""
    folder = Path(root) / "models" / name
    key = str(folder.resolve())
    if key not in _LOADED:
        if not (folder / "meta.json").is_file():
            raise DataError(folder, None, f"no context model {name!r} here (train one with python -m training.train, "
                                          f"or pass context=None for rules only)")
        if len(_LOADED) >= 4:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = ContextModel(folder)
    return _LOADED[key]
