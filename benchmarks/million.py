"""Screen a 1,000,000-row CSV with the command line and watch its memory.

    .venv/bin/python benchmarks/million.py                 # 1,000,000 rows (an hour or more on 2 cores)
    .venv/bin/python benchmarks/million.py --rows 2000     # a quick run

Writes a CSV of tweet-length drafts (deterministic: the same rows for the same --rows and
--seed; some clean, some with names, NHS numbers, phone numbers, swearing, grievances or
confidential markers, and every one different) into a temporary folder, runs

    python -m socialscreen check --policy walton-centre --format jsonl posts.csv > out.jsonl

in a fresh process, and samples its resident memory (VmRSS and VmHWM from /proc) and the rows it
has written every --interval seconds. Prints the rate (rows per second, with and without the
start-up), the peak RSS, the RSS when 10%, 50% and 100% of the rows were out, and whether memory
stayed flat (RSS at 100% within --flat-tolerance of RSS at 10%); checks that every row came out
once, in order, and that the exit status is the contract's. The folder is deleted afterwards;
the figures go to benchmarks/results/million.json (or --out).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

FIRST = ["Hilda", "Precious", "Del", "Aisha", "Tomasz", "Grace", "Kwame", "Siobhan", "Priya", "Len",
         "Margaret", "Callum", "Ifeoma", "Rhys", "Bernadette", "Yusuf", "Niamh", "Stanley", "Mei", "Olu"]
LAST = ["Barnes", "Ogunleye", "Kowalski", "Hughes", "O'Brien", "Patel", "Mensah", "Doyle", "Nowak", "Evans",
        "Khan", "Roberts", "Adeyemi", "Murphy", "Jones", "Ahmed", "Walsh", "Clarke", "Chen", "Okafor"]
TEAMS = ["spinal rehab", "the physio team", "outpatients", "the day unit", "the drop-in", "the peer group",
         "the fundraising team", "the volunteers", "the admin team", "the night staff"]
EVENTS = ["coffee morning", "fun run", "bake sale", "quiz night", "open day", "walk", "raffle", "carol service"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TAGS = ["#NHS", "#TeamWork", "#Volunteers", "#MentalHealthAwareness", "#CarersWeek", "#ThankYou", ""]


def _nhs(rng: random.Random) -> str:
    """A ten-digit number with a valid NHS check digit, grouped 3-3-4."""
    while True:
        digits = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
        check = 0 if check == 11 else check
        if check != 10:
            s = "".join(map(str, digits + [check]))
            return f"{s[:3]} {s[3:6]} {s[6:]}"


def make_post(rng: random.Random, n: int) -> tuple[str, str]:
    """(account, text) for row n: about 70% clean, the rest with one kind of problem."""
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    team, event, day, tag = rng.choice(TEAMS), rng.choice(EVENTS), rng.choice(DAYS), rng.choice(TAGS)
    money = rng.randrange(50, 5000)
    kind = rng.random()
    if kind < 0.70:
        text = rng.choice([
            f"Huge thanks to everyone who came to our {event} on {day}, we raised £{money} for the unit! {tag}",
            f"Our {event} is back this {day} from 10am. Everyone welcome, bring a friend. {tag}",
            f"Proud of {team} this week, {money % 97} new volunteers signed up. Thank you all {tag}",
            f"Reminder: the {event} moves to {day} this month. Details on our website. {tag}",
            f"Lovely to see so many faces at the {event}. Next one is on {day}, put it in your diary {tag}",
        ])
        account = "official"
    elif kind < 0.78:
        text = f"Mrs {name} in bed {rng.randrange(1, 30)} turned {rng.randrange(60, 99)} today, cake all round!"
        account = "personal"
    elif kind < 0.84:
        text = f"Can someone chase the referral for {name}, NHS {_nhs(rng)}, before {day} please"
        account = "official"
    elif kind < 0.88:
        text = f"Ring {name.split()[0]} back on 07700 9{rng.randrange(10000, 99999)} about the {event} on {day}"
        account = "official"
    elif kind < 0.93:
        text = rng.choice([f"What a shit {day}. {money % 40} hours on shift and not a single break",
                           f"Management have cut {team} again. Nobody listens. Absolute joke {tag}"])
        account = "personal"
    elif kind < 0.97:
        text = f"CONFIDENTIAL - board papers for {day}: plans to close {team} by {money % 12 + 1} March"
        account = "official"
    else:
        text = f"Long shift on my ward but {team} made it a good one. {rng.choice(FIRST)} you star {tag}"
        account = "personal"
    return account, " ".join(text.split())


def write_csv(path: Path, rows: int, seed: int) -> int:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "Account", "Post copy"])
        for n in range(1, rows + 1):
            account, text = make_post(rng, n)
            w.writerow([f"r{n:07d}", account, text])
    return path.stat().st_size


def _proc_kb(pid: int, field: str):
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def run(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="socialscreen-million."))
    try:
        src = tmp / "posts.csv"
        t0 = time.perf_counter()
        size = write_csv(src, args.rows, args.seed)
        gen_s = time.perf_counter() - t0
        print(f"wrote {args.rows:,} rows ({size / 1e6:.1f} MB) in {gen_s:.1f} s", flush=True)
        out = tmp / "out.jsonl"
        cmd = [sys.executable, "-m", "socialscreen", "check", "--policy", args.policy, "--format", "jsonl",
               "--no-progress", str(src)] + (["--model", args.model] if args.model else [])
        env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        samples = []                      # (seconds, rows out, rss MB)
        rows_out, carry = 0, b""
        with open(out, "wb") as sink, open(out, "rb") as tail:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.PIPE, cwd=str(REPO), env=env)
            first_row_at = None
            last_print = start
            peak_hwm = 0
            while True:
                done = proc.poll() is not None
                chunk = tail.read()
                rows_out += chunk.count(b"\n")
                now = time.perf_counter() - start
                if rows_out and first_row_at is None:
                    first_row_at = now
                rss = _proc_kb(proc.pid, "VmRSS")
                hwm = _proc_kb(proc.pid, "VmHWM")
                if hwm:
                    peak_hwm = max(peak_hwm, hwm)
                if rss is not None and not done:
                    samples.append((round(now, 2), rows_out, round(rss / 1024, 1)))
                if time.perf_counter() - last_print >= args.report_every and rss is not None:
                    last_print = time.perf_counter()
                    rate = rows_out / max(1e-9, now - (first_row_at or now)) if first_row_at else 0
                    print(f"  {now:8.0f} s  {rows_out:>9,} rows  {rows_out / args.rows:6.1%}  RSS {rss / 1024:7.1f} MB"
                          f"  {rate:7.1f} rows/s", flush=True)
                if done:
                    break
                time.sleep(args.interval)
            stderr = proc.stderr.read().decode("utf-8", "replace")
            rc = proc.returncode
            total_s = time.perf_counter() - start
            rows_out += tail.read().count(b"\n")
        # every row once, in order (streamed: the output may be large)
        in_order, n = True, 0
        with open(out, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if json.loads(line).get("id") != f"r{n:07d}":
                    in_order = False
                    break
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def rss_at(fraction):
        want = fraction * args.rows
        hit = next((s for s in samples if s[1] >= want), samples[-1] if samples else None)
        return hit[2] if hit else None

    rss_samples = [s[2] for s in samples]
    r10, r50, r100 = rss_at(0.10), rss_at(0.50), rss_at(1.0)
    peak = max(rss_samples + [peak_hwm / 1024]) if samples or peak_hwm else None
    flat = (r10 is not None and r100 is not None
            and r100 <= r10 * (1 + args.flat_tolerance) + args.flat_slack_mb)
    screening_s = total_s - (first_row_at or 0)
    result = {
        "benchmark": "million", "rows": args.rows, "seed": args.seed, "policy": args.policy,
        "model": args.model or "default", "csv_mb": round(size / 1e6, 1),
        "exit_status": rc, "rows_out": rows_out, "in_order": in_order and n == args.rows,
        "seconds_total": round(total_s, 1), "seconds_to_first_row": round(first_row_at or 0, 1),
        "rows_per_second": round(args.rows / total_s, 1),
        "rows_per_second_after_start": round(args.rows / screening_s, 1) if screening_s > 0 else None,
        "peak_rss_mb": round(peak, 1) if peak else None,
        "rss_mb_at_10pct": r10, "rss_mb_at_50pct": r50, "rss_mb_at_100pct": r100, "flat": flat,
        "curve": _curve(samples, args.rows),
        "stderr_tail": stderr[-500:],
    }
    return result


def _curve(samples, rows, points=20):
    """RSS at every 5% of the rows written."""
    out = []
    for i in range(1, points + 1):
        want = rows * i / points
        hit = next((s for s in samples if s[1] >= want), None)
        if hit:
            out.append({"pct": 100 * i // points, "seconds": hit[0], "rss_mb": hit[2]})
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--policy", default="walton-centre")
    p.add_argument("--model", help="passed to --model (default: the best installed; 'none' for rules only)")
    p.add_argument("--interval", type=float, default=0.5, help="seconds between memory samples")
    p.add_argument("--report-every", type=float, default=30.0, help="seconds between progress lines")
    p.add_argument("--flat-tolerance", type=float, default=0.10,
                   help="memory is flat when RSS at 100%% <= RSS at 10%% x (1 + this) + --flat-slack-mb")
    p.add_argument("--flat-slack-mb", type=float, default=15.0)
    p.add_argument("--out", type=Path, default=HERE / "results" / "million.json")
    args = p.parse_args(argv)
    if args.rows < 10:
        p.error("--rows must be at least 10")
    res = run(args)
    print(f"rows {res['rows']:,}: exit {res['exit_status']}, {res['rows_out']:,} out, in order: {res['in_order']}")
    print(f"time {res['seconds_total']} s ({res['seconds_to_first_row']} s to the first row); "
          f"rate {res['rows_per_second']} rows/s overall, {res['rows_per_second_after_start']} rows/s after start-up")
    print(f"peak RSS {res['peak_rss_mb']} MB; RSS at 10% {res['rss_mb_at_10pct']} MB, 50% {res['rss_mb_at_50pct']} MB, "
          f"100% {res['rss_mb_at_100pct']} MB: memory {'flat' if res['flat'] else 'NOT flat'}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    ok = res["rows_out"] == res["rows"] and res["in_order"] and res["exit_status"] in (0, 1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
