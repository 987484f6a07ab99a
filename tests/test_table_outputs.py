"""Issue 12, "CSV and XLSX out": one row per input record, in input order, carrying every column
of the input (CSV, workbook, JSON Lines) plus verdict, categories, the flagged spans with their
offsets, the clauses quoted, the messages and the fixes; a record that could not be screened is a
row with its error code and message. The workbook is opened with openpyxl and checked cell by
cell; it is written without temporary files."""
from __future__ import annotations

import csv
import datetime
import io
import json
import os
import tempfile
from pathlib import Path

import openpyxl
import pytest

from socialscreen.cli import main
from socialscreen.io.result_columns import RESULT_COLUMNS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PLAN = EXAMPLES / "content-plan.xlsx"
PLAN_HEADER = ["ID", "Date", "Channel", "Account", "Profile", "Post copy", "Owner"]
PLAN_IDS = [f"dec-0{i}" for i in range(1, 9)] + [f"jan-0{i}" for i in range(1, 7)]
PHI = "NHS 943 476 5919 for Mrs Hilda Barnes on the ward"
CLEAN = "Lovely walk along the canal with the dog this morning: sunshine at last"


def _csv(text: str) -> list:
    return list(csv.DictReader(io.StringIO(text)))


def _run(capsys, *args) -> tuple:
    rc = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def shared(cli):
    """The in-process run with shared Screeners (the cli fixture patches them in)."""
    return cli


def test_csv_of_the_content_plan_carries_every_column_in_order(shared, capsys):
    rc, out, _ = shared(PLAN, policy="walton-centre", fmt="csv")
    rows = _csv(out)
    header = list(rows[0].keys())
    # the plan has an ID column of its own, so no extra id column; every input column, then the results
    assert header == PLAN_HEADER + list(RESULT_COLUMNS)
    assert [r["ID"] for r in rows] == PLAN_IDS
    wb = openpyxl.load_workbook(PLAN, read_only=True)
    originals = [r for ws in wb.worksheets for r in ws.iter_rows(min_row=3, values_only=True) if any(r)]
    wb.close()
    for row, original in zip(rows, originals):
        assert [row[h] for h in PLAN_HEADER] == ["" if v is None else str(v) for v in original]
    by_id = {r["ID"]: r for r in rows}
    dec02 = by_id["dec-02"]
    assert dec02["verdict"] == "block" and dec02["categories"] == "service_user_identifier"
    text = dec02["Post copy"]
    # every span with its offsets, and the offsets point into the post
    spans = dec02["spans"].splitlines()
    assert len(spans) == 3 and spans[0].startswith("[1] ")
    for line in spans:
        where, quoted = line.split(" ", 2)[1], line.split("\u201c", 1)[1].rsplit("\u201d", 1)[0]
        start, end = map(int, where.split("-"))
        assert text[start:end] == quoted
    assert "5.1/dont-patient-comments" in dec02["clauses"] and "\u201cPost any comments relating to patients.\u201d" \
        in dec02["clauses"]
    assert dec02["clauses"].startswith("[1, 2, 3] ")            # each clause once, with the findings citing it
    assert "NHS number" in dec02["messages"]
    assert "Redacted: \"Lovely to see [name] back on [ward and bed] today, her NHS number [NHS number]" \
        in dec02["fixes"]
    assert by_id["dec-01"]["verdict"] == "pass" and by_id["dec-01"]["spans"] == ""
    assert {r["error_code"] for r in rows} == {""}
    assert rc == 1


def test_csv_errors_are_rows_in_their_place_with_code_and_message(shared, tmp_path):
    p = tmp_path / "plan.csv"
    p.write_bytes(b"Ref,Channel,Draft,Account,Notes\r\n"
                  b"a1,X," + CLEAN.encode() + b",official,first \xe2\x9c\x93\r\n"
                  b"a2,X,,official,no text\r\n"
                  b"a3,X," + PHI.encode() + b",boss,bad account\r\n"
                  b"a4,X,caf\xe9 " + CLEAN.encode() + b",official,not utf-8\r\n"
                  b"\r\n"
                  b"a5,Insta," + PHI.encode() + b",personal,last\r\n")
    rc, out, _ = shared(p, fmt="csv")
    rows = _csv(out)
    assert list(rows[0]) == ["Ref", "Channel", "Draft", "Account", "Notes"] + list(RESULT_COLUMNS)
    assert [r["Ref"] for r in rows] == ["a1", "a2", "a3", "a4", "a5"]       # the blank row is not a record
    assert [r["Notes"] for r in rows] == ["first \u2713", "no text", "bad account", "not utf-8", "last"]
    codes = [r["error_code"] for r in rows]
    assert codes == ["", "empty", "invalid_record", "not_utf8", ""]
    assert [r["verdict"] for r in rows] == ["pass", "error", "error", "error", "block"]
    assert "row 3" in rows[1]["error"] and "empty" in rows[1]["error"]
    assert "account" in rows[2]["error"] and "Barnes" not in rows[2]["error"]
    assert rows[3]["Draft"].startswith("caf\ufffd ")
    assert rc == 3


