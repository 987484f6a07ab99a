"""Long fuzzing run (optional, not run in CI): screen random hostile posts for a while
and check every result, as tests/test_fuzz.py does in a few seconds.

    .venv/bin/python benchmarks/fuzz.py [--minutes 10] [--policy walton-centre] [--seed 1]

Prints how many inputs were tried, the slowest post, and any failure (with the input,
repr-escaped) and exits 1 on the first failure.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import socialscreen  # noqa: E402
from test_fuzz import EXAMPLES, HOSTILE, _tricks  # noqa: E402


def random_post(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 12)):
        r = rng.random()
        if r < 0.3:
            parts.append(rng.choice(HOSTILE))
        elif r < 0.6:
            parts.append(rng.choice(_tricks(rng.choice(EXAMPLES))))
        elif r < 0.9:
            parts.append("".join(chr(rng.choice([rng.randint(0, 0x7f), rng.randint(0, 0x2fff),
                                                 rng.randint(0, 0x10ffff)])) for _ in range(rng.randint(1, 20))))
        else:
            parts.append(rng.choice(HOSTILE) * rng.randint(10, 3000))
    return "".join(parts)


def check(text, result):
    for f in result.findings:
        if f.attachment is not None:
            assert f.start == f.end == 0 and f.text == ""
            continue
        assert 0 <= f.start < f.end <= len(text), (f.start, f.end, len(text))
        assert text[f.start:f.end] == f.text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--policy", default="walton-centre")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    screener = socialscreen.Screener(args.policy)
    end = time.time() + args.minutes * 60
    n = errors = findings = 0
    slowest = (0.0, "")
    while time.time() < end:
        text = random_post(rng)
        account = rng.choice(["personal", "official"])
        t = time.perf_counter()
        try:
            result = screener.screen(text, account=account)
        except socialscreen.SocialScreenError:
            errors += 1
        except Exception as exc:  # a crash: report the input
            print(f"CRASH after {n} inputs: {exc.__class__.__name__}: {exc}\ninput: {text!r}")
            return 1
        else:
            try:
                check(text, result)
            except AssertionError as exc:
                print(f"MISPOINT after {n} inputs: {exc}\ninput: {text!r}")
                return 1
            findings += len(result.findings)
        took = time.perf_counter() - t
        if took > slowest[0]:
            slowest = (took, text[:80])
        n += 1
        if n % 1000 == 0:
            print(f"{n} inputs, {findings} findings, {errors} input errors", flush=True)
    print(f"done: {n} inputs fuzzed, {findings} findings checked, {errors} input errors; "
          f"slowest post {slowest[0]:.2f} s ({slowest[1]!r}...)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
