"""Long fuzzing run (optional, not run in CI): screen random hostile posts for a while
and check every result, as tests/test_fuzz.py does in a few seconds.

    .venv/bin/python benchmarks/fuzz.py [--minutes 10] [--inputs N] [--processes 2] [--max-parts 12]
                                        [--model NAME|none] [--long 0.1] [--policy walton-centre] [--seed 1]

Posts mix hostile characters, rule examples with evasion tricks (every trick of
tests/test_evasion.py), random code points and, with probability --long per part, a
hostile fragment repeated up to 3,000 times. Posts are screened in batches through
`screen_many(errors="return")`, the road the command line takes; a batch that raises is
screened again post by post to find the input. Every finding's span is checked against the
post. Prints how many inputs were tried, the slowest batch, and any failure (with the input,
repr-escaped) and exits 1 on the first failure.

A million inputs: `--minutes 20 --processes 2 --model none --long 0.01 --max-parts 4` on this
project's 2-core machine (rules only: spaCy's own tokenizer is not what is being fuzzed; run a
shorter spell with the default model too).
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import socialscreen  # noqa: E402
from socialscreen.values import RecordError  # noqa: E402
from test_evasion import TRICKS  # noqa: E402
from test_fuzz import EXAMPLES, HOSTILE, _tricks  # noqa: E402

TRICK_FNS = list(TRICKS.values())


def _trick(rng, example):
    if rng.random() < 0.5:
        return rng.choice(_tricks(example))
    out = rng.choice(TRICK_FNS)(example)
    return out if out is not None else example


def random_post(rng: random.Random, long_share: float = 0.1, max_parts: int = 12) -> str:
    parts = []
    for _ in range(rng.randint(0, max_parts)):
        r = rng.random()
        if r < long_share:
            parts.append(rng.choice(HOSTILE) * rng.randint(10, 3000))
        elif r < 0.35:
            parts.append(rng.choice(HOSTILE))
        elif r < 0.7:
            parts.append(_trick(rng, rng.choice(EXAMPLES)))
        else:
            parts.append("".join(chr(rng.choice([rng.randint(0, 0x7f), rng.randint(0, 0x2fff),
                                                 rng.randint(0, 0x10ffff)])) for _ in range(rng.randint(1, 20))))
    return "".join(parts)


def check(text, result):
    """'' when every span points into the post, else what is wrong."""
    for f in result.findings:
        if f.attachment is not None:
            if not (f.start == f.end == 0 and f.text == ""):
                return f"attachment finding not zero-width: {f.start}-{f.end}"
            continue
        if not (0 <= f.start < f.end <= len(text)):
            return f"span {f.start}-{f.end} outside a post of {len(text)}"
        if text[f.start:f.end] != f.text:
            return f"span {f.start}-{f.end} is not the finding's text"
    return ""


def _screen_one(screener, post):
    try:
        return next(iter(screener.screen_many([post], errors="return"))), ""
    except Exception as exc:  # a crash: report the input
        return None, f"{exc.__class__.__name__}: {exc}"


def run(worker: int, args, deadline: float, quota: int, out: "mp.Queue"):
    rng = random.Random(args.seed * 1000 + worker)
    screener = socialscreen.Screener(args.policy, model=args.model)
    n = errors = findings = 0
    slowest = (0.0, 0)
    last_report = time.time()
    while time.time() < deadline and n < quota:
        posts = [{"id": str(n + i), "text": random_post(rng, args.long, args.max_parts),
                  "account": rng.choice(["personal", "official"])} for i in range(args.batch)]
        t = time.perf_counter()
        try:
            results = list(screener.screen_many(posts, errors="return", batch_size=args.batch))
        except Exception:
            results = []
            for post in posts:
                result, crash = _screen_one(screener, post)
                if crash:
                    out.put(("fail", worker, f"CRASH after {n} inputs: {crash}\ninput: {post['text']!r}"))
                    return
                results.append(result)
        took = time.perf_counter() - t
        if took > slowest[0]:
            slowest = (took, max(len(p["text"]) for p in posts))
        for post, result in zip(posts, results):
            if isinstance(result, RecordError):
                errors += 1
                continue
            wrong = check(post["text"], result)
            if wrong:
                out.put(("fail", worker, f"WRONG SPAN after {n} inputs: {wrong}\ninput: {post['text']!r}"))
                return
            findings += len(result.findings)
        n += len(posts)
        if time.time() - last_report > 30:
            out.put(("progress", worker, (n, findings, errors)))
            last_report = time.time()
    out.put(("done", worker, (n, findings, errors, slowest)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--inputs", type=int, default=0, help="stop after this many inputs (0: only --minutes)")
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--model", default=None, help="spaCy model, or 'none' for the rule-based detectors only")
    ap.add_argument("--long", type=float, default=0.1, help="share of parts that are a long repeated run")
    ap.add_argument("--max-parts", type=int, default=12, help="most fragments in one post")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--policy", default="walton-centre")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    deadline = time.time() + args.minutes * 60
    quota = (args.inputs // args.processes + 1) if args.inputs else sys.maxsize
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=run, args=(w, args, deadline, quota, out)) for w in range(args.processes)]
    for p in procs:
        p.start()
    started = time.time()
    done, progress, failed = {}, {}, None
    while len(done) < len(procs) and failed is None:
        kind, worker, payload = out.get()
        if kind == "fail":
            failed = payload
        elif kind == "progress":
            progress[worker] = payload
            total = sum(v[0] for v in progress.values())
            print(f"{total} inputs ({total / (time.time() - started):.0f}/s), "
                  f"{sum(v[1] for v in progress.values())} findings checked, "
                  f"{sum(v[2] for v in progress.values())} input errors", flush=True)
        else:
            done[worker] = payload
    for p in procs:
        if failed is not None:
            p.terminate()
        p.join()
    if failed is not None:
        print(failed)
        return 1
    n = sum(v[0] for v in done.values())
    findings = sum(v[1] for v in done.values())
    errors = sum(v[2] for v in done.values())
    slowest = max(v[3] for v in done.values())
    print(f"done: {n} inputs fuzzed in {time.time() - started:.0f} s with {args.processes} process(es), "
          f"model {args.model or 'default'}; {findings} findings checked, {errors} input errors, "
          f"0 crashes, 0 wrong spans; slowest batch {slowest[0]:.2f} s (longest post in it {slowest[1]} chars)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