def test_jsonl_and_text_inputs_carry_their_fields(shared, tmp_path):
    j = tmp_path / "drafts.jsonl"
    j.write_text(json.dumps({"id": "j1", "text": PHI, "channel": "X", "scheduled": "2026-12-01"}) + "\n"
                 + "not json\n"
                 + json.dumps({"id": 7, "text": CLEAN, "attachments": [{"type": "image", "alt_text": "a cake"}]})
                 + "\n", encoding="utf-8")
    t = tmp_path / "one.txt"
    t.write_text(CLEAN, encoding="utf-8")
    rc, out, _ = shared(j, t, fmt="csv")
    rows = _csv(out)
    assert list(rows[0]) == ["id", "text", "channel", "scheduled", "attachments"] + list(RESULT_COLUMNS)
    assert [r["id"] for r in rows] == ["j1", "2", "7", "one.txt"]
    assert rows[0]["channel"] == "X" and rows[0]["scheduled"] == "2026-12-01" and rows[0]["text"] == PHI
    assert rows[1]["error_code"] == "invalid_json" and rows[1]["text"] == ""
    assert json.loads(rows[2]["attachments"]) == [{"type": "image", "alt_text": "a cake"}]
    assert rows[3]["text"] == CLEAN and rows[3]["verdict"] == "pass"


def test_an_input_column_named_like_a_result_column_is_kept(shared, tmp_path):
    p = tmp_path / "p.csv"
    p.write_text(f"text,verdict,error\n{CLEAN},approved,none\n", encoding="utf-8")
    rc, out, _ = shared(p, fmt="csv")
    [row] = _csv(out)
    assert row["verdict (input)"] == "approved" and row["error (input)"] == "none"
    assert row["verdict"] == "pass" and row["id"] == "1"


def _xlsx(capsys, tmp_path, *inputs, extra=()):
    out = tmp_path / "report.xlsx"
    rc, stdout, err = _run(capsys, "--policy", "walton-centre", "--format", "xlsx", "-o", out, *extra, *inputs)
    return rc, openpyxl.load_workbook(out), stdout, err


def test_xlsx_output_opened_with_openpyxl(shared, capsys, tmp_path):
    rc, wb, stdout, _ = _xlsx(capsys, tmp_path, PLAN)
    assert rc == 1 and stdout == ""
    assert wb.sheetnames == ["Summary", "Results"]
    ws = wb["Results"]
    header = [c.value for c in ws[1]]
    assert header == PLAN_HEADER + list(RESULT_COLUMNS)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:O{len(PLAN_IDS) + 1}"
    assert all(c.font.b for c in ws[1])
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [r["ID"] for r in rows] == PLAN_IDS
    verdict_col = header.index("verdict") + 1
    fills = {"block": "FFFFC7CE", "review": "FFFFEB9C", "pass": "FFC6EFCE"}
    for n, r in enumerate(rows, start=2):
        assert ws.cell(n, verdict_col).fill.fgColor.rgb == fills[r["verdict"]]
    by_id = {r["ID"]: r for r in rows}
    assert by_id["dec-02"]["verdict"] == "block" and by_id["dec-06"]["verdict"] == "review"
    assert by_id["dec-02"]["Post copy"].startswith("Lovely to see Mrs Hilda Barnes")
    assert ws.cell(2 + PLAN_IDS.index("dec-02"), header.index("spans") + 1).alignment.wrap_text
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Posts"] == 14 and summary["block"] == 3 and summary["review"] == 2 and summary["pass"] == 9
    assert summary["Identifies someone we support"] >= 3
    assert "walton-centre" in summary["Policy"]


def test_xlsx_keeps_types_and_never_writes_a_formula(shared, capsys, tmp_path):
    src = tmp_path / "typed.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Ref", "When", "Budget", "Post", "Live"])
    ws.append([1, datetime.datetime(2026, 12, 1), 250.5, "=HYPERLINK(\"http://x\") what a shit day", True])
    ws["D2"].data_type = "s"                    # text that looks like a formula, stored as text
    ws.append([2, datetime.datetime(2026, 12, 2, 9, 30), None, CLEAN, False])
    wb.save(src)
    j = tmp_path / "bell.jsonl"
    j.write_text(json.dumps({"id": "j", "text": "bell \x07 " + CLEAN}) + "\n", encoding="utf-8")
    rc, out, _, _ = _xlsx(capsys, tmp_path, src, j)
    res = out["Results"]
    header = [c.value for c in res[1]]
    first = dict(zip(header, (c for c in res[2])))
    assert first["Ref"].value == 1 and first["Budget"].value == 250.5 and first["Live"].value is True
    assert first["When"].value == datetime.datetime(2026, 12, 1) and first["When"].is_date
    assert first["Post"].data_type == "s" and first["Post"].value.startswith("=HYPERLINK")
    second = dict(zip(header, (c.value for c in res[3])))
    assert second["When"] == datetime.datetime(2026, 12, 2, 9, 30)
    third = dict(zip(header, (c.value for c in res[4])))
    assert third["text"] == "bell \\x07 " + CLEAN                 # a character XML cannot hold, shown as an escape
    for row in res.iter_rows():
        for c in row:
            assert c.data_type != "f"


