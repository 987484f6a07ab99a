"""The labelled posts the context model learns from, as sentence units.

Sources (in this order, files sorted): the project's own corpus `training/data/*.jsonl`, the
project's blind sets once they have been scored (listed in SCORED below, see eval/README.md),
and the public SemEval-2021 toxic-spans train/trial records marked `"in_eval_external": false`
(offensive spans only). Never `../shared/eval/external/`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPAN_CATEGORIES = ("service_user_identifier", "confidential_information", "offensive_language",
                   "discriminatory_language", "work_grievance", "disparagement")
# the slices the shipped model was trained on; a new slice joins when the next model is trained
SLICES = ("belittle", "described", "disclaim", "discrim", "evasion", "identifiers", "identity", "insults", "mixed",
          "offensive", "people", "people2", "prejudice", "quoting", "secrets", "ties", "tiesimages", "tone", "workplace",
          "lookalikes", "hateforms", "careids", "sneers", "threats", "comments",
          "identityplain", "negation", "stories", "putdowns", "caredetail")
# blind sets join the corpus only after they have been scored once (eval/README.md)
SCORED = ("holdout-test.jsonl", "holdout-tune.jsonl", "holdout2.jsonl", "holdout3.jsonl", "holdout4.jsonl",
          "blind5.jsonl", "blind6.jsonl", "blind7.jsonl", "blind8.jsonl", "blind9.jsonl", "blind10.jsonl",
          "blind11.jsonl", "blind12.jsonl")
TOXIC_SPANS = ROOT.parent / "shared" / "train" / "toxic_spans" / "data.jsonl"


@dataclass(frozen=True)
class Unit:
    """One sentence of one post, normalised, with the categories whose spans it overlaps."""
    post: str            # post id
    text: str            # the normalised sentence
    account: str
    labels: frozenset
    weight: float = 1.0
    context: str = ""    # the two sentences either side and itself (their words are features of their own)


def project_posts() -> list[dict]:
    """Every labelled post the model learns from, less any that shares a run of eight words
    with a blind set not yet scored (decontamination: a blind set must be unseen, even by
    coincidence of a common phrase; only ids are compared, the blind posts are never read
    into the corpus)."""
    files = [ROOT / "training" / "data" / f"{name}.jsonl" for name in SLICES]
    files += [ROOT / "eval" / name for name in SCORED if (ROOT / "eval" / name).is_file()]
    posts = []
    for path in files:
        with open(path, encoding="utf-8") as fh:
            posts += [json.loads(line) for line in fh if line.strip()]
    shared = overlapping_unscored(posts)
    return [p for p in posts if p["id"] not in shared]


def unscored_blind_sets() -> list[Path]:
    return sorted(p for p in (ROOT / "eval").glob("blind*.jsonl") if p.name not in SCORED)


def overlapping_unscored(posts) -> set:
    """Ids of corpus posts sharing an eight-word run with a post of an unscored blind set."""
    from training.overlap import read, shingles
    runs = set()
    for rec in read(unscored_blind_sets()):
        runs.update(shingles(rec["text"], 8))
    return {p["id"] for p in posts if any(sh in runs for sh in shingles(p["text"], 8))}


def toxic_span_posts(path: Path = TOXIC_SPANS) -> list[dict]:
    """Public toxic-spans records allowed for training, as offensive_language posts."""
    if not path.is_file():
        return []
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec.get("in_eval_external") is not False:
                continue
            spans = [(s, e) for s, e, *_ in rec.get("spans", [])]
            out.append({"id": f"toxic-{rec['id']}", "text": rec["text"], "account": "personal",
                        "expect": [{"category": "offensive_language", "_range": se} for se in spans],
                        "_partial": True})
    return out


def _gold_ranges(post) -> dict:
    """category -> list of (start, end) in the original text."""
    text = post["text"]
    out: dict = {}
    for e in post.get("expect", []):
        if "_range" in e:
            out.setdefault(e["category"], []).append(tuple(e["_range"]))
            continue
        span = e.get("span")
        if not span:
            continue
        start = -1
        for _ in range(e.get("occurrence", 1)):
            start = text.find(span, start + 1)
        if start >= 0:
            out.setdefault(e["category"], []).append((start, start + len(span)))
    return out


def units(posts, nlp, weight: float = 1.0) -> list[Unit]:
    """Sentence units of every post, split as the screener splits them (normalised text, the
    rule-based sentencizer). A post marked _partial (toxic spans: every post is toxic) gives
    only its positive sentences."""
    from socialscreen.prepare import normalise

    out = []
    for post in posts:
        norm = normalise(post["text"])
        gold = _gold_ranges(post)
        doc = nlp(norm.text)
        sents = [sent for sent in doc.sents if sent.text.strip()]
        for i, sent in enumerate(sents):
            os_, oe = norm.to_original(sent.start_char, sent.end_char)
            labels = frozenset(c for c, ranges in gold.items() if c in SPAN_CATEGORIES
                               and any(s < oe and os_ < e for s, e in ranges))
            if post.get("_partial") and not labels:
                continue
            around = norm.text[sents[max(0, i - 2)].start_char:sents[min(len(sents) - 1, i + 2)].end_char]
            out.append(Unit(post["id"], sent.text, post.get("account", "personal"), labels, weight, around))
    return out
