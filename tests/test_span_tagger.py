"""The span tagger: word probabilities from a shipped weights file, spans joined from words, and
its two uses in decide.py (narrowing the layer's offensive findings to the words; adding the
words it alone is sure of), on the production road."""
from __future__ import annotations

import json
import shutil
import zlib

import numpy as np

import socialscreen
from socialscreen.data import patterns_dir
from socialscreen.models.tagger import spans_of, tokenise


def test_words_keep_their_disguises_and_emoji_whole():
    assert [w for _s, _e, w in tokenise("You f*cking $hit 🍆 can't")] == ["you", "f*cking", "$hit", "🍆", "can't"]


def test_spans_join_neighbouring_words_but_not_across_a_sentence_end():
    text = "proper thick idiot. Absolute clown"
    words = [(s, e, p) for (s, e, _w), p in zip(tokenise(text), (0.1, 0.9, 0.8, 0.9, 0.1))]
    assert [text[a:b] for a, b, _p in spans_of(words, 0.5, text)] == ["thick idiot", "Absolute"]


def test_the_shipped_tagger_ranks_the_insult_above_its_neighbours():
    s = socialscreen.Screener("b3")
    tagger = s.context_model.tagger
    assert tagger is not None
    text = "honestly you are an idiot"
    probs = {text[a:b]: p for a, b, p in tagger.word_probs(text)}
    assert probs["idiot"] > max(probs["honestly"], probs["you"], probs["are"])


def _own_patterns_with_a_hot_word(tmp_path, word):
    """A copy of the shipped patterns whose tagger is sure of one made-up word."""
    own = tmp_path / "patterns"
    shutil.copytree(patterns_dir(), own)
    folder = own / "models" / "context"
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    bits = meta["tagger"]["bits"]
    weights = np.load(folder / "tagger.npy")
    weights[zlib.crc32(("w:" + word).encode()) & ((1 << bits) - 1)] = 60.0
    np.save(folder / "tagger.npy", weights)
    meta["tagger"]["floor"] = 0.0          # whatever the sentence classifier makes of the sentence
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return own


def test_the_tagger_alone_adds_the_word_and_says_so(tmp_path):
    own = _own_patterns_with_a_hot_word(tmp_path, "zorblat")
    s = socialscreen.Screener("b3", patterns_dir=str(own))
    text = "Lovely morning at the allotment, but you are a zorblat Kevin"
    found = [f for f in s.screen(text).findings if f.category == "offensive_language"]
    assert [f.text for f in found] == ["zorblat"]
    assert found[0].rule == "model.offensive-language" and "span tagger" in found[0].why and found[0].clauses
    # the pack switching the layer off for the category switches the tagger off too
    pack = own / "packs" / "b3.yaml"
    pack.write_text(pack.read_text(encoding="utf-8") + "\ncontext_model:\n  exclude: [offensive_language]\n",
                    encoding="utf-8")
    s = socialscreen.Screener("b3", patterns_dir=str(own))
    assert not [f for f in s.screen(text).findings if f.category == "offensive_language"]
