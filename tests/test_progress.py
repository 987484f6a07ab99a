"""Issue 12, "Progress with a total and time left, on stderr, only on a terminal": run for real in
a pseudo-terminal (the bar is drawn, with the total counted before the first post, the rate and
the time left) and with standard error not a terminal (nothing is written); --progress and
--no-progress force it either way. The bar never shows anything of a post."""
from __future__ import annotations

import csv
import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from socialscreen.io.progress import count_records

REPO = Path(__file__).resolve().parent.parent
SECRET = "Hilda Barnes"


@pytest.fixture(scope="module")
def drafts(tmp_path_factory):
    d = tmp_path_factory.mktemp("progress")
    p = d / "drafts.csv"
    with open(p, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text"])
        for i in range(150):
            w.writerow([f"r{i}", f"Coffee morning number {i} on Friday, everyone welcome" if i % 3 else
                        f"Mrs {SECRET} in bed {i} turned 88 today"])
    return p


def _env():
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("NO_COLOR", None)
    return env


def _check(*args):
    return [sys.executable, "-m", "socialscreen", "check", "--policy", "walton-centre", "--format", "jsonl",
            "--model", "none", *map(str, args)]


def _run_with_stderr_on_a_pty(args, out_path):
    """Run with standard error on a pseudo-terminal and standard output to a file; return
    (exit status, what the terminal received)."""
    master, slave = pty.openpty()
    with open(out_path, "w") as out:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=slave, env=_env(), cwd=REPO)
    os.close(slave)
    got = b""
    deadline = time.time() + 300
    while time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:                     # the child closed its end
                break
            if not chunk:
                break
            got += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=60)
    os.close(master)
    return proc.returncode, got.decode("utf-8", "replace")


def test_bar_on_a_terminal_with_total_rate_and_time_left(drafts, tmp_path):
    rc, screen = _run_with_stderr_on_a_pty(_check(drafts), tmp_path / "out.jsonl")
    assert rc == 1
    assert "screening" in screen and "/150" in screen            # the total is known before the first post
    assert "150/150" in screen and "100%" in screen
    assert "posts/s" in screen                                   # the rate
    assert re.search(r"\[\d\d:\d\d<\d\d:\d\d, ", screen)             # elapsed<time left, counted
    assert SECRET not in screen and "Coffee" not in screen
    rows = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(rows) == 150 and rows[0]["id"] == "r0"            # the results are untouched


def test_no_progress_on_a_terminal_says_nothing(drafts, tmp_path):
    rc, screen = _run_with_stderr_on_a_pty(_check("--no-progress", drafts), tmp_path / "out.jsonl")
    assert rc == 1 and screen.strip() == ""


def test_nothing_when_stderr_is_not_a_terminal(drafts, tmp_path):
    proc = subprocess.run(_check(drafts, "-o", tmp_path / "out.jsonl"), capture_output=True, env=_env(), cwd=REPO,
                          timeout=300)
    assert proc.returncode == 1 and proc.stderr == b"" and proc.stdout == b""
    assert len((tmp_path / "out.jsonl").read_text().splitlines()) == 150


def test_progress_forced_without_a_terminal(drafts, tmp_path):
    proc = subprocess.run(_check("--progress", drafts), capture_output=True, env=_env(), cwd=REPO, timeout=300)
    err = proc.stderr.decode()
    assert "150/150" in err and SECRET not in err
    assert len(proc.stdout.decode().splitlines()) == 150


def test_record_counts_are_known_before_screening(tmp_path):
    j = tmp_path / "a.jsonl"
    j.write_text('{"text": "a"}\n\n{"text": "b"}\n  \n{"text": "c"}', encoding="utf-8")
    c = tmp_path / "b.csv"
    c.write_text('id,text\n1,"two\nlines"\n2,b\n', encoding="utf-8")
    x = tmp_path / "c.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["text"])
    for i in range(7):
        wb.active.append([f"post {i}"])
    wb.create_sheet("Two").append(["text"])
    wb["Two"].append(["one more"])
    wb.save(x)
    t = tmp_path / "d.txt"
    t.write_text("one post", encoding="utf-8")
    assert count_records([str(j)]) == 3
    assert count_records([str(c)]) == 2                            # a quoted cell over two lines is one row
    assert count_records([str(x)]) == 8
    assert count_records([str(x)], sheet="two") == 1
    assert count_records([str(j), str(c), str(x), str(t)]) == 14
    assert count_records([str(j), "-"]) is None                    # standard input has no total
