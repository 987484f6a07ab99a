"""Issue 12, "A 1,000,000-row CSV is screened with flat memory": the readers yield one record at a
time without holding the file (a CSV a line at a time, JSON Lines a line at a time, a workbook a
row at a time) and the writers write each record as it comes, so the memory a run needs does not
grow with its input. Measured here with tracemalloc on inputs many times larger than the bound;
benchmarks/million.py measures the whole command line (a smoke run of it is here too)."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from socialscreen.io import read_inputs
from socialscreen.io.result_columns import ColumnPlan
from socialscreen.io.writers import CsvWriter, JsonlWriter, JsonWriter
from socialscreen.io.xlsx_output import XlsxWriter
from socialscreen.values import Post

REPO = Path(__file__).resolve().parent.parent
ROWS = 120_000
MB = 1024 * 1024


def _post(i):
    return f"Coffee morning number {i} at the community hall on Friday from 10am, everyone is welcome {i * 7919}"


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    d = tmp_path_factory.mktemp("big")
    c = d / "big.csv"
    with open(c, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Ref", "Channel", "Post copy", "Notes"])
        for i in range(ROWS):
            w.writerow([f"r{i}", "X", _post(i), "quoted, \"note\"\nover two lines" if i % 1000 == 0 else ""])
    j = d / "big.jsonl"
    with open(j, "w", encoding="utf-8") as fh:
        for i in range(ROWS):
            fh.write(json.dumps({"id": f"r{i}", "text": _post(i), "channel": "X"}) + "\n")
    return c, j


def _peak_while(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("which", [0, 1], ids=["csv", "jsonl"])
def test_readers_hold_one_record_at_a_time(big, which):
    path = big[which]
    size = path.stat().st_size
    assert size > 12 * MB
    seen = {"n": 0, "last": None}

    def read():
        for rec in read_inputs([str(path)]):
            assert isinstance(rec, Post)
            seen["n"] += 1
            seen["last"] = rec.id
    peak = _peak_while(read)
    assert seen["n"] == ROWS and seen["last"] == f"r{ROWS - 1}"
    assert peak < 4 * MB, f"reading a {size / MB:.0f} MB file peaked at {peak / MB:.1f} MB"


def test_workbook_rows_are_streamed(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    p = tmp_path / "big.xlsx"
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Plan")
    ws.append(["Title row"])
    ws.append(["ID", "Post copy"])
    n = 30_000
    for i in range(n):
        ws.append([f"x{i}", _post(i)])
    wb.save(p)
    count = {"n": 0}

    def read():
        for rec in read_inputs([str(p)]):
            count["n"] += 1
    peak = _peak_while(read)
    assert count["n"] == n
    assert peak < 6 * MB, f"reading {n} rows peaked at {peak / MB:.1f} MB"


def _results(n):
    finding = {"category": "offensive_language", "start": 0, "end": 4, "text": "shit", "severity": "medium",
               "confidence": 0.9, "message": "Offensive word.", "detector": "profanity", "rule": "offensive.profanity",
               "clauses": [{"policy": "b3", "id": "3.4.5", "section": "3.4.5", "title": "No offensive language",
                            "quote": "Use offensive or intimidating language"}], "why": "", "fix": "Remove it."}
    for i in range(n):
        yield {"id": f"r{i}", "verdict": "review", "policy": "b3", "account": "personal",
               "findings": [finding] if i % 2 else []}


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "xlsx"])
def test_writers_write_as_they_go(tmp_path, fmt):
    n = 20_000
    out_path = tmp_path / f"out.{fmt}"

    def write():
        with open(out_path, "wb" if fmt == "xlsx" else "w", encoding=None if fmt == "xlsx" else "utf-8") as out:
            if fmt == "xlsx":
                w = XlsxWriter(out, ColumnPlan([]))
            elif fmt == "csv":
                w = CsvWriter(out, ColumnPlan([]))
            else:
                w = {"jsonl": JsonlWriter, "json": JsonWriter}[fmt](out)
            for rec in _results(n):
                w.write(rec, post=None) if getattr(w, "wants_post", False) else w.write(rec)
            w.close()
    peak = _peak_while(write)
    if fmt == "xlsx":
        import zipfile
        with zipfile.ZipFile(out_path) as zf:
            written = zf.getinfo("xl/worksheets/sheet2.xml").file_size
    else:
        written = out_path.stat().st_size
    assert written > 2 * MB
    # what stays in memory is a small fraction of what was written (a buffer, never the records)
    assert peak < min(1.5 * MB, written / 4), \
        f"{fmt}: writing {n} records ({written / MB:.1f} MB) peaked at {peak / MB:.1f} MB"
    if fmt == "json":
        assert len(json.loads(out_path.read_text(encoding="utf-8"))) == n
    if fmt == "xlsx":
        openpyxl = pytest.importorskip("openpyxl")
        wb = openpyxl.load_workbook(out_path, read_only=True)
        assert sum(1 for _ in wb["Results"].iter_rows(values_only=True)) == n + 1
        wb.close()


def test_million_benchmark_smoke(tmp_path):
    """benchmarks/million.py end to end on 2,000 rows: every row out, in order, figures written."""
    out = tmp_path / "million.json"
    proc = subprocess.run([sys.executable, str(REPO / "benchmarks" / "million.py"), "--rows", "2000",
                           "--interval", "0.2", "--out", str(out)], capture_output=True, text=True, timeout=900,
                          cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    res = json.loads(out.read_text(encoding="utf-8"))
    assert res["rows"] == 2000 and res["rows_out"] == 2000 and res["in_order"] is True
    assert res["exit_status"] == 1                               # some of the drafts are blocked
    assert res["peak_rss_mb"] > 50 and res["rows_per_second"] > 0
    assert {"rss_mb_at_10pct", "rss_mb_at_100pct", "flat", "curve"} <= set(res)
    assert "peak RSS" in proc.stdout and "rows/s" in proc.stdout
