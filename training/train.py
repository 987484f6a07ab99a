"""Train the learned context layer: `python -m training.train` (deterministic).

Reads the corpus (training/corpus.py), fits one logistic regression per category over hashed
word and character n-grams of each sentence (socialscreen/models/features.py), estimates
out-of-fold scores with grouped 5-fold cross-validation, and calibrates how model and rules
combine per category (a threshold to add a finding the rules missed, a threshold below which
a rule's hit is vetoed) on those out-of-fold scores against the rules' own output. Writes
`patterns/models/context/` (weights.npy, meta.json, CARD.md), shipped in the wheel.

    python -m training.train                 # train and write the model
    python -m training.train --check         # train and compare with the shipped files
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import zlib
from collections import defaultdict
from pathlib import Path

import numpy as np

from socialscreen.models.features import featurise
from training.corpus import ROOT, SPAN_CATEGORIES, project_posts, toxic_span_posts, units

BITS = 17
C = 4.0
FOLDS = 5
SEED = 13
# The public toxic-spans sentences (Civil Comments) lowered cross-validated precision and recall
# on the project's posts at weight 0.5 and 0.15 (2026-12-07): they are loaded but not used.
# `--toxic-weight` to try again.
TOXIC_WEIGHT = 0.0
OUT = ROOT / "patterns" / "models" / "context"
CHARACTERISTICS = ("age", "disability", "gender_reassignment", "marriage_civil_partnership",
                   "pregnancy_maternity", "race", "religion_belief", "sex", "sexual_orientation")


def matrix(us):
    from scipy.sparse import csr_matrix
    rows, cols, vals = [], [], []
    for i, u in enumerate(us):
        idx, v = featurise(u.text, BITS, ("account:" + u.account,), context=u.context)
        rows += [i] * len(idx)
        cols += idx
        vals += v
    return csr_matrix((np.array(vals, dtype=np.float64), (rows, cols)), shape=(len(us), 1 << BITS))


def fit(X, y, w):
    from sklearn.linear_model import LogisticRegression
    clf = LogisticRegression(C=C, solver="liblinear", random_state=SEED, max_iter=200)
    clf.fit(X, y, sample_weight=w)
    return clf.coef_[0].astype(np.float64), float(clf.intercept_[0])


def fold_of(post_id: str) -> int:
    return zlib.crc32(post_id.encode()) % FOLDS


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def rule_categories(posts):
    """post id -> (categories some rule that cannot be vetoed flags, categories only vetoable
    rules flag), each post under its own pack, rules alone (as decide.py sees them before the
    layer)."""
    import socialscreen
    out, screeners = {}, {}
    for p in posts:
        s = screeners.get(p["policy"]) or screeners.setdefault(p["policy"], socialscreen.Screener(p["policy"], context=None))
        r = s.screen(p["text"], account=p.get("account", "personal"), profile=p.get("profile"),
                     attachments=p.get("attachments"))
        text_findings = [f for f in r.findings if f.attachment is None]
        vetoable = {r.id for r in s.rules if r.vetoable}
        hard = {f.category for f in text_findings if f.rule not in vetoable}
        soft = {f.category for f in text_findings} - hard
        out[p["id"]] = (hard, soft)
    return out


def calibrate(posts, oof, rules):
    """Per category: (add, veto) thresholds maximising F1 of the combined post-level decision."""
    out = {}
    for c in SPAN_CATEGORIES:
        gold = np.array([any(e["category"] == c for e in p["expect"]) for p in posts])
        score = np.array([oof.get(p["id"], {}).get(c, 0.0) for p in posts])
        hard = np.array([c in rules[p["id"]][0] for p in posts])
        soft = np.array([c in rules[p["id"]][1] for p in posts])
        rule = hard | soft
        base_tp = int((rule & gold).sum()); base_fp = int((rule & ~gold).sum()); base_fn = int((~rule & gold).sum())
        floor = min(0.85, base_tp / max(1, base_tp + base_fp)) - 0.02   # never much less precise than the rules
        best = None
        for add in np.arange(0.30, 0.96, 0.05):
            for veto in (0.0, 0.02, 0.05, 0.1, 0.15, 0.2):
                pred = hard | (soft & (score >= veto)) | (~rule & (score >= add))
                tp = int((pred & gold).sum()); fp = int((pred & ~gold).sum()); fn = int((~pred & gold).sum())
                p_ = tp / (tp + fp) if tp + fp else 1.0
                r_ = tp / (tp + fn) if tp + fn else 1.0
                f = 2 * p_ * r_ / (p_ + r_) if p_ + r_ else 0.0
                key = (p_ >= floor, round(f, 4), p_)
                if best is None or key > best[0]:
                    best = (key, float(round(add, 2)), veto, p_, r_)
        out[c] = {"add": best[1], "veto": best[2], "cv_precision": round(best[3], 3), "cv_recall": round(best[4], 3),
                  "rules_precision": round(base_tp / max(1, base_tp + base_fp), 3),
                  "rules_recall": round(base_tp / max(1, base_tp + base_fn), 3)}
    return out


def train(write: bool = True, dump: str = "", toxic_weight: float = TOXIC_WEIGHT, out: Path = OUT):
    import spacy
    t0 = time.time()
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    posts = project_posts()
    toxic = toxic_span_posts()
    pu = units(posts, nlp)
    tu = units(toxic, nlp, weight=toxic_weight) if toxic_weight else []
    all_units = pu + tu
    X = matrix(all_units)
    W = np.zeros(((1 << BITS), len(SPAN_CATEGORIES)), dtype=np.float64)
    b = np.zeros(len(SPAN_CATEGORIES))
    weights = np.array([u.weight for u in all_units])
    folds = np.array([fold_of(u.post) for u in all_units])
    is_project = np.array([i < len(pu) for i in range(len(all_units))])
    oof_units = np.zeros((len(all_units), len(SPAN_CATEGORIES)))
    for j, c in enumerate(SPAN_CATEGORIES):
        y = np.array([c in u.labels for u in all_units], dtype=int)
        for k in range(FOLDS):
            tr, te = folds != k, (folds == k) & is_project
            w_, b_ = fit(X[tr], y[tr], weights[tr])
            oof_units[te, j] = sigmoid(X[te] @ w_ + b_)
        W[:, j], b[j] = fit(X, y, weights)
        print(f"  {c}: trained ({time.time() - t0:.0f} s)", file=sys.stderr)
    # characteristic of a discriminatory sentence (multinomial over the nine)
    disc = [(i, u) for i, u in enumerate(pu) if "discriminatory_language" in u.labels]
    char_of = {}
    for p in posts:
        for e in p["expect"]:
            if e["category"] == "discriminatory_language" and e.get("characteristic"):
                char_of.setdefault(p["id"], []).append(e["characteristic"])
    ci, cy = [], []
    for i, u in disc:
        chars = char_of.get(u.post)
        if chars:
            ci.append(i)
            cy.append(CHARACTERISTICS.index(max(sorted(set(chars)), key=chars.count)))   # ties: alphabetical
    # one-vs-rest liblinear: deterministic (lbfgs's multinomial fit was not, run to run)
    Wc = np.zeros(((1 << BITS), len(CHARACTERISTICS)))
    bc = np.zeros(len(CHARACTERISTICS))
    Xc, yc = X[ci], np.array(cy)
    for k in range(len(CHARACTERISTICS)):
        if (yc == k).any():
            Wc[:, k], bc[k] = fit(Xc, (yc == k).astype(int), np.ones(len(yc)))
        else:
            bc[k] = -10.0
    # post-level out-of-fold scores: the highest sentence
    oof = defaultdict(dict)
    for i, u in enumerate(pu):
        for j, c in enumerate(SPAN_CATEGORIES):
            oof[u.post][c] = max(oof[u.post].get(c, 0.0), float(oof_units[i, j]))
    rules = rule_categories(posts)
    thresholds = calibrate(posts, oof, rules)
    if dump:
        with open(dump, "w", encoding="utf-8") as fh:
            for p in posts:
                fh.write(json.dumps({"id": p["id"], "oof": oof.get(p["id"], {}),
                                     "rules": sorted(rules[p["id"]][0] | rules[p["id"]][1]),
                                     "gold": sorted({e["category"] for e in p["expect"]})}) + "\n")
    weights16 = np.concatenate([W, Wc], axis=1).astype(np.float16)
    corpus_hash = hashlib.sha256()
    for p in posts:
        corpus_hash.update(json.dumps(p, sort_keys=True).encode())
    meta = {
        "name": "context", "version": 1, "features": {"kind": "hashed word 1-2 grams + char 3-5 grams", "bits": BITS},
        "categories": list(SPAN_CATEGORIES), "characteristics": list(CHARACTERISTICS),
        "bias": [round(float(x), 6) for x in b], "characteristic_bias": [round(float(x), 6) for x in bc],
        "thresholds": thresholds,
        "training": {"project_posts": len(posts), "sentence_units": len(pu), "toxic_spans_posts": len(toxic),
                     "toxic_spans_units": len(tu), "toxic_spans_weight": toxic_weight, "corpus_sha256": corpus_hash.hexdigest(), "C": C,
                     "folds": FOLDS, "seed": SEED},
    }
    print(f"trained in {time.time() - t0:.0f} s", file=sys.stderr)
    if write:
        out.mkdir(parents=True, exist_ok=True)
        np.save(out / "weights.npy", weights16, allow_pickle=False)
        (out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        (out / "CARD.md").write_text(card(meta), encoding="utf-8")
    return meta, weights16


def card(meta) -> str:
    """The model card: what it is, what it learnt from, how it combines with the rules, and
    (from training/measured.md, written after each blind scoring) how it scores and fails."""
    t = meta["training"]
    rows = "\n".join(
        f"| {c} | {v['add']:.2f} | {v['veto']:.2f} | {v['cv_precision']:.2f} / {v['cv_recall']:.2f} | "
        f"{v['rules_precision']:.2f} / {v['rules_recall']:.2f} |" for c, v in meta["thresholds"].items())
    measured = ROOT / "training" / "measured.md"
    return f"""# Model card: socialscreen context layer `{meta['name']}` (version {meta['version']})

