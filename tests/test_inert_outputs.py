"""Issue 11, class 4: reports are not an attack surface. CSV cells a spreadsheet would run
as formulas are neutralised (OWASP: a leading apostrophe); the text report shows control,
escape and bidi characters in ids, spans and errors as escapes, never as themselves."""
from __future__ import annotations

import csv
import io
import json

from socialscreen.io.writers import CsvWriter, TextWriter, inert, spreadsheet_safe

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
CLEAR = "\x1b[2J\x1b[H"
HOSTILE_ID = f"{CLEAR}ALL CLEAR{OSC52}\u202e"


def test_formula_cells_are_neutralised(tmp_path, cli):
    p = tmp_path / "f.jsonl"
    rows = [{"id": "=HYPERLINK(\"http://x\",\"y\")", "text": "=1+1 fucking hell"},
            {"id": "+cmd", "text": "-2+3 shit"}, {"id": "@SUM(A1)", "text": "hello"},
            {"id": "\tTAB", "text": "fine"}, {"id": "\rCR", "text": "fine"}, {"id": "plain", "text": "fine"}]
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    rc, out, _ = cli(p, fmt="csv")
    table = list(csv.DictReader(io.StringIO(out)))
    for row in table:
        for key, value in row.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (key, value)
    ids = [r["id"] for r in table]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in ids and "'+cmd" in ids and "'@SUM(A1)" in ids
    assert "plain" in ids


def test_text_report_escapes_terminal_sequences(tmp_path, cli):
    p = tmp_path / "t.jsonl"
    text = f"NHS 943 476 5919 for Mrs Hilda Barnes {CLEAR}on the ward{OSC52} fucking\x07 hell"
    p.write_text(json.dumps({"id": HOSTILE_ID, "text": text}) + "\n"
                 + json.dumps({"id": "\x1b[31mred", "account": "boss", "text": "hi"}) + "\n", encoding="utf-8")
    rc, out, _ = cli(p, fmt="text")
    for bad in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert bad not in out, repr(bad)
    assert "\\x1b" in out and "\\u202e" in out


def test_writers_directly():
    buf = io.StringIO()
    w = TextWriter(buf)
    w.write({"id": "a\x1b[2J", "verdict": "review", "findings": [
        {"severity": "medium", "category": "offensive_language", "start": 0, "end": 4,
         "text": "\x9b31m\u2066x\u2069", "message": "m", "clauses": []}]})
    w.write({"id": "b\x07", "error": "bad \x1b record"})
    w.close()
    assert "\x1b" not in buf.getvalue() and "\x07" not in buf.getvalue() and "\u2066" not in buf.getvalue()
    c = io.StringIO()
    cw = CsvWriter(c)
    cw.write({"id": "-1", "verdict": "pass", "findings": []})
    assert "'-1" in c.getvalue()
    assert inert("ok") == "ok" and spreadsheet_safe(3) == 3 and spreadsheet_safe("a=b") == "a=b"
