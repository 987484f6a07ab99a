"""Offensive and discriminatory language on third-party text (issue 9's language
benchmark): socialscreen next to better-profanity and alt-profanity-check, in one run.

    .venv/bin/python benchmarks/quality.py                  # everything (about a minute or two)
    .venv/bin/python benchmarks/quality.py --limit 50       # a quick look: 50 records per set, spread evenly
    .venv/bin/python benchmarks/quality.py --only socialscreen

Tools:
  socialscreen         Screener(policy="b3"), account="personal", profile=None; a post is flagged
                       when it has an offensive_language or discriminatory_language finding, and
                       the spans are those findings' [start, end)
  better-profanity     profanity.contains_profanity (post); spans: the words profanity.censor hides
                       (the slowest part of the run: its censor() costs about 10 ms a post)
  alt-profanity-check  profanity_check.predict (post); no spans (n/a). Skipped, with a note, when
                       the package is not installed (pip install ".[bench]")
  socialscreen+disparagement
                       a diagnostic column from the same socialscreen run, counting disparagement
                       findings too (many insults are filed there); not one of the issue's figures
  socialscreen, discriminatory only
                       a diagnostic column from the same run counting only discriminatory_language:
                       HateCheck's "hateful" is what the policies call discriminatory language, and its
                       abuse at individuals, objects and unprotected groups is offensive_language here

Sets (from ../shared/eval/external, or --data / SOCIALSCREEN_EXTERNAL; measuring only):
  toxic_spans_semeval2021  records with split == "trial" (all posts toxic). Span recall and precision
                           are character-level, micro over the split; F1 is SemEval-2021 Task 5's:
                           per post 2|P&G|/(|P|+|G|) (1 when both are empty, 0 when only one is),
                           averaged over every post in the split. "spans hit" = gold spans that a
                           predicted span overlaps. Post recall = posts flagged at all.
  hatecheck                hateful recall; non-hateful flagged, excluding the profanity functionality
                           profanity_nh (non-hateful posts that only swear); counter-speech
                           (counter_quote_nh, counter_ref_nh) flagged; recall of each spell_*
                           functionality; flagged rate of every functionality.
  jigsaw_bias_madlibs      non-toxic flagged, toxic recall.

Deterministic, no network (connections are refused), writes benchmarks/results/quality.json.
"""
from __future__ import annotations

import difflib
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as C  # noqa: E402

TOOLS = ["socialscreen", "better-profanity", "alt-profanity-check"]
CATEGORIES = ("offensive_language", "discriminatory_language")
POLICY, ACCOUNT = "b3", "personal"
PROFANITY_FUNCTIONALITIES = ("profanity_nh",)      # excluded from "non-hateful flagged"
COUNTER_FUNCTIONALITIES = ("counter_quote_nh", "counter_ref_nh")

TARGETS = {   # issue 9, "Done when", second bullet
    "toxic_spans.span_recall": (">=", 0.60),
    "hatecheck.hateful_recall": (">=", 0.85),
    "hatecheck.nonhateful_flagged_excl_profanity": ("<=", 0.15),
    "hatecheck.spell_each_recall": (">=", 0.70),
    "madlibs.nontoxic_flagged": ("<=", 0.02),
}


# -- the tools: each returns, per text, (flagged: bool, spans: list[(start, end)] or None) ----------
def build_socialscreen(policy=POLICY, account=ACCOUNT):
    import socialscreen
    screener = socialscreen.Screener(policy=policy)

    def run(texts):
        out = []
        posts = ({"id": str(i), "text": t} for i, t in enumerate(texts))
        for r in screener.screen_many(posts, account=account, profile=None):
            spans = [(f.start, f.end) for f in r.findings if f.category in CATEGORIES]
            # the third item feeds the diagnostics: every finding's category and span
            out.append((bool(spans), spans, [(f.category, f.start, f.end) for f in r.findings]))
        return out
    return run


def censored_spans(original: str, censored: str) -> list[tuple[int, int]]:
    """Where better-profanity's censor() changed the text: it replaces a word (or a
    multi-word phrase) by four censor characters and keeps everything else, so the
    ranges of `original` that do not survive into `censored` are the censored words."""
    spans = []
    sm = difflib.SequenceMatcher(None, original, censored, autojunk=False)
    for tag, i1, i2, _j1, _j2 in sm.get_opcodes():
        if tag in ("replace", "delete") and i2 > i1:
            spans.append((i1, i2))
    return spans