Generated by `python -m training.train`; do not edit by hand (edit `training/measured.md`).

**What it is.** One logistic regression per category over hashed word (1-2) and character
(3-5) n-grams of a sentence, with the words of the two sentences either side and the account
type as extra features ({meta['features']['bits']}-bit feature space, float16 weights), and one
more per Equality Act characteristic (one-vs-rest) to name the characteristic of a
discriminatory sentence. It scores every sentence of a post; `decide.py` adds a finding where
the rules found nothing and the score reaches `add`, and drops a category's hits when every
one comes from a rule marked `vetoable: true` (the offensive and discriminatory word lists)
and no sentence reaches `veto`. Other rules (checksummed numbers, names, patterns) are never
vetoed. Categories: {', '.join(meta['categories'])}.

**What it learnt from.** {t['project_posts']} labelled posts the project owns
(`training/data/*.jsonl`, hand-written, and the scored blind sets listed in
`training/corpus.py`), {t['sentence_units']} sentence units. The {t['toxic_spans_posts']} public
SemEval-2021 toxic-spans records allowed for training (`in_eval_external: false`; CC0-1.0) are
read at weight {t['toxic_spans_weight']} ({t['toxic_spans_units']} sentences used): at 0.5 and 0.15
they lowered cross-validated precision and recall on the project's posts. Corpus SHA-256
`{t['corpus_sha256'][:16]}…`; C = {t['C']}, {t['folds']}-fold grouped cross-validation, seed {t['seed']}.
Never trained on `../shared/eval/external/`, the SemEval test split, Davidson et al. or ToxiGen.

