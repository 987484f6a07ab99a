"""Issue 12, "Real spreadsheets and CSVs" and "Standard input by declaration": headers matched
without regard to case, spacing or punctuation, with the common names and flags to name them; a
header found below title rows (or --header-row); every sheet of a workbook (or --sheet); the
encodings a spreadsheet exports; a missing text column said once per file; and standard input
read as the format declared with --stdin-format (text by default)."""
from __future__ import annotations

import io
import json

import pytest

from socialscreen.io import read_inputs
from socialscreen.values import Post, RecordError

PHI = "NHS 943 476 5919 for Mrs Hilda Barnes on the ward"
CLEAN = "Our open day is on Saturday from 10am: everyone welcome"


def _read(*paths, **kw):
    return list(read_inputs([str(p) for p in paths], **kw))


def _ids(rows):
    return [r["id"] for r in rows]


def _errors(rows):
    return {r["id"]: r["error"] for r in rows if r.get("error")}


# ---- headers --------------------------------------------------------------------------------

@pytest.mark.parametrize("text_header", ["Post copy", " Post copy ", "Draft post", "draft_text", "POST", "Body",
                                         "Caption", "Tweet", "Message", "Post text", "post-copy"])
def test_text_column_found_by_its_common_names_in_any_case(tmp_path, text_header):
    p = tmp_path / "plan.csv"
    p.write_text(f"ID,Account,Profile,Policy,{text_header}\n"
                 f"a1,Official,Views my own,b3,{CLEAN}\n", encoding="utf-8")
    [post] = _read(p)
    assert isinstance(post, Post), post
    assert (post.id, post.account, post.profile, post.policy, post.text) == ("a1", "official", "Views my own",
                                                                                "b3", CLEAN)


def test_flags_name_columns_without_regard_to_case_or_spacing(tmp_path):
    p = tmp_path / "plan.csv"
    p.write_text("Ref No,Channel Kind,Author Blurb,Words\nr1,official,Views my own,hello\n", encoding="utf-8")
    [err] = _read(p)
    assert isinstance(err, RecordError) and "no text column" in err.error
    [post] = _read(p, column="  words ", id_column="ref_no", account_column="CHANNEL-KIND",
                   profile_column="author blurb")
    assert (post.id, post.account, post.profile, post.text) == ("r1", "official", "Views my own", "hello")


def test_a_named_column_that_is_missing_is_one_error_for_the_file(tmp_path):
    p = tmp_path / "plan.csv"
    p.write_text("id,text\n1,hello\n2,there\n", encoding="utf-8")
    recs = _read(p, id_column="post number")
    assert len(recs) == 1 and isinstance(recs[0], RecordError) and "--id-column" in recs[0].error


def test_no_text_column_is_said_once_per_file_not_once_per_row(tmp_path, cli):
    p = tmp_path / "nocol.csv"
    p.write_text("id,when\n" + "".join(f"{i},monday\n" for i in range(16)), encoding="utf-8")
    rc, rows, _ = cli(p)
    assert len(rows) == 1 and "no text column" in rows[0]["error"] and rc == 3


# ---- header below title rows ----------------------------------------------------------------

def test_csv_header_found_below_title_rows_with_the_files_own_row_numbers(tmp_path, cli):
    p = tmp_path / "plan.csv"
    p.write_text("Content plan: December,,\nPrepared by comms,,\n,,\nID,Account,Post copy\n"
                 f"d1,personal,{CLEAN}\nd2,personal\nd3,official,{PHI}\n", encoding="utf-8")
    rc, rows, _ = cli(p)
    assert _ids(rows) == ["d1", "d2", "d3"]
    assert list(_errors(rows)) == ["d2"] and "row 6" in _errors(rows)["d2"]    # the sheet's own row 6
    assert rows[2]["verdict"] == "block"


def test_header_row_flag_forces_the_header(tmp_path, cli):
    p = tmp_path / "plan.csv"
    p.write_text(f"text,note\nnot a header,x\nid,post\nh1,{CLEAN}\n", encoding="utf-8")
    rc, rows, _ = cli(p, extra=["--header-row", "3"])
    assert _ids(rows) == ["h1"] and not _errors(rows)
    rc, rows, _ = cli(p, extra=["--header-row", "2"])
    assert len(rows) == 1 and "--header-row" in rows[0]["error"]


def test_xlsx_title_rows_mixed_case_headers_every_sheet_and_sheet_flag(tmp_path, cli):
    openpyxl = pytest.importorskip("openpyxl")
    p = tmp_path / "plan.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "December"
    for row in (["Content plan: December"], [], ["ID", "Account", "Profile", "Post copy"],
                ["x1", "Official", None, CLEAN], ["x2", "Personal", "Views my own", PHI]):
        ws.append(row)
    other = wb.create_sheet("January")
    for row in (["January drafts"], ["Draft post", "Channel"], [CLEAN, "x"], [None, "y"]):
        other.append(row)
    wb.save(p)
    rc, rows, _ = cli(p)
    assert _ids(rows) == ["x1", "x2", "January:1", "January:2"]
    assert list(_errors(rows)) == ["January:2"] and "row 4" in _errors(rows)["January:2"]
    assert rows[0]["verdict"] == "pass" and rows[1]["verdict"] == "block"
    posts = [r for r in _read(p) if isinstance(r, Post)]
    assert [(x.account, x.profile) for x in posts[:2]] == [("official", None), ("personal", "Views my own")]
    rc, rows, _ = cli(p, extra=["--sheet", "january"])
    assert _ids(rows) == ["1", "2"]
    rc, rows, _ = cli(p, extra=["--sheet", "February"])
    assert len(rows) == 1 and "--sheet" in rows[0]["error"] and "'January'" in rows[0]["error"]