def build_better_profanity():
    from better_profanity import profanity
    profanity.load_censor_words()
    mark = "\u0000"                            # never in the data, and not a word character for it

    def run(texts):
        out = []
        for t in texts:
            # contains_profanity(t) is `t != censor(t)`; one censor() call gives both answers
            censored = profanity.censor(t, mark)
            flagged = censored != t
            out.append((flagged, censored_spans(t, censored) if flagged else []))
        return out
    return run


def build_alt_profanity_check():
    from profanity_check import predict

    def run(texts):
        if not texts:
            return []
        return [(bool(p), None) for p in predict(list(texts))]
    return run


DIAGNOSTIC = "socialscreen+disparagement"
DIAGNOSTIC_NOTE = ("diagnostic, from the same socialscreen run: disparagement findings count too "
                   "(socialscreen files many insults such as 'idiot' under disparagement, not offensive_language)")


def _category_counts(preds) -> dict:
    counts = defaultdict(int)
    for p in preds:
        for cat in {c for c, _a, _b in p[2]}:
            counts[cat] += 1
    return dict(sorted(counts.items()))


def _with_disparagement(preds):
    return _only(preds, CATEGORIES + ("disparagement",))


def _only(preds, categories):
    out = []
    for p in preds:
        spans = [(a, b) for c, a, b in p[2] if c in categories]
        out.append((bool(spans), spans))
    return out


HATE_ONLY = "socialscreen, discriminatory only"
HATE_ONLY_NOTE = ("diagnostic, from the same socialscreen run: only discriminatory_language findings count. HateCheck's "
                  "'hateful' is abuse aimed at a protected group, which is what the policies call discriminatory "
                  "language; several of its non-hateful functionalities (abuse at individuals, objects, unprotected "
                  "groups) are offensive_language under every pack, which the first column counts as flagged")
DIAGNOSTICS = {DIAGNOSTIC: (DIAGNOSTIC_NOTE, _with_disparagement),
               HATE_ONLY: (HATE_ONLY_NOTE, lambda preds: _only(preds, ("discriminatory_language",)))}


BUILDERS = {"socialscreen": build_socialscreen, "better-profanity": build_better_profanity,
            "alt-profanity-check": build_alt_profanity_check}


# -- scoring ------------------------------------------------------------------------------------------
def _chars(spans) -> set:
    s = set()
    for a, b, *_ in spans:
        s.update(range(a, b))
    return s


def score_toxic_spans(records, preds):
    n_posts = len(records)
    inter = pred_total = gold_total = 0
    f1_sum = 0.0
    gold_spans = spans_hit = 0
    posts_flagged = 0
    for rec, (flagged, spans, *_) in zip(records, preds):
        posts_flagged += flagged
        if spans is None:
            continue
        g, p = _chars(rec["spans"]), _chars(spans)
        inter += len(g & p)
        pred_total += len(p)
        gold_total += len(g)
        if not g and not p:
            f1_sum += 1.0
        elif g and p:
            f1_sum += 2 * len(g & p) / (len(g) + len(p))
        for a, b, *_ in rec["spans"]:
            gold_spans += 1
            spans_hit += any(s < b and a < e for s, e in spans)
    has_spans = preds and preds[0][1] is not None
    return {
        "posts": n_posts,
        "post_recall": C.ratio(posts_flagged, n_posts),
        "span_recall": C.ratio(inter, gold_total) if has_spans else None,
        "span_precision": C.ratio(inter, pred_total) if has_spans else None,
        "semeval_f1": round(f1_sum / n_posts, 4) if has_spans and n_posts else None,
        "spans_hit": C.ratio(spans_hit, gold_spans) if has_spans else None,
        "gold_chars": gold_total,
        "predicted_chars": pred_total if has_spans else None,
    }


