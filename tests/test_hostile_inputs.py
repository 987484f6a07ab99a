"""Issue 11, class 2: one bad record, file or stream becomes an error record in its place
and never costs another record (through the command line, in order)."""
from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from socialscreen.cli import main
from socialscreen.io.readers import XLSX_MAX_UNPACKED, read_inputs

PHI = "NHS 943 476 5919 for Mrs Hilda Barnes on the ward"


def _ids(rows):
    return [r["id"] for r in rows]


def _errors(rows):
    return {r["id"]: r["error"] for r in rows if r.get("error")}


def test_deeply_nested_jsonl_line_with_an_escape(tmp_path, cli):
    deep = '{"id": "deep", "text": "hello", "x": ' + "[" * 400 + '"\\u00e9 \\ud800"' + "]" * 400 + "}"
    p = tmp_path / "deep.jsonl"
    p.write_text('{"id": "a", "text": "%s"}\n%s\n{"id": "c", "text": "%s"}\n' % (PHI, deep, PHI), encoding="utf-8")
    rc, rows, _ = cli(p)
    assert _ids(rows) == ["a", "deep", "c"]
    assert rows[0]["verdict"] == rows[2]["verdict"] == "block"


def test_huge_alt_text_and_profile_are_errors_of_their_own_record(tmp_path, cli):
    huge = "x " * 600_000
    p = tmp_path / "alt.jsonl"
    lines = [{"id": "a", "text": PHI},
             {"id": "alt", "text": "photo", "attachments": [{"type": "image", "alt_text": huge}]},
             {"id": "bio", "text": "hello", "profile": huge},
             {"id": "d", "text": PHI}]
    p.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    rc, rows, _ = cli(p)
    assert _ids(rows) == ["a", "alt", "bio", "d"]
    errs = _errors(rows)
    assert set(errs) == {"alt", "bio"} and rc == 3
    assert "alt text" in errs["alt"] and "max_chars" in errs["alt"] and "profile" in errs["bio"]
    assert rows[0]["verdict"] == rows[3]["verdict"] == "block"


def _workbook(path, rows):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)


def _rewrite_zip(path, change):
    with zipfile.ZipFile(path) as zf:
        items = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    items = change(items)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in items.items():
            zf.writestr(name, data)


def test_xlsx_with_a_missing_active_sheet_malformed_xml_or_a_zip_bomb(tmp_path, cli):
    first = tmp_path / "first.jsonl"
    first.write_text(f'{{"id": "j1", "text": "{PHI}"}}\n', encoding="utf-8")
    active = tmp_path / "active.xlsx"
    _workbook(active, [["id", "text"], ["x1", PHI]])
    _rewrite_zip(active, lambda items: {**items, "xl/workbook.xml": items["xl/workbook.xml"].replace(
        b"<workbookView ", b'<workbookView activeTab="7" ')})
    broken = tmp_path / "broken.xlsx"
    _workbook(broken, [["id", "text"], ["y1", PHI], ["y2", "hello"]])
    _rewrite_zip(broken, lambda items: {**items, "xl/worksheets/sheet1.xml":
                                        items["xl/worksheets/sheet1.xml"][:-60] + b"<row><c r="})
    bomb = tmp_path / "bomb.xlsx"
    _workbook(bomb, [["id", "text"], ["z1", PHI]])
    _rewrite_zip(bomb, lambda items: {**items, "xl/padding.bin": b"\0" * (XLSX_MAX_UNPACKED + 1)})
    assert bomb.stat().st_size < 1_000_000
    last = tmp_path / "last.txt"
    last.write_text(PHI, encoding="utf-8")
    rc, rows, _ = cli(first, active, broken, bomb, last)
    ids = _ids(rows)
    assert ids[0] == "j1" and ids[-1] == "last.txt"
    assert rows[0]["verdict"] == rows[-1]["verdict"] == "block"
    errs = _errors(rows)
    assert any("unpacks to" in e and "over the limit" in e for e in errs.values())
    assert not any(r.get("error") is None and r["id"] == str(bomb) for r in rows)


