"""Near-duplicate check for labelled corpora: no two posts may share a run of eight words.

usage: python -m training.overlap FILE.jsonl [FILE.jsonl ...] [--n 8]
Prints each pair of post ids that share a run of N words (and the run), exit 1 when any pair exists.
"""
from __future__ import annotations

import argparse
import json
import re
import sys

WORD = re.compile(r"[\w']+", re.UNICODE)


def shingles(text: str, n: int) -> set[tuple[str, ...]]:
    words = [w.lower() for w in WORD.findall(text)]
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def overlapping_pairs(records, n: int = 8):
    """Yield (id_a, id_b, run) for every pair of records sharing a run of n words."""
    seen: dict[tuple[str, ...], str] = {}
    reported: set[tuple[str, str]] = set()
    for rec in records:
        for sh in shingles(rec["text"], n):
            other = seen.get(sh)
            if other is None:
                seen[sh] = rec["id"]
            elif other != rec["id"] and (other, rec["id"]) not in reported:
                reported.add((other, rec["id"]))
                yield other, rec["id"], " ".join(sh)


def read(paths):
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--n", type=int, default=8)
    args = ap.parse_args(argv)
    bad = 0
    for a, b, run in overlapping_pairs(read(args.files), args.n):
        bad += 1
        print(f"{a} ~ {b}: {run!r}")
    print(f"{bad} overlapping pair(s)", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
