"""Malformed input files through the command line: each bad record gets a clear error
row (or message), and every other record is still screened and written, in order,
with the right id.

Most cases run `socialscreen.cli.main` in-process (sharing the session's screeners);
one runs the real `python -m socialscreen check --policy b3 --format jsonl FILES...`
over all of them at once in a sandbox (HOME, TMPDIR and the working folder are checked
for new files afterwards).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest


BIG = 50 * 1024 * 1024
PHI = "NHS 943 476 5919 for Mrs Hilda Barnes on the ward"


def _ids(rows):
    return [r["id"] for r in rows]


def _errors(rows):
    return {r["id"]: r["error"] for r in rows if r.get("error")}


def _screened(rows):
    return [r["id"] for r in rows if not r.get("error")]


def _check_spans(rows, texts):
    for r in rows:
        for f in r.get("findings", []):
            if f.get("attachment") is None:
                assert texts[r["id"]][f["start"]:f["end"]] == f["text"]


def test_truncated_csv_last_row_cut_mid_quote(tmp_path, cli):
    p = tmp_path / "cut.csv"
    p.write_bytes(b'id,text\nr1,hello all\nr2,"' + PHI.encode() + b'"\nr3,"a quoted, fine one"\n'
                  b'r4,"this row was cut off in the mid')
    rc, rows, _ = cli(p)
    assert _ids(rows) == ["r1", "r2", "r3", "r4"]
    assert _screened(rows) == ["r1", "r2", "r3"]
    assert "truncated" in _errors(rows)["r4"] and "quoted cell" in _errors(rows)["r4"]
    assert rows[1]["verdict"] == "block" and rc == 3
    _check_spans(rows, {"r2": PHI})


def test_one_latin1_row_in_a_utf8_csv_marks_only_that_row(tmp_path, cli):
    p = tmp_path / "mixed.csv"
    p.write_bytes("id,text\n1,Café morning at 10, all welcome\n".encode("utf-8")
                  + "2,Crème brûlée for Mrs Jones\n".encode("latin-1")
                  + f"3,{PHI}\n4,naïve but fine ✓\n".encode("utf-8"))
    rc, rows, _ = cli(p)
    assert _ids(rows) == ["1", "2", "3", "4"]
    assert list(_errors(rows)) == ["2"]
    assert "not UTF-8" in _errors(rows)["2"] and "0xE8" in _errors(rows)["2"] and "row 3" in _errors(rows)["2"]
    assert rows[2]["verdict"] == "block"


def test_latin1_line_in_jsonl_and_a_line_that_is_not_json(tmp_path, cli):
    p = tmp_path / "mixed.jsonl"
    p.write_bytes(b'\xef\xbb\xbf{"id": "a", "text": "Caf\xc3\xa9 morning, all welcome"}\n'
                  b'{"id": "b", "text": "Cr\xe8me br\xfbl\xe9e"}\n'
                  b'this is not JSON at all\n'
                  b'\n'
                  b'{"id": "c", "text": "' + PHI.encode() + b'"}\n'
                  b'{"id": "d", "text": "cut off\n'
                  b'[1, 2, 3]\n'
                  b'{"id": "e", "txt": "wrong field"}\n'
                  b'{"id": "f", "text": "lone \\ud800 surrogate then sh1t"}\n'
                  b'{"id": "g", "text": "' + b'[' * 100_000 + b'"}\n'
                  b'{"id": "h", "text": "last one"}')
    rc, rows, _ = cli(p)
    assert _ids(rows) == ["a", "2", "3", "c", "6", "7", "e", "f", "g", "h"]
    assert _screened(rows) == ["a", "c", "f", "g", "h"]          # 100,000 "[": screened, in bounded time
    errs = _errors(rows)
    assert "line 2 is not UTF-8" in errs["2"]
    assert "line 3 is not valid JSON" in errs["3"]
    assert "line 6 is not valid JSON" in errs["6"]
    assert "object" in errs["7"] and "'text'" in errs["e"]
    assert rows[3]["verdict"] == "block"
    assert any(f["text"] == "sh1t" for f in rows[7]["findings"])


def test_bom_csv_and_utf16_csv(tmp_path, cli):
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbfid,post\nx1,hello\nx2," + PHI.encode() + b"\n")
    utf16 = tmp_path / "excel.csv"
    utf16.write_bytes(f"id,text\ny1,hello\ny2,{PHI}\n".encode("utf-16"))
    rc, rows, _ = cli(bom, utf16)
    assert _ids(rows) == ["x1", "x2", "y1", "y2"]
    assert not _errors(rows)
    assert rows[1]["verdict"] == rows[3]["verdict"] == "block"


def test_missing_cells_and_missing_column(tmp_path, cli):
    short = tmp_path / "short.csv"
    short.write_bytes(b"id,account,text\n1,personal,hello\n2,personal\n3,official,fine\n4,boss,hi\n")
    nocol = tmp_path / "nocol.csv"
    nocol.write_bytes(b"id,notes\n1,hello\n2,there\n")
    rc, rows, _ = cli(short, nocol)
    assert _ids(rows) == ["1", "2", "3", "4", str(nocol)]     # no text column: one error for the file
    errs = [r.get("error") for r in rows]
    assert errs[0] is None and errs[2] is None
    assert "truncated" in errs[1] and "'text'" in errs[1]
    assert "account" in errs[3]
    assert all("no text column" in e and "--column" in e for e in errs[4:])
    rc, rows, _ = cli(nocol, extra=["--column", "Notes"])
    assert not _errors(rows) and _ids(rows) == ["1", "2"]


def test_nul_bytes_and_control_characters_are_screened(tmp_path, cli):
    p = tmp_path / "nul.csv"
    p.write_bytes(b"id,text\n1,\"f\x00u\x00c\x00k this\"\n2,plain \x01\x1b[31m text\n")
    rc, rows, _ = cli(p)
    assert _ids(rows) == ["1", "2"] and not _errors(rows)


def test_a_50_megabyte_cell_gets_an_error_row_not_a_hang(tmp_path, cli):
    p = tmp_path / "big.csv"
    with open(p, "wb") as fh:
        fh.write(b'id,text\nb1,hello\nb2,"')
        fh.write((b"Mrs Hilda Barnes 943 476 5919 " * (BIG // 30 + 1))[:BIG])
        fh.write(b'"\nb3,' + PHI.encode() + b"\n")
    j = tmp_path / "big.jsonl"
    with open(j, "wb") as fh:
        fh.write(b'{"id": "j1", "text": "hi"}\n{"id": "j2", "text": "')
        fh.write(b"a" * BIG)
        fh.write(b'"}\n{"id": "j3", "text": "bye"}\n')
    t = time.perf_counter()
    rc, rows, _ = cli(p, j)
    took = time.perf_counter() - t
    assert _ids(rows) == ["b1", "b2", "b3", "j1", "j2", "j3"]
    errs = _errors(rows)
    assert list(errs) == ["b2", "j2"]
    for e in errs.values():
        assert "over the limit" in e and "max_chars" in e and "Barnes" not in e
    assert rows[2]["verdict"] == "block"
    assert took < 30, took


def test_unreadable_and_missing_inputs(tmp_path, cli):
    bad = tmp_path / "post.txt"
    bad.write_bytes(b"caf\xe9 post")
    ok = tmp_path / "ok.txt"
    ok.write_text(PHI, encoding="utf-8")
    rc, rows, _ = cli(bad, ok)
    assert _ids(rows) == ["post.txt", "ok.txt"]
    assert "not UTF-8" in rows[0]["error"] and rows[1]["verdict"] == "block"
    rc, rows, err = cli(tmp_path / "nope.csv")
    assert rc == 2 and rows == [] and "no such file" in err


def _tree(*dirs):
    return sorted(str(p) for d in dirs for p in Path(d).rglob("*"))


def test_real_command_over_every_malformed_file(tmp_path):
    """The command the issue names, over all the bad files at once, in a sandbox."""
    work, home, tmp = tmp_path / "work", tmp_path / "home", tmp_path / "tmp"
    for d in (work, home, tmp):
        d.mkdir()
    (work / "cut.csv").write_bytes(b'id,text\nr1,hello\nr2,"' + PHI.encode() + b'"\nr3,"cut off mid')
    (work / "mixed.csv").write_bytes(b"id,text\n1,fine\n2,caf\xe9\n3," + PHI.encode() + b"\n")
    (work / "mixed.jsonl").write_bytes(b'\xef\xbb\xbf{"id": "a", "text": "ok"}\n{"id": "b", "text": "caf\xe9"}\n'
                                       b'not json\n{"id": "c", "text": "' + PHI.encode() + b'"}\n')
    (work / "big.csv").write_bytes(b'id,text\nq1,"' + b"x " * (BIG // 2) + b'"\nq2,last\n')
    before = _tree(work, home, tmp)
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(home / ".cache")}
    files = ["cut.csv", "mixed.csv", "mixed.jsonl", "big.csv"]
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "socialscreen", "check", "--policy", "b3", "--format", "jsonl",
                           *files], cwd=work, env=env, capture_output=True, timeout=300)
    took = time.perf_counter() - t
    assert proc.returncode == 3, proc.stderr.decode()[-2000:]
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]
    assert _ids(rows) == ["r1", "r2", "r3", "1", "2", "3", "a", "2", "3", "c", "q1", "q2"]
    # mixed.csv has no UTF-8 character at all: it is a Windows-1252 export, read as such
    assert _screened(rows) == ["r1", "r2", "1", "2", "3", "a", "c", "q2"]
    assert b"mixed.csv: read as Windows-1252" in proc.stderr
    assert [r["verdict"] for r in rows if r["id"] in ("r2", "c")] == ["block", "block"]
    assert b"Barnes" not in proc.stderr
    assert _tree(work, home, tmp) == before, "the command wrote files"
    print(f"\nreal CLI over 4 malformed files (one 50 MB cell): {took:.1f} s")