def test_closed_stdin_is_an_error_record(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", None)
    rc = main(["check", "--policy", "b3", "--format", "jsonl", "-"])
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert rc == 3 and len(rows) == 1 and "standard input is closed" in rows[0]["error"]


def test_closed_stdin_buffer(monkeypatch):
    class Closed(io.BytesIO):
        pass
    stream = Closed(b"x")
    stream.close()
    recs = list(read_inputs(["-"], stdin=stream))
    assert len(recs) == 1 and "closed" in recs[0].error


def test_non_utf8_file_name_in_jsonl_output(tmp_path, capsys, cli):
    name = os.fsdecode(b"caf\xe9 draft.txt")
    p = Path(tmp_path) / name
    p.write_text(PHI, encoding="utf-8")
    rc, rows, _ = cli(p)
    assert len(rows) == 1 and rows[0]["verdict"] == "block" and "\ufffd" in rows[0]["id"]
    rc = main(["check", "--policy", "b3", "--format", "text", str(p)])
    out, _ = capsys.readouterr()
    assert "BLOCK" in out


def test_an_unreadable_later_file_keeps_every_earlier_record(tmp_path, cli):
    many = tmp_path / "many.jsonl"
    many.write_text("".join(f'{{"id": "m{i}", "text": "hello {i}"}}\n' for i in range(70)), encoding="utf-8")
    unreadable = tmp_path / "later.txt"
    unreadable.symlink_to("/proc/self/mem")             # a regular file that cannot be read
    after = tmp_path / "after.txt"
    after.write_text(PHI, encoding="utf-8")
    rc, rows, _ = cli(many, unreadable, after)
    assert _ids(rows) == [f"m{i}" for i in range(70)] + [str(unreadable), "after.txt"]
    assert "cannot be read" in rows[70]["error"] and rows[71]["verdict"] == "block" and rc == 3


def test_unclosed_quote_mid_csv_does_not_swallow_later_rows(tmp_path, cli):
    p = tmp_path / "quote.csv"
    p.write_bytes(b'id,text\nr1,hello\nr2,"this quote is never closed\nr3,' + PHI.encode()
                  + b'\nr4,"a quoted, fine one"\nr5,fine\n')
    rc, rows, _ = cli(p)
    assert _ids(rows) == ["r1", "r2", "r3", "r4", "r5"]
    assert list(_errors(rows)) == ["r2"] and "quote" in _errors(rows)["r2"]
    assert rows[2]["verdict"] == "block"
    q = tmp_path / "quote2.csv"
    q.write_bytes(b'id,text\ns1,"opened\ns2,swallowed\ns3,"closed" late\ns4,' + PHI.encode() + b"\n")
    rc, rows, _ = cli(q)
    assert _ids(rows) == ["s1", "s2", "s3", "s4"] and list(_errors(rows)) == ["s1"]
    assert rows[3]["verdict"] == "block"


def test_stray_quote_inside_an_unquoted_cell_is_text(tmp_path, cli):
    p = tmp_path / "stray.csv"
    p.write_bytes(b'id,text\nr1,she said "no thanks\nr2,' + PHI.encode() + b'\n')
    rc, rows, _ = cli(p)
    assert _ids(rows) == ["r1", "r2"] and not _errors(rows)
    assert rows[1]["verdict"] == "block"


def test_a_post_that_normalising_lengthens_past_the_model_limit(tmp_path, cli):
    p = tmp_path / "long.jsonl"
    p.write_text(json.dumps({"id": "long", "text": "\ufdfa" * 99_000}) + "\n"
                 + json.dumps({"id": "b", "text": PHI}) + "\n", encoding="utf-8")
    rc, rows, _ = cli(p)
    assert _ids(rows) == ["long", "b"] and not _errors(rows) and rows[1]["verdict"] == "block"
