"""The benchmark corpus: short (~120 chars), tweet (~280) and long (~1,500) posts.

Built deterministically from sentences of the project's examples, generated
sentences, and ../shared/eval/dev.jsonl when it is present. Same seed, same posts.
"""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
LENGTHS = {"short": 120, "tweet": 280, "long": 1500}

NAMES = ["Mrs Jones", "Mr Patel", "Doreen", "Terry", "Aisha", "Mr O'Neill", "Sister Kaur", "our Bev"]
PLACES = ["Barnsley", "Grimsby", "Brent", "Liverpool", "Scunthorpe", "Wembley", "Cleethorpes", "Penistone"]
THINGS = ["the bake sale", "the carers' group", "the night shift", "the lunch club", "the ward round",
          "the new rota", "the drop-in", "the fun run", "the board meeting", "our coffee morning"]
TEMPLATES = [
    "Lovely afternoon at {thing} in {place} today, thank you to everyone who came!",
    "{name} was on great form at {thing} this morning.",
    "Anyone else find {thing} a total shambles this week?",
    "Proud of the team for {thing}, what a day.",
    "Reminder: {thing} moves to Thursday, 10am at the community centre in {place}.",
    "Can't believe {thing} got cancelled again, absolute joke.",
    "Call our confidential helpline on 0800 123 4567 if you need to talk.",
    "{name} in bed 4 turned 90 today and we all sang.",
    "Raised £{n} for the hospice at {thing}, thank you {place}!",
    "Keep it quiet but {thing} might be closing in March.",
    "NHS number 943 476 5919 needs chasing for {name}.",
    "What a f***ing day on {thing}.",
]


def _sentences(seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(400):
        out.append(rng.choice(TEMPLATES).format(name=rng.choice(NAMES), place=rng.choice(PLACES),
                                                thing=rng.choice(THINGS), n=rng.randint(20, 900)))
    ex = ROOT / "examples"
    for path in sorted(ex.glob("*.jsonl")):
        out += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in sorted(ex.glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            out += [row["text"] for row in csv.DictReader(fh)]
    for path in sorted(ex.glob("*.txt")):
        out.append(path.read_text(encoding="utf-8").strip())
    if DEV.is_file():
        for line in DEV.read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = json.loads(line)["text"]
                out += [s.strip() + "." for s in text.replace("\n", " ").split(". ") if s.strip()]
    return out


def build(length: str, n: int, seed: int = 2026) -> list[str]:
    """n posts of about LENGTHS[length] characters."""
    target = LENGTHS[length]
    pool = _sentences(seed)
    rng = random.Random(f"{seed}-{length}")
    posts = []
    for _ in range(n):
        parts, size = [], 0
        while size < target * 0.85:
            s = rng.choice(pool)
            if size + len(s) > target * 1.15 and parts:
                break
            parts.append(s)
            size += len(s) + 1
        text = " ".join(parts)
        posts.append(text[: int(target * 1.2)])
    return posts


if __name__ == "__main__":
    for k in LENGTHS:
        ps = build(k, 200)
        print(k, len(ps), sum(map(len, ps)) / len(ps))