**How rules and model combine** (thresholds calibrated on out-of-fold scores of the project's
posts against the rules' own output; post-level precision / recall):

| category | add at | veto below | rules + model (CV) | rules alone (CV) |
|---|---|---|---|---|
{rows}

{measured.read_text(encoding='utf-8') if measured.is_file() else ''}"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="train and compare with the shipped model files")
    ap.add_argument("--dump-oof", default="", help="write each training post's out-of-fold scores here (JSONL)")
    ap.add_argument("--out", type=Path, default=OUT, help="the model folder to write (default: the shipped one)")
    ap.add_argument("--card", action="store_true", help="only rewrite CARD.md from meta.json and training/measured.md")
    ap.add_argument("--toxic-weight", type=float, default=TOXIC_WEIGHT,
                    help="weight of the public toxic-spans sentences (default %(default)s: measured, see above)")
    args = ap.parse_args(argv)
    if args.card:
        meta = json.loads((OUT / "meta.json").read_text(encoding="utf-8"))
        (OUT / "CARD.md").write_text(card(meta), encoding="utf-8")
        return 0
    meta, weights = train(write=not args.check, dump=args.dump_oof, toxic_weight=args.toxic_weight, out=args.out)
    for c, t in meta["thresholds"].items():
        print(f"{c:26} add>={t['add']:.2f} veto<{t['veto']:.2f}  cv P/R {t['cv_precision']:.2f}/{t['cv_recall']:.2f}"
              f"  rules alone P/R {t['rules_precision']:.2f}/{t['rules_recall']:.2f}")
    if args.check:
        shipped = np.load(OUT / "weights.npy", allow_pickle=False)
        same = shipped.shape == weights.shape and bool(np.array_equal(shipped, weights))
        shipped_meta = json.loads((OUT / "meta.json").read_text(encoding="utf-8"))
        same = same and shipped_meta["thresholds"] == meta["thresholds"]
        print("shipped model reproduced" if same else "DIFFERENT from the shipped model")
        if not same and shipped.shape == weights.shape:
            names = meta["categories"] + meta["characteristics"]
            for j, name in enumerate(names):
                d = np.abs(shipped[:, j].astype(np.float32) - weights[:, j].astype(np.float32)).max()
                if d:
                    print(f"  {name}: largest weight difference {d:.4g}")
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
