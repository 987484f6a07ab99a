"""Train the span tagger (socialscreen/models/tagger.py): which words are offensive. Called by `python -m training.train`; `python -m training.tagger` trains it
alone and prints its cross-validated figures (nothing written).

Words come from the normalised text, split into sentences as the screener splits them. A
word is positive when it overlaps an `offensive_language` span of a project post, or a TOXIC
span of a public toxic-spans record allowed for training; a word inside only a
`disparagement` or `discriminatory_language` span is left out; every other word is negative.
"""
from __future__ import annotations

import sys
import time
import zlib
from dataclasses import dataclass

import numpy as np

from socialscreen.models.tagger import quoted_flags, sentence_features, tokenise

BITS = 18
C = 1.0
FOLDS = 5
SEED = 13
TOXIC_WEIGHT = 1.0
POSITIVE = ("offensive_language", "TOXIC")
# left out: a discriminatory span holds the group word ("muslims are vermin"), which is not the
# offensive word (the sentence classifier judges discrimination); belittling is the sentence
# classifier's to draw too
IGNORED = ("disparagement", "discriminatory_language")


@dataclass
class Words:
    rows: list            # (indices, values) per word
    y: list
    weight: list
    post: list            # post id per word
    project: list         # True for the project's own posts


def _gold(post):
    from training.corpus import _gold_ranges
    return _gold_ranges(post)


def words(posts, nlp, toxic_weight: float = TOXIC_WEIGHT) -> Words:
    from socialscreen.prepare import normalise
    out = Words([], [], [], [], [])
    for post in posts:
        is_toxic = post["id"].startswith("toxic-")
        w = toxic_weight if is_toxic else 1.0
        if w <= 0:
            continue
        gold = _gold(post)
        pos = [r for c in POSITIVE for r in gold.get(c, [])] + \
              ([tuple(e["_range"]) for e in post["expect"]] if is_toxic else [])
        ign = [r for c in IGNORED for r in gold.get(c, [])]
        norm = normalise(post["text"])
        doc = nlp(norm.text)
        for sent in doc.sents:
            piece = norm.text[sent.start_char:sent.end_char]
            toks = tokenise(piece)
            if not toks:
                continue
            feats = sentence_features([t for _s, _e, t in toks], quoted_flags(piece, toks), BITS)
            for (s, e, _t), f in zip(toks, feats):
                os_, oe = norm.to_original(s + sent.start_char, e + sent.start_char)
                label = any(a < oe and os_ < b for a, b in pos)
                if not label and any(a < oe and os_ < b for a, b in ign):
                    continue
                out.rows.append(f)
                out.y.append(int(label))
                out.weight.append(w)
                out.post.append(post["id"])
                out.project.append(not is_toxic)
    return out


def matrix(rows):
    from scipy.sparse import csr_matrix
    indptr = [0]
    idx, vals = [], []
    for i, v in rows:
        idx += i
        vals += v
        indptr.append(len(idx))
    return csr_matrix((np.array(vals, dtype=np.float64), np.array(idx, dtype=np.int64), np.array(indptr)),
                      shape=(len(rows), 1 << BITS))


def fit(X, y, w):
    from sklearn.linear_model import LogisticRegression
    clf = LogisticRegression(C=C, solver="liblinear", random_state=SEED, max_iter=300)
    clf.fit(X, y, sample_weight=w)
    return clf.coef_[0].astype(np.float64), float(clf.intercept_[0])


def train_tagger(posts, toxic, nlp, toxic_weight: float = TOXIC_WEIGHT, log=sys.stderr):
    """(weights, bias, oof) where oof maps a project post id to its words' out-of-fold
    probabilities [(index of word in the post, probability, label)]."""
    t0 = time.time()
    data = words(list(posts) + list(toxic), nlp, toxic_weight)
    X = matrix(data.rows)
    y = np.array(data.y)
    w = np.array(data.weight)
    project = np.array(data.project)
    folds = np.array([zlib.crc32(p.encode()) % FOLDS for p in data.post])
    print(f"  tagger: {len(y)} words ({int(project.sum())} from project posts), {int(y.sum())} positive "
          f"({time.time() - t0:.0f} s)", file=log)
    oof = np.zeros(len(y))
    for k in range(FOLDS):
        tr = ~project | (folds != k)
        te = project & (folds == k)
        wk, bk = fit(X[tr], y[tr], w[tr])
        oof[te] = 1.0 / (1.0 + np.exp(-(X[te] @ wk + bk)))
    W, b = fit(X, y, w)
    print(f"  tagger: trained ({time.time() - t0:.0f} s)", file=log)
    by_post: dict = {}
    for i in np.flatnonzero(project):
        by_post.setdefault(data.post[i], []).append((float(oof[i]), int(y[i])))
    return W, b, by_post


def post_figures(posts, by_post, threshold):
    """Post-level precision / recall of 'some word at or above threshold' against 'has an
    offensive or discriminatory span', and the share of clean posts it flags."""
    tp = fp = fn = clean = clean_flagged = 0
    for p in posts:
        gold = any(e["category"] in POSITIVE for e in p["expect"])
        pred = any(pr >= threshold for pr, _y in by_post.get(p["id"], []))
        tp += gold and pred
        fp += pred and not gold
        fn += gold and not pred
        if not p["expect"]:
            clean += 1
            clean_flagged += pred
    return (tp / max(1, tp + fp), tp / max(1, tp + fn), clean_flagged / max(1, clean))


def main() -> int:
    import argparse

    import spacy

    from training.corpus import project_posts, toxic_span_posts
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--toxic-weight", type=float, default=TOXIC_WEIGHT)
    ap.add_argument("--C", type=float, default=C)
    args = ap.parse_args()
    globals()["C"] = args.C
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    posts = project_posts()
    _W, _b, by_post = train_tagger(posts, toxic_span_posts(), nlp, args.toxic_weight)
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        p, r, cf = post_figures(posts, by_post, t)
        print(f"word >= {t:.1f}: post P {p:.3f} R {r:.3f}  clean posts flagged {cf:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