def test_xlsx_errors_in_place_and_mixed_inputs(shared, capsys, tmp_path):
    a = tmp_path / "a.csv"
    a.write_text(f"Post,Channel\n{CLEAN},X\n,Insta\n", encoding="utf-8")
    b = tmp_path / "b.jsonl"
    b.write_text(json.dumps({"id": "b1", "text": PHI, "owner": "Ward 6"}) + "\n", encoding="utf-8")
    c = tmp_path / "c.txt"
    c.write_text("", encoding="utf-8")
    rc, wb, _, _ = _xlsx(capsys, tmp_path, a, b, c)
    res = wb["Results"]
    header = [x.value for x in res[1]]
    assert header == ["id", "Post", "Channel", "text", "owner"] + list(RESULT_COLUMNS)
    rows = [dict(zip(header, r)) for r in res.iter_rows(min_row=2, values_only=True)]
    assert [r["id"] for r in rows] == ["1", "2", "b1", "c.txt"]
    assert [r["error_code"] for r in rows] == [None, "empty", None, "empty"]
    assert rows[2]["owner"] == "Ward 6" and rows[2]["verdict"] == "block"
    assert rows[1]["Channel"] == "Insta"
    assert rc == 3
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["error"] == 2


def test_xlsx_to_a_terminal_needs_o(shared, capsys, monkeypatch, tmp_path):
    class Tty(io.StringIO):
        def isatty(self):
            return True

        @property
        def buffer(self):
            return io.BytesIO()
    monkeypatch.setattr("sys.stdout", Tty())
    rc = main(["check", "--policy", "b3", "--format", "xlsx", str(PLAN)])
    assert rc == 2 and "-o" in capsys.readouterr().err


def test_o_never_overwrites_an_input(shared, capsys, tmp_path):
    src = tmp_path / "plan.csv"
    src.write_text(f"text\n{CLEAN}\n", encoding="utf-8")
    before = src.read_bytes()
    rc, _, err = _run(capsys, "--policy", "b3", "--format", "csv", "-o", src, src)
    assert rc == 2 and "input" in err and src.read_bytes() == before


def test_xlsx_and_write_back_make_no_temporary_files(shared, capsys, tmp_path, monkeypatch):
    """openpyxl writes each sheet to a temporary file before zipping it; neither output may."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    seen = []
    real = tempfile.NamedTemporaryFile

    def spy(*a, **k):
        f = real(*a, **k)
        seen.append(f.name)
        return f
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", spy)
    import openpyxl.worksheet._writer as wsw
    monkeypatch.setattr(wsw, "NamedTemporaryFile", spy)
    plan = tmp_path / "plan.xlsx"
    plan.write_bytes(PLAN.read_bytes())
    rc, wb, _, _ = _xlsx(capsys, tmp_path, plan)
    assert wb["Results"].max_row == len(PLAN_IDS) + 1
    rc, _, err = _run(capsys, "--policy", "walton-centre", "--format", "jsonl", "--write-back", plan)
    assert (tmp_path / "plan.screened.xlsx").is_file() and "wrote" in err
    assert seen == [] and os.listdir(tmpdir) == []


def test_the_row_a_record_carries_shows_no_value_when_printed(tmp_path):
    """A record keeps its input row for these outputs, but printing the record (a log line, a
    traceback, an error message) shows none of the row's cells."""
    import pickle

    from socialscreen.io import read_inputs
    p = tmp_path / "p.csv"
    p.write_text("ID,Post,Notes\nsecret-id,Mrs Hilda Barnes in bed 4,call Hilda on 07700 900872\n"
                 "x2,,Barnes family notes\n", encoding="utf-8")
    post, err = list(read_inputs([str(p)]))
    assert post.row.cells == ["secret-id", "Mrs Hilda Barnes in bed 4", "call Hilda on 07700 900872"]
    assert err.code == "empty" and err.row.cells[2] == "Barnes family notes"
    for shown in (repr(post.row), repr(post.row.table), repr(err), str(err), repr(err.row)):
        assert "07700" not in shown and "Barnes" not in shown and "secret-id" not in shown, shown
    assert "07700" not in repr(post)                 # the post's own repr never adds its row
    assert post.row.table.name == str(p) and post.row.number == 2
    again = pickle.loads(pickle.dumps(post))         # worker processes get the row too
    assert again.row.cells == post.row.cells and again == post