def test_xlsx_with_no_text_column_in_any_sheet_is_one_error(tmp_path, cli):
    openpyxl = pytest.importorskip("openpyxl")
    p = tmp_path / "plan.xlsx"
    wb = openpyxl.Workbook()
    for row in [["id", "words"]] + [[i, "hello"] for i in range(16)]:
        wb.active.append(row)
    wb.create_sheet("Notes").append(["a note"])
    wb.save(p)
    rc, rows, _ = cli(p)
    assert len(rows) == 1 and "no text column" in rows[0]["error"] and rc == 3


def test_a_sheet_with_posts_below_the_scanned_rows_is_an_error_not_skipped(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    p = tmp_path / "late.xlsx"
    wb = openpyxl.Workbook()
    wb.active.cell(row=15, column=1, value="Post copy")
    wb.active.cell(row=16, column=1, value=PHI)
    wb.create_sheet("Empty")                         # an empty sheet: no posts, no error
    wb.save(p)
    [err] = _read(p)
    assert isinstance(err, RecordError) and "--header-row" in err.error and "Barnes" not in err.error
    [post] = _read(p, header_row=15)
    assert isinstance(post, Post) and post.text == PHI


# ---- encodings ------------------------------------------------------------------------------

def test_windows_1252_csv_is_detected_and_reported_once(tmp_path, cli):
    p = tmp_path / "excel.csv"
    p.write_bytes("ID,Post copy\n1,Crème brûlée at the café – “all welcome”\n2,Naïve résumé tips\n"
                  .encode("cp1252"))
    rc, rows, err = cli(p)
    assert not _errors(rows) and _ids(rows) == ["1", "2"]
    assert err.count("read as Windows-1252") == 1
    [first, _] = _read(p)
    assert first.text == "Crème brûlée at the café – “all welcome”"


@pytest.mark.parametrize("encoding,bom,reported", [("utf-8", b"", False), ("utf-8", b"\xef\xbb\xbf", False),
                                                   ("utf-16-le", b"\xff\xfe", True)])
def test_utf8_and_utf16_exports(tmp_path, cli, encoding, bom, reported):
    p = tmp_path / "export.csv"
    p.write_bytes(bom + "Id,Draft Post\n1,Crème brûlée ✓\n".encode(encoding))
    rc, rows, err = cli(p)
    assert not _errors(rows)
    assert ("read as UTF-16" in err) is reported
    assert _read(p)[0].text == "Crème brûlée ✓"


# ---- standard input -------------------------------------------------------------------------

class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def _stdin_cli(cli, monkeypatch, data: bytes, *extra):
    monkeypatch.setattr("sys.stdin", _Stdin(data))
    return cli("-", extra=list(extra))


def test_default_stdin_is_one_plain_post_even_when_it_starts_with_a_brace(cli, monkeypatch):
    post = b'{draft} ' + PHI.encode() + b'\nsecond line {"text": "x"}\n'
    rc, rows, _ = _stdin_cli(cli, monkeypatch, post)
    assert len(rows) == 1 and not _errors(rows) and rows[0]["verdict"] == "block"
    rc, rows, _ = _stdin_cli(cli, monkeypatch, post, "--stdin-format", "text")
    assert len(rows) == 1 and rows[0]["verdict"] == "block"


def test_stdin_json_one_object_is_one_record_with_offsets_into_its_text(cli, monkeypatch):
    obj = {"id": "j1", "text": PHI, "account": "personal"}
    rc, rows, _ = _stdin_cli(cli, monkeypatch, json.dumps(obj, indent=2).encode(), "--stdin-format", "json")
    assert _ids(rows) == ["j1"] and rows[0]["verdict"] == "block"
    f = rows[0]["findings"][0]
    assert PHI[f["start"]:f["end"]] == f["text"]


def test_stdin_json_array_and_bad_json(cli, monkeypatch):
    arr = [{"id": "a", "text": CLEAN}, {"id": "b", "text": PHI}, ["not", "an", "object"]]
    rc, rows, _ = _stdin_cli(cli, monkeypatch, json.dumps(arr).encode(), "--stdin-format", "json")
    assert _ids(rows) == ["a", "b", "3"] and list(_errors(rows)) == ["3"] and rc == 3
    rc, rows, _ = _stdin_cli(cli, monkeypatch, b'{"text": "' + PHI.encode() + b'"', "--stdin-format", "json")
    assert len(rows) == 1 and "not valid JSON" in rows[0]["error"] and "Barnes" not in rows[0]["error"]
    rc, rows, _ = _stdin_cli(cli, monkeypatch, b"  \n", "--stdin-format", "json")
    assert len(rows) == 1 and "empty" in rows[0]["error"] and rc == 3


def test_stdin_jsonl(cli, monkeypatch):
    data = (json.dumps({"id": "l1", "text": CLEAN}) + "\n" + json.dumps({"id": "l2", "text": PHI}) + "\n").encode()
    rc, rows, _ = _stdin_cli(cli, monkeypatch, data, "--stdin-format", "jsonl")
    assert _ids(rows) == ["l1", "l2"] and rows[1]["verdict"] == "block"
    rc, rows, _ = _stdin_cli(cli, monkeypatch, b"", "--stdin-format", "jsonl")
    assert len(rows) == 1 and "empty" in rows[0]["error"] and rc == 3