def score_hatecheck(records, preds):
    by_func = defaultdict(lambda: [0, 0])         # functionality -> [flagged, n]
    hateful = [0, 0]
    nonhate = [0, 0]
    nonhate_excl = [0, 0]
    counter = [0, 0]
    for rec, (flagged, _spans, *_) in zip(records, preds):
        f = rec["functionality"]
        by_func[f][0] += flagged
        by_func[f][1] += 1
        if rec["label"] == "hateful":
            hateful[0] += flagged
            hateful[1] += 1
        else:
            nonhate[0] += flagged
            nonhate[1] += 1
            if f not in PROFANITY_FUNCTIONALITIES:
                nonhate_excl[0] += flagged
                nonhate_excl[1] += 1
            if f in COUNTER_FUNCTIONALITIES:
                counter[0] += flagged
                counter[1] += 1
    funcs = {f: {"label": "hateful" if f.endswith("_h") else "non-hateful", "n": n,
                 "flagged": C.ratio(k, n)} for f, (k, n) in sorted(by_func.items())}
    spell = {f: v["flagged"] for f, v in funcs.items() if f.startswith("spell_")}
    return {
        "cases": len(records),
        "hateful_recall": C.ratio(*hateful), "hateful_n": hateful[1],
        "nonhateful_flagged": C.ratio(*nonhate), "nonhateful_n": nonhate[1],
        "nonhateful_flagged_excl_profanity": C.ratio(*nonhate_excl), "nonhateful_excl_profanity_n": nonhate_excl[1],
        "counter_speech_flagged": C.ratio(*counter), "counter_speech_n": counter[1],
        "spell_recall": spell,
        "spell_min_recall": min(spell.values()) if spell and None not in spell.values() else None,
        "functionalities": funcs,
    }


def score_madlibs(records, preds):
    tox = [0, 0]
    non = [0, 0]
    for rec, (flagged, _spans, *_) in zip(records, preds):
        bucket = tox if rec["label"] == "toxic" else non
        bucket[0] += flagged
        bucket[1] += 1
    return {"records": len(records), "nontoxic_flagged": C.ratio(*non), "nontoxic_n": non[1],
            "toxic_recall": C.ratio(*tox), "toxic_n": tox[1]}


# -- the run ------------------------------------------------------------------------------------------
def load_sets(data_dir: Path, limit):
    ts_all = C.load_set(data_dir, "toxic_spans_semeval2021")
    trial = [r for r in ts_all if r.get("split") == "trial"]
    ts_note = "split == 'trial' records" if trial else "all records (no split field marked 'trial')"
    ts = trial or ts_all
    hc = C.load_set(data_dir, "hatecheck")
    ml = C.load_set(data_dir, "jigsaw_bias_madlibs")
    return {"toxic_spans": (C.spread(ts, limit), ts_note, len(ts)),
            "hatecheck": (C.spread(hc, limit), "all cases", len(hc)),
            "madlibs": (C.spread(ml, limit), "all records", len(ml))}


def mark(value, target):
    if value is None:
        return "n/a"
    op, t = target
    ok = value >= t if op == ">=" else value <= t
    return f"{value:.2f} {'ok' if ok else 'MISS'}"


def print_tables(res, tools):
    ts, hc, ml = res["results"]["toxic_spans"], res["results"]["hatecheck"], res["results"]["madlibs"]
    t = TARGETS
    print(f"\nsocialscreen runs under policy pack '{POLICY}', account '{ACCOUNT}', profile None; it flags a post "
          f"with an {' or '.join(CATEGORIES)} finding.")
    for name, (note, n, total) in res["sets"].items():
        print(f"  {name}: {n} of {total} ({note})")
    rows = []

    def row(label, getter, target=None):
        r = [label] + [getter(tool) for tool in tools]
        if target:
            r.append(f"{target[0]} {target[1]:.2f}")
            r = [label] + [mark(getter(tool), target) for tool in tools] + [r[-1]]
        else:
            r.append("")
        rows.append(r)

    row("toxic spans: span recall (chars)", lambda x: ts[x]["span_recall"], t["toxic_spans.span_recall"])
    row("toxic spans: span precision (chars)", lambda x: ts[x]["span_precision"])
    row("toxic spans: SemEval F1 (per post)", lambda x: ts[x]["semeval_f1"])
    row("toxic spans: gold spans hit", lambda x: ts[x]["spans_hit"])
    row("toxic spans: posts flagged", lambda x: ts[x]["post_recall"])
    row("HateCheck: hateful recall", lambda x: hc[x]["hateful_recall"], t["hatecheck.hateful_recall"])
    row("HateCheck: non-hateful flagged excl. profanity_nh",
        lambda x: hc[x]["nonhateful_flagged_excl_profanity"], t["hatecheck.nonhateful_flagged_excl_profanity"])
    row("HateCheck: non-hateful flagged (all)", lambda x: hc[x]["nonhateful_flagged"])
    row("HateCheck: counter-speech flagged (counter_*)", lambda x: hc[x]["counter_speech_flagged"])
    spell = sorted({f for tool in tools for f in hc[tool]["spell_recall"]})
    for f in spell:
        row(f"HateCheck: {f} recall", lambda x, f=f: hc[x]["spell_recall"].get(f),
            t["hatecheck.spell_each_recall"])
    row("madlibs: non-toxic flagged", lambda x: ml[x]["nontoxic_flagged"], t["madlibs.nontoxic_flagged"])
    row("madlibs: toxic recall", lambda x: ml[x]["toxic_recall"])
    print(C.table(["measure"] + tools + ["target"], rows, "Summary (issue 9 targets; 'MISS' = target not met)"))

    funcs = sorted({f for tool in tools for f in hc[tool]["functionalities"]},
                   key=lambda f: (not f.endswith("_h"), f))
    frows = []
    for f in funcs:
        first = next(hc[tool]["functionalities"][f] for tool in tools if f in hc[tool]["functionalities"])
        frows.append([f, first["label"], first["n"]] + [hc[tool]["functionalities"].get(f, {}).get("flagged")
                                                        for tool in tools])
    print(C.table(["HateCheck functionality", "gold", "n"] + [f"{tool} flagged" for tool in tools], frows,
                  "HateCheck per functionality (share flagged: recall for hateful, false alarms for non-hateful)"))


