"""socialscreen against its peers, measured in ONE run, interleaved.

    .venv/bin/python benchmarks/run.py                 # all lengths, 3 rounds
    .venv/bin/python benchmarks/run.py --lengths tweet --rounds 5 --posts 600

Every measurement runs in a fresh process (so cold start and peak RSS are its
own), and the tools take turns round by round, so a busy machine slows them
all alike. Prints medians and the ratio socialscreen / peer; writes JSON to
benchmarks/results/latest.json.

Tools:
  socialscreen        Screener("walton-centre"): screen() and screen_many()
  socialscreen-rules  the same, the learned context layer off (context=None)
  socialscreen-2proc  screen_many(n_process=2)
  socialscreen-baseline  with --baseline PATH: an earlier checkout, in the same run
  spacy-ner           the same spaCy model with only its NER component, nlp.pipe
  spacy-full          the same spaCy model, full pipeline, nlp.pipe
  presidio            presidio AnalyzerEngine with defaults and the same spaCy model
  better-profanity    better_profanity.profanity.contains_profanity
  presidio+profanity  the hand-assembled chain: both of the above per post

Each tool, once loaded, calls gc.freeze() (as socialscreen's own service and CLI do), so full
garbage collections do not walk the loaded models in the middle of a timed call.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TOOLS = ["socialscreen", "socialscreen-rules", "socialscreen-2proc", "spacy-ner", "spacy-full", "presidio", "better-profanity",
         "presidio+profanity"]
PEERS = ["spacy-ner", "spacy-full", "presidio", "better-profanity", "presidio+profanity"]


def _model():
    from socialscreen.prepare.nlp import resolve_model_name
    return resolve_model_name(None)


def _build(tool):
    """Return (single(text), many(texts)) for a tool; everything loaded here counts as cold start."""
    if tool.startswith("socialscreen"):
        import socialscreen
        if tool == "socialscreen-rules":
            s = socialscreen.Screener("walton-centre", context=None)      # the learned layer off
        else:
            s = socialscreen.Screener("walton-centre")                    # baseline: another checkout
        n = 2 if tool.endswith("2proc") else 1
        return s.screen, (lambda texts: sum(1 for _ in s.screen_many(texts, n_process=n)))
    if tool in ("spacy-ner", "spacy-full"):
        import spacy
        nlp = spacy.load(_model())
        if tool == "spacy-ner":
            for p in list(nlp.pipe_names):
                if p != "ner":
                    nlp.remove_pipe(p)
        return nlp, (lambda texts: sum(1 for _ in nlp.pipe(texts, batch_size=64)))
    if tool in ("presidio", "presidio+profanity"):
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": _model()}]}
        engine = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=conf).create_engine())
        if tool == "presidio":
            single = lambda t: engine.analyze(t, language="en")
        else:
            from better_profanity import profanity
            profanity.load_censor_words()
            single = lambda t: (engine.analyze(t, language="en"), profanity.contains_profanity(t))
        return single, (lambda texts: [single(t) for t in texts])
    if tool == "better-profanity":
        from better_profanity import profanity
        profanity.load_censor_words()
        return profanity.contains_profanity, (lambda texts: [profanity.contains_profanity(t) for t in texts])
    raise SystemExit(f"unknown tool {tool}")


def worker(tool, length, n, latency_n):
    """Run in a fresh process: print one JSON line of measurements."""
    import resource

    import corpus
    posts = corpus.build(length, n)
    t0 = time.perf_counter()
    single, many = _build(tool)
    cold = time.perf_counter() - t0 + _IMPORT_SECONDS
    # every tool, as a long-running service would after loading: what was loaded moves to the
    # permanent generation, so the collector's full passes stop walking the loaded models
    gc.collect()
    gc.freeze()
    for p in posts[:5]:                     # warm-up
        single(p)
    lat = []
    for p in posts[:latency_n]:
        t = time.perf_counter()
        single(p)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    t = time.perf_counter()
    many(posts)
    tput = len(posts) / (time.perf_counter() - t)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))]
    print(json.dumps({"tool": tool, "length": length, "cold_s": cold, "p50_ms": q(0.5), "p95_ms": q(0.95),
                      "p99_ms": q(0.99), "posts_per_s": tput, "peak_rss_mb": max(rss, rss_children)}))


_IMPORT_SECONDS = 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lengths", nargs="*", default=["short", "tweet", "long"])
    ap.add_argument("--tools", nargs="*", default=TOOLS)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--posts", type=int, default=1000, help="posts per throughput measurement")
    ap.add_argument("--latency-posts", type=int, default=200)
    ap.add_argument("--out", default=str(HERE / "results" / "latest.json"))
    ap.add_argument("--baseline", help="a checkout of an earlier socialscreen, measured as 'socialscreen-baseline' "
                                       "in the same run (for 'no slowdown' checks)")
    ap.add_argument("--worker", nargs=2, metavar=("TOOL", "LENGTH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker[0], args.worker[1], args.posts, args.latency_posts)

    tools = list(args.tools) + (["socialscreen-baseline"] if args.baseline else [])
    runs = []
    for r in range(args.rounds):
        for length in args.lengths:
            for tool in tools:
                env = dict(os.environ)
                if tool == "socialscreen-baseline":
                    env["PYTHONPATH"] = str(Path(args.baseline).resolve())
                cmd = [sys.executable, "-c",
                       "import time; t=time.perf_counter(); import sys; sys.path.insert(0, %r); import run; "
                       "run._IMPORT_SECONDS=0; run.main()" % str(HERE),
                       "--worker", tool, length, "--posts", str(args.posts),
                       "--latency-posts", str(args.latency_posts)]
                t = time.perf_counter()
                p = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parent, env=env)
                if p.returncode != 0:
                    print(f"{tool}/{length} failed:\n{p.stderr[-2000:]}", file=sys.stderr)
                    continue
                rec = json.loads(p.stdout.strip().splitlines()[-1])
                rec["process_s"] = time.perf_counter() - t
                rec["round"] = r
                runs.append(rec)
                print(f"round {r + 1}/{args.rounds} {length:5} {tool:20} {rec['posts_per_s']:8.1f} posts/s "
                      f"p95 {rec['p95_ms']:7.2f} ms cold {rec['cold_s']:5.2f} s rss {rec['peak_rss_mb']:6.0f} MB",
                      file=sys.stderr)

    summary = {}
    for length in args.lengths:
        for tool in tools:
            rs = [x for x in runs if x["tool"] == tool and x["length"] == length]
            if rs:
                summary.setdefault(length, {})[tool] = {
                    k: statistics.median(x[k] for x in rs)
                    for k in ("posts_per_s", "p50_ms", "p95_ms", "p99_ms", "cold_s", "peak_rss_mb")}
    print(f"\nmedians over {args.rounds} rounds ({args.posts} posts per throughput run, "
          f"{args.latency_posts} single calls for latency), {os.cpu_count()} cores")
    for length, tools in summary.items():
        print(f"\n{length} posts")
        print(f"  {'tool':20} {'posts/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'cold s':>7} {'RSS MB':>7}")
        for tool, m in tools.items():
            print(f"  {tool:20} {m['posts_per_s']:9.1f} {m['p50_ms']:8.2f} {m['p95_ms']:8.2f} {m['p99_ms']:8.2f} "
                  f"{m['cold_s']:7.2f} {m['peak_rss_mb']:7.0f}")
        ours = tools.get("socialscreen")
        if ours:
            print("  ratios, socialscreen / peer (throughput):")
            for peer in PEERS:
                if peer in tools:
                    print(f"    vs {peer:20} x{ours['posts_per_s'] / tools[peer]['posts_per_s']:.2f}")
            for other in ("socialscreen-rules", "socialscreen-baseline"):
                if other in tools:
                    print(f"    vs {other:20} x{ours['posts_per_s'] / tools[other]['posts_per_s']:.2f}")
            two = tools.get("socialscreen-2proc")
            if two:
                print(f"    2 processes / 1 process    x{two['posts_per_s'] / ours['posts_per_s']:.2f}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": summary, "runs": runs}, indent=2))
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
