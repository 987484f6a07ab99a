"""The command line as workflow scripts use it: formats, stdin, exit codes, error records."""
import csv
import io
import json
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "socialscreen"]


def run(args, stdin=None):
    return subprocess.run(CLI + args, input=stdin, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    d = tmp_path_factory.mktemp("in")
    jl = d / "posts.jsonl"
    jl.write_text("\n".join([
        json.dumps({"id": "p1", "text": "Mr Jenkins in bed 12 was asking for you, NHS 943 476 5919"}),
        "this is not json",
        json.dumps({"id": "p3", "text": "Lovely day for the bake sale!"}),
        json.dumps({"id": "p4", "nottext": "x"}),
        json.dumps({"id": "p5", "text": "Proud of my team at the Walton Centre", "profile": "Views my own"}),
    ]) + "\n", encoding="utf-8")
    c = d / "posts.csv"
    with open(c, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "draft", "account"])
        w.writerow(["r1", "what a shit day", ""])
        w.writerow(["r2", "Coffee morning Friday", "official"])
    t = d / "one.txt"
    t.write_text("CONFIDENTIAL - do not share: redundancies planned for March", encoding="utf-8")
    return d


def test_jsonl_one_line_per_record_in_order_with_errors(batch):
    p = run(["check", "--policy", "walton-centre", "--format", "jsonl", str(batch / "posts.jsonl")])
    assert p.returncode == 3, p.stderr          # records that could not be screened fail the run
    skip = run(["check", "--policy", "walton-centre", "--format", "jsonl", "--on-error", "skip",
                str(batch / "posts.jsonl")])
    assert skip.returncode == 1 and skip.stdout == p.stdout
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["p1", "2", "p3", "p4", "p5"]
    assert lines[0]["verdict"] == "block" and lines[0]["findings"]
    assert "error" in lines[1] and lines[1]["findings"] == []
    assert "error" in lines[3]
    assert lines[2]["verdict"] == "pass"
    assert not any(f["category"] == "missing_disclaimer" for f in lines[4]["findings"])


def test_csv_input_with_column_and_csv_output(batch):
    p = run(["check", "--policy", "b3", "--format", "csv", "--column", "draft", str(batch / "posts.csv")])
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert [r["id"] for r in rows][0] == "r1" and rows[-1]["id"] == "r2"
    assert rows[0]["categories"] == "offensive_language" and rows[0]["verdict"] in ("review", "block")


def test_missing_column_is_a_record_error_not_a_crash(batch):
    p = run(["check", "--policy", "b3", "--format", "jsonl", "--column", "nope", str(batch / "posts.csv")])
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    assert len(lines) == 1 and "error" in lines[0]          # said once for the file, not once per row
    assert p.returncode == 3


def test_stdin_and_text_report():
    p = run(["check", "--policy", "stass"], stdin="CONFIDENTIAL: board papers attached, do not share")
    assert p.returncode == 1
    assert "confidential_information" in p.stdout and "5.3" in p.stdout


def test_fail_on_levels():
    post = "Proud of my ward at the Walton Centre"
    assert run(["check", "--policy", "walton-centre", "--fail-on", "block", "-"], stdin=post).returncode == 0
    assert run(["check", "--policy", "walton-centre", "--fail-on", "review", "-"], stdin=post).returncode == 1
    assert run(["check", "--policy", "walton-centre", "--fail-on", "never", "-"],
               stdin="NHS 943 476 5919 Mrs Jones bed 6").returncode == 0


def test_usage_errors_exit_2(tmp_path):
    assert run(["check", "--policy", "nope", "-"], stdin="x").returncode == 2
    assert run(["check", "--policy", "b3", str(tmp_path / "missing.jsonl")]).returncode == 2
    assert run(["check"]).returncode == 2


def test_text_file_and_json_and_html(batch):
    p = run(["check", "--policy", "focus", "--format", "json", str(batch / "one.txt")])
    data = json.loads(p.stdout)
    assert data[0]["id"] == "one.txt" and data[0]["findings"][0]["category"] == "confidential_information"
    h = run(["check", "--policy", "focus", "--format", "html", str(batch / "one.txt")])
    assert "<mark>" in h.stdout


def test_policies_and_explain():
    p = run(["policies"])
    assert p.returncode == 0 and all(x in p.stdout for x in ("stass", "focus", "community-group", "walton-centre", "b3"))
    e = run(["explain", "b3", "3.4.5"])
    assert e.returncode == 0 and "3.4.5" in e.stdout
    assert run(["explain", "b3", "99.9"]).returncode == 2


def test_xlsx_input(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "text"])
    ws.append(["x1", "what a shit day"])
    ws.append(["x2", None])
    path = tmp_path / "drafts.xlsx"
    wb.save(path)
    p = run(["check", "--policy", "b3", "--format", "jsonl", str(path)])
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    assert lines[0]["id"] == "x1" and lines[0]["findings"]
    assert "error" in lines[1]
