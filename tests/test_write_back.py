"""Issue 12, "--write-back adds them to a copy of the input workbook": the copy has the result
columns beside the columns it had on every sheet that held posts, its formatting kept and its
verdict cells coloured; the original is never written to; a CSV input gets a CSV copy; running
it again on a copy replaces the result columns instead of adding more."""
from __future__ import annotations

import csv
import hashlib
import io
import json

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill

from socialscreen.cli import main
from socialscreen.io.result_columns import RESULT_COLUMNS

PHI = "NHS 943 476 5919 for Mrs Hilda Barnes on the ward"
CLEAN = "Lovely walk along the canal with the dog this morning: sunshine at last"
RUDE = "What a shit day, management are useless"


def _sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _run(capsys, *args):
    rc = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def plan(tmp_path):
    """A content plan as comms teams keep it: a title row, a styled header, a formula, widths,
    a frozen header, a filter, two sheets of posts and a sheet of notes."""
    p = tmp_path / "plan.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "December"
    ws.append(["Content plan: December"])
    ws["A1"].font = Font(bold=True, size=16)
    ws.append(["ID", "Channel", "Post copy", "Cost"])
    for c in ws[2]:
        c.font = Font(bold=True, color="FFFFFFFF")
        c.fill = PatternFill("solid", fgColor="FF305496")
    ws.append(["d1", "X", CLEAN, 10])
    ws.append(["d2", "Insta", PHI, 20])
    ws.append([None, None, None, None])                      # a blank row between posts
    ws.append(["d3", "X", RUDE, 30])
    ws["D7"] = "=SUM(D3:D6)"
    ws.column_dimensions["C"].width = 70
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = "A2:D6"
    ws.merge_cells("A1:D1")                                  # a title across the columns
    ws2 = wb.create_sheet("January")
    ws2.append(["ID", "Post copy"])
    ws2.append(["j1", PHI])
    for col in "CDEFGHIJKL":                                 # formatted, empty: not columns that hold anything
        ws2[f"{col}1"].fill = PatternFill("solid", fgColor="FFEEEEEE")
    notes = wb.create_sheet("Notes")
    notes.append(["Remember to tag the charity account"])
    wb.save(p)
    return p


def test_workbook_copy_has_the_results_beside_each_row(cli, capsys, plan):
    before = _sha(plan)
    rc, out, err = _run(capsys, "--policy", "walton-centre", "--format", "jsonl", "--write-back", plan)
    copy = plan.with_name("plan.screened.xlsx")
    assert copy.is_file() and f"wrote {copy}" in err
    assert _sha(plan) == before                               # the original is never written to
    rows = [json.loads(line) for line in out.splitlines()]    # the report still goes to standard output
    assert [r["id"] for r in rows[:4]] == ["d1", "d2", "d3", "j1"] and rows[4]["id"].startswith("Notes:")
    assert rows[-1]["code"] == "no_text_column" and rc == 3  # the notes sheet has no posts: said, as always
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames == ["December", "January", "Notes"]
    ws = wb["December"]
    assert ws["A1"].value == "Content plan: December" and ws["A1"].font.sz == 16
    header = [c.value for c in ws[2]]
    assert header == ["ID", "Channel", "Post copy", "Cost"] + list(RESULT_COLUMNS)
    for c in ws[2][4:]:                                       # styled like the header beside them
        assert c.font.b and c.fill.fgColor.rgb == "FF305496"
    assert ws["D7"].value == "=SUM(D3:D6)"                    # formulas kept
    assert ws.column_dimensions["C"].width == 70 and ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:L6"                      # the filter takes in the new columns
    col = {h: i + 1 for i, h in enumerate(header)}
    rows = {ws.cell(r, 1).value: r for r in range(3, 7) if ws.cell(r, 1).value}
    assert ws.cell(rows["d1"], col["verdict"]).value == "pass"
    assert ws.cell(rows["d2"], col["verdict"]).value == "block"
    assert ws.cell(rows["d3"], col["verdict"]).value in ("review", "block")
    assert ws.cell(rows["d2"], col["verdict"]).fill.fgColor.rgb == "FFFFC7CE"
    assert ws.cell(rows["d1"], col["verdict"]).fill.fgColor.rgb == "FFC6EFCE"
    assert "service_user_identifier" in ws.cell(rows["d2"], col["categories"]).value
    assert "943 476 5919" in ws.cell(rows["d2"], col["spans"]).value
    assert "[NHS number]" in ws.cell(rows["d2"], col["fixes"]).value
    assert ws.cell(rows["d2"], col["spans"]).alignment.wrap_text
    assert all(ws.cell(5, c).value is None for c in range(1, len(header) + 1))     # the blank row stays blank
    assert ws.cell(rows["d2"], 3).value == PHI                # the post as it was
    jan = wb["January"]
    assert [c.value for c in jan[1]][:10] == ["ID", "Post copy"] + list(RESULT_COLUMNS)
    assert "A1:D1" in [str(r) for r in ws.merged_cells.ranges]
    assert jan["C2"].value == "block"
    assert wb["Notes"].max_column == 1                        # a sheet without posts is left alone


