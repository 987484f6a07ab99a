"""Issue 11, classes 5 and 6: no post or record value in any error message, with a marker in
every field of every input format (JSONL, CSV with and without a header, XLSX with and
without a header, a plain text file, the API); and a record may name only an installed pack
id, never a path to a YAML file of its own."""
from __future__ import annotations

import json

import pytest

import socialscreen
from socialscreen.errors import ScreenInputError

M = "ZQXMARK"
TEXT = f"Mrs Hilda Barnes on the ward {M}"


def _errors(rows):
    return [r["error"] for r in rows if r.get("error")]


def _no_marker(rows, err):
    for e in _errors(rows):
        assert M not in e, e
    assert M not in err


def test_jsonl_every_field(tmp_path, cli):
    lines = [
        {"id": f"{M}-1", "text": 5},
        {"id": "2", "text": TEXT, "account": M},
        {"id": "3", "text": TEXT, "policy": M},
        {"id": "4", "text": TEXT, "policy": f"/tmp/{M}.yaml"},
        {"id": "5", "text": TEXT, "profile": [M]},
        {"id": "6", "text": TEXT, "attachments": [{"type": M, "alt_text": M}]},
        {"id": "7", "text": TEXT, "attachments": M},
        {"id": "8", "text": TEXT, "attachments": [{"type": "image", "alt_text": M * 20_000}]},
        {"id": "9", "text": TEXT, "profile": M * 20_000},
        {"id": "10", M: TEXT},
        {"id": "11", "text": M * 20_000},
        [M, TEXT],
    ]
    p = tmp_path / "m.jsonl"
    p.write_text("\n".join(json.dumps(x) for x in lines) + f"\n{M} not json {{\n", encoding="utf-8")
    rc, rows, err = cli(p)
    assert len(_errors(rows)) == len(lines) + 1
    _no_marker(rows, err)


def test_csv_with_and_without_a_header(tmp_path, cli):
    p = tmp_path / "m.csv"
    p.write_bytes(f"id,text,account,profile,policy\nr1,{TEXT},{M},,\nr2,{TEXT},,,{M}\n"
                  f"r3,{TEXT},,,/tmp/{M}.yaml\nr4,\"{TEXT}\n".encode())
    bare = tmp_path / "bare.csv"
    bare.write_bytes(f"{TEXT},{M}\nsecond {M},x\n".encode() + b"caf\xe9 " + M.encode() + b",y\n")
    rc, rows, err = cli(p, bare)
    assert len(_errors(rows)) == 5          # 4 rows of m.csv; bare.csv has no header: one error for the file
    _no_marker(rows, err)


def test_xlsx_with_and_without_a_header(tmp_path, cli):
    openpyxl = pytest.importorskip("openpyxl")
    p = tmp_path / "m.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["id", "text", "account", "policy"], ["x1", TEXT, M, None], ["x2", TEXT, None, M],
                ["x3", TEXT, None, f"../{M}.yaml"]):
        ws.append(row)
    wb.save(p)
    bare = tmp_path / "bare.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append([TEXT, M])
    wb.active.append([f"second {M}", "x"])
    wb.save(bare)
    rc, rows, err = cli(p, bare)
    assert len(_errors(rows)) == 4
    _no_marker(rows, err)


def test_plain_text_file(tmp_path, cli):
    p = tmp_path / "m.txt"
    p.write_bytes(b"caf\xe9 " + M.encode())
    rc, rows, err = cli(p)
    assert len(_errors(rows)) == 1
    _no_marker(rows, err)


def test_api(screeners):
    s = screeners("b3")
    bad = [{"id": "a", "text": TEXT, "account": M}, {"id": "b", "text": TEXT, "policy": M},
           {"id": "c", "text": TEXT, "policy": "walton-centre"}, {"id": "d", "text": TEXT, "profile": 3},
           {"id": "e", "text": M * 200_000}, {"id": "f", "text": TEXT, "attachments": [{"type": M}]}]
    results = list(s.screen_many(bad + [{"id": "ok", "text": TEXT}], errors="return"))
    assert [r.id for r in results] == ["a", "b", "c", "d", "e", "f", "ok"]
    for r in results[:-1]:
        assert r.verdict is None and M not in r.error, r
    assert results[-1].verdict == "block"
    for raw in bad:
        with pytest.raises(ScreenInputError) as exc:
            list(s.screen_many([raw]))
        assert M not in str(exc.value)
    with pytest.raises(ScreenInputError) as exc:
        s.screen(TEXT, account=M)
    assert M not in str(exc.value)


def test_a_record_cannot_bring_its_own_pack(tmp_path, cli):
    pack = tmp_path / "mine.yaml"
    pack.write_text("id: mine\ntitle: t\norganisation: {name: X}\nclauses: {}\ncategories: {}\n", encoding="utf-8")
    p = tmp_path / "p.jsonl"
    p.write_text(json.dumps({"id": "a", "text": "NHS 943 476 5919 fucking hell", "policy": str(pack)}) + "\n"
                 + json.dumps({"id": "b", "text": "NHS 943 476 5919", "policy": "walton-centre"}) + "\n",
                 encoding="utf-8")
    rc, rows, err = cli(p)
    assert rows[0]["error"] and "installed pack" in rows[0]["error"] and rc == 3
    assert rows[1]["verdict"] == "block" and rows[1]["policy"] == "walton-centre"
    c = tmp_path / "p.csv"
    c.write_text(f"id,text,policy\nc1,NHS 943 476 5919,{pack}\n", encoding="utf-8")
    rc, rows, err = cli(c)
    assert rows[0]["error"] and "installed pack" in rows[0]["error"]