def main(argv=None):
    args, tools = C.parse_args(__doc__, TOOLS, C.RESULTS / "quality.json", "records per set", argv)
    C.block_network()
    clock = C.Clock()
    sets = load_sets(args.data or C.default_data_dir(), args.limit)

    runners, skipped = {}, {}
    for tool in tools:
        t0 = time.perf_counter()
        try:
            runners[tool] = BUILDERS[tool]()
        except ImportError as exc:
            skipped[tool] = f"not installed ({exc.name or exc}); pip install '.[bench]'"
            C.eprint(f"skipping {tool}: {skipped[tool]}")
            continue
        clock.mark(f"{tool}:load", t0)

    scorers = {"toxic_spans": score_toxic_spans, "hatecheck": score_hatecheck, "madlibs": score_madlibs}
    results = {name: {} for name in sets}
    for name, (records, _note, _total) in sets.items():
        texts = [r["text"] for r in records]
        for tool, run in runners.items():
            t0 = time.perf_counter()
            preds = run(texts)
            clock.mark(f"{tool}:{name}", t0)
            results[name][tool] = scorers[name](records, preds)
            if tool == "socialscreen":
                results[name][tool]["posts_with_category"] = _category_counts(preds)
                for diag, (_note, view) in DIAGNOSTICS.items():
                    results[name][diag] = scorers[name](records, view(preds))
        for tool in skipped:
            results[name][tool] = None

    shown = list(runners) + (list(DIAGNOSTICS) if "socialscreen" in runners else [])
    payload = {
        "benchmark": "quality",
        "command": "python benchmarks/quality.py" + (f" --limit {args.limit}" if args.limit else "")
                   + (f" --only {args.only}" if args.only else ""),
        "socialscreen_config": {"policy": POLICY, "account": ACCOUNT, "profile": None, "categories": list(CATEGORIES)},
        "tools": shown,
        "skipped": skipped,
        "limit": args.limit,
        "sets": {name: [note, len(recs), total] for name, (recs, note, total) in sets.items()},
        "diagnostic": {d: note for d, (note, _v) in DIAGNOSTICS.items() if d in shown},
        "excluded_profanity_functionalities": list(PROFANITY_FUNCTIONALITIES),
        "counter_speech_functionalities": list(COUNTER_FUNCTIONALITIES),
        "targets": {k: list(v) for k, v in TARGETS.items()},
        "results": results,
        "versions": C.versions("socialscreen", "better-profanity", "alt-profanity-check", "scikit-learn", "spacy"),
        "seconds": None,
        "seconds_by_part": clock.parts,
    }
    payload["seconds"] = clock.total()
    out = C.write_json(args.out, payload)
    if shown:
        print_tables(payload, shown)
    if DIAGNOSTIC in shown:
        for d, (note, _v) in DIAGNOSTICS.items():
            print(f"\n{d}: {note}")
        for name in results:
            print(f"  socialscreen posts with each finding category, {name}: "
                  + ", ".join(f"{c} {n}" for c, n in results[name]["socialscreen"]["posts_with_category"].items()))
    for tool, why in skipped.items():
        print(f"\n{tool}: skipped, {why}")
    print(f"\ntime taken: {payload['seconds']:.1f} s   ({', '.join(f'{k} {v:.1f}s' for k, v in clock.parts.items())})")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