def test_running_again_on_the_copy_replaces_the_result_columns(cli, capsys, plan, tmp_path):
    _run(capsys, "--policy", "walton-centre", "--format", "jsonl", "--write-back", plan)
    first = plan.with_name("plan.screened.xlsx")
    again = tmp_path / "again.xlsx"
    rc, _, err = _run(capsys, "--policy", "b3", "--format", "jsonl", "--write-back", "-o", again, first)
    wb = openpyxl.load_workbook(again)
    header = [c.value for c in wb["December"][2]]
    assert header == ["ID", "Channel", "Post copy", "Cost"] + list(RESULT_COLUMNS)
    assert "b3 " in wb["December"]["H4"].value                # the clauses are the second run's


def test_the_original_is_never_the_copy(cli, capsys, plan, tmp_path):
    before = _sha(plan)
    rc, _, err = _run(capsys, "--policy", "b3", "--write-back", "-o", plan, plan)
    assert rc == 2 and "never overwrites" in err and _sha(plan) == before
    j = tmp_path / "d.jsonl"
    j.write_text(json.dumps({"text": CLEAN}) + "\n", encoding="utf-8")
    rc, _, err = _run(capsys, "--policy", "b3", "--write-back", j)
    assert rc == 2 and ".xlsx" in err and not list(tmp_path.glob("d.screened*"))
    rc, _, err = _run(capsys, "--policy", "b3", "--write-back", "-")
    assert rc == 2 and "standard input" in err
    other = tmp_path / "other.xlsx"
    other.write_bytes(plan.read_bytes())
    rc, _, err = _run(capsys, "--policy", "b3", "--write-back", "-o", tmp_path / "x.xlsx", plan, other)
    assert rc == 2 and "several inputs" in err


def test_csv_copy_keeps_title_rows_blank_rows_and_every_cell(cli, capsys, tmp_path):
    src = tmp_path / "plan.csv"
    src.write_bytes("\ufeffContent plan,,\r\nID,Post,Notes\r\nc1,{0},first \u2713\r\n,,\r\nc2,{1},\"two\r\nlines\"\r\n"
                    "c3,,empty post\r\n".format(CLEAN, PHI).encode("utf-8"))
    before = _sha(src)
    rc, _, err = _run(capsys, "--policy", "b3", "--format", "jsonl", "--write-back", src)
    assert _sha(src) == before and rc == 3
    copy = tmp_path / "plan.screened.csv"
    raw = copy.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                    # a BOM, as the input had
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Content plan", "", ""]
    assert rows[1] == ["ID", "Post", "Notes"] + list(RESULT_COLUMNS)
    assert rows[2][:3] == ["c1", CLEAN, "first \u2713"] and rows[2][3] == "pass"
    assert rows[3] == []                                      # the blank row stays blank
    assert rows[4][:3] == ["c2", PHI, "two\r\nlines"] and rows[4][3] == "block"
    assert rows[5][:3] == ["c3", "", "empty post"] and rows[5][3] == "error" and rows[5][9] == "empty"
    assert len(rows) == 6


def test_windows_csv_copy_is_written_as_utf8_and_said(cli, capsys, tmp_path):
    src = tmp_path / "excel.csv"
    src.write_bytes("ID,Post\r\nw1,Caf\u00e9 open day on Saturday from 10am\r\n".encode("cp1252"))
    rc, _, err = _run(capsys, "--policy", "b3", "--format", "jsonl", "--write-back", src)
    copy = tmp_path / "excel.screened.csv"
    assert "written as UTF-8 (the input was Windows-1252)" in err
    rows = list(csv.reader(io.StringIO(copy.read_bytes().decode("utf-8-sig"))))
    assert rows[1][:3] == ["w1", "Caf\u00e9 open day on Saturday from 10am", "pass"]


def test_a_chart_the_copy_cannot_keep_is_said(cli, capsys, tmp_path):
    from openpyxl.chart import BarChart, Reference
    p = tmp_path / "charted.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Post", "Likes"])
    ws.append([CLEAN, 3])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=2))
    ws.add_chart(chart, "D2")
    wb.save(p)
    rc, _, err = _run(capsys, "--policy", "b3", "--format", "jsonl", "--write-back", p)
    assert "charts and images" in err and (tmp_path / "charted.screened.xlsx").is_file()
