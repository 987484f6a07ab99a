"""Issue 12, narrow suppression: a record's own `allow` (JSONL/JSON field, CSV/XLSX column, the
API's `allow=`) suppresses findings of those rule ids in that record only, with an optional
reason; an unknown rule id makes that record an error (fail closed); the configuration's
allow-lists per category name terms that never flag. Every suppressed finding is counted in the
result, never dropped silently."""
from __future__ import annotations

import csv
import json

import pytest

import socialscreen
from socialscreen import Allow, Post, RecordError, ScreenInputError

PHI = "Mrs Hilda Barnes in bed 4 turned 88 today, NHS 943 476 5919"
PHI_RULES = {"names.care-context", "pii.ward-bed", "pii.age-detail", "pii.nhs-number"}
SWEAR = "what a shit day"


@pytest.fixture(scope="module")
def wc():
    # the rules alone: these tests are about suppression, not about what the learned layer adds
    return socialscreen.Screener("walton-centre", context=None)


def _rules(result):
    return {f.rule for f in result.findings}


# ---- the API ---------------------------------------------------------------------------------

def test_screen_allow_suppresses_that_rule_in_that_post_only(wc):
    plain = wc.screen(PHI)
    assert _rules(plain) == PHI_RULES and not plain.suppressed
    result = wc.screen(PHI, allow=[{"rule": "pii.nhs-number", "reason": "published with consent, ref 7731"}])
    assert _rules(result) == PHI_RULES - {"pii.nhs-number"}
    [s] = result.suppressed
    assert (s.rule, s.category, s.by, s.reason) == ("pii.nhs-number", "service_user_identifier", "allow",
                                                    "published with consent, ref 7731")
    assert PHI[s.start:s.end] == "943 476 5919"
    d = result.to_dict()
    assert d["suppressed"] == [{"rule": "pii.nhs-number", "category": "service_user_identifier", "start": s.start,
                                "end": s.end, "by": "allow", "reason": "published with consent, ref 7731"}]
    assert "943" not in json.dumps(d["suppressed"])          # offsets, never the text
    assert "suppressed" not in plain.to_dict()               # the output is unchanged where nothing was
    assert wc.screen(PHI).to_dict() == plain.to_dict()       # another post is not touched


def test_the_verdict_follows_from_the_findings_that_stand(wc):
    everything = [r for r in PHI_RULES]
    result = wc.screen(PHI, allow=everything)
    assert result.verdict == "pass" and not result.findings and len(result.suppressed) == 4
    assert {s.by for s in result.suppressed} == {"allow"}
    mostly = wc.screen(PHI, allow=["pii.nhs-number", "pii.ward-bed", "names.care-context"])
    assert mostly.verdict == "review" and _rules(mostly) == {"pii.age-detail"}


def test_an_unknown_rule_id_raises_without_quoting_it(wc):
    with pytest.raises(ScreenInputError) as e:
        wc.screen(PHI, allow=["pii.nhs-number", "pii.nhs-numbr-secret-word"])
    assert "allow entry 2" in str(e.value) and "secret-word" not in str(e.value)
    with pytest.raises(ScreenInputError):
        wc.screen(PHI, allow=["pii"])                        # a family is not narrow: rule ids only


@pytest.mark.parametrize("allow", ["pii.nhs-number", {"rule": "pii.nhs-number"}, [3], [{"reason": "x"}],
                                   [{"rule": "pii.nhs-number", "why": "x"}], [{"rule": "pii.nhs-number", "reason": 3}],
                                   [""], [{"rule": "pii.nhs-number", "reason": "x" * 1001}]])
def test_a_malformed_allow_is_a_screen_input_error(allow):
    with pytest.raises(ScreenInputError):
        Post.build("text", allow=allow)


def test_post_values_carry_allow():
    post = Post.of({"text": "t", "allow": ["pii.phone", {"rule": "pii.email", "reason": "our address"}]})
    assert post.allow == (Allow("pii.phone"), Allow("pii.email", "our address"))
    assert Post.of(post) is post and Post.build("t").allow == ()


def test_screen_many_takes_allow_on_each_record_and_reports_bad_ones_in_place(wc):
    posts = [{"id": "a", "text": PHI, "allow": ["pii.nhs-number"]},
             {"id": "b", "text": PHI, "allow": ["no.such-rule"]},
             {"id": "c", "text": PHI},
             Post.build(PHI, id="d", allow=[Allow("pii.ward-bed", "the bed is a stage prop")])]
    out = list(wc.screen_many(posts, errors="return"))
    assert [r.id for r in out] == ["a", "b", "c", "d"]
    assert _rules(out[0]) == PHI_RULES - {"pii.nhs-number"}
    assert isinstance(out[1], RecordError) and out[1].code == "unknown_allow_rule"
    assert "no.such-rule" not in out[1].error
    assert _rules(out[2]) == PHI_RULES
    assert _rules(out[3]) == PHI_RULES - {"pii.ward-bed"} and out[3].suppressed[0].reason == "the bed is a stage prop"
    with pytest.raises(ScreenInputError):
        list(wc.screen_many(posts))                          # errors="raise": the bad record raises


def test_allow_lists_per_category(wc):
    screener = socialscreen.Screener("b3", allow_terms={"offensive_language": ["SHIT!"],
                                                         "service_user_identifier": [r"re:mrs \w+ barnes"]})
    result = screener.screen(SWEAR)
    assert not any(f.category == "offensive_language" for f in result.findings)
    assert [(s.rule.split(".")[0], s.by) for s in result.suppressed] == [("offensive", "allow-list")]
    names = screener.screen(PHI)
    assert "names.care-context" not in _rules(names) and "pii.nhs-number" in _rules(names)
    assert {s.by for s in names.suppressed} == {"allow-list"}
    # a term allowed in one category does not silence another
    other = socialscreen.Screener("b3", allow_terms={"discriminatory_language": ["shit"]})
    assert any(f.category == "offensive_language" for f in other.screen(SWEAR).findings)
    with pytest.raises(socialscreen.SocialScreenError, match="categories"):
        socialscreen.Screener("b3", allow_terms={"swearing": ["x"]})
    with pytest.raises(socialscreen.SocialScreenError, match="families"):
        socialscreen.Screener("b3", severity={"pii.nhs-numbr": "low"})


# ---- the command line: JSONL, CSV, XLSX ------------------------------------------------------

def _jsonl(out):
    return [json.loads(x) for x in out.splitlines()]


def test_jsonl_allow_with_reason_and_an_unknown_id_fails_closed(tmp_path, ss):
    p = tmp_path / "posts.jsonl"
    p.write_text("\n".join(json.dumps(x) for x in [
        {"id": "a", "text": PHI, "allow": [{"rule": "pii.nhs-number", "reason": "consent recorded"}]},
        {"id": "b", "text": PHI, "allow": ["pii.nhs-numbr"]},
        {"id": "c", "text": PHI},
        {"id": "d", "text": PHI, "allow": "pii.nhs-number"},
    ]) + "\n", encoding="utf-8")
    rc, out, err = ss("check", "--no-config", "--policy", "walton-centre", "--context", "none", "--format", "jsonl", p)
    rows = _jsonl(out)
    assert [r["id"] for r in rows] == ["a", "b", "c", "d"]
    assert {f["rule"] for f in rows[0]["findings"]} == PHI_RULES - {"pii.nhs-number"}
    assert rows[0]["suppressed"][0]["reason"] == "consent recorded"
    assert "error" in rows[1] and "allow entry 1" in rows[1]["error"]
    assert {f["rule"] for f in rows[2]["findings"]} == PHI_RULES
    assert "error" in rows[3] and "must be a list" in rows[3]["error"]
    assert rc == 3                                            # a record nobody screened fails the run
    assert "1 finding(s) suppressed by the records' own allow" in err


def test_csv_allow_column_comma_separated_with_a_reason_column(tmp_path, ss):
    p = tmp_path / "plan.csv"
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "Post copy", "Allow", "Allow reason"])
        w.writerow(["r1", PHI, "pii.nhs-number, pii.ward-bed", "consent on file"])
        w.writerow(["r2", PHI, "", ""])
        w.writerow(["r3", PHI, "pii.age-detail;pii.bogus", ""])
    rc, out, err = ss("check", "--no-config", "--policy", "walton-centre", "--context", "none", "--format", "jsonl", p)
    rows = _jsonl(out)
    assert {f["rule"] for f in rows[0]["findings"]} == {"names.care-context", "pii.age-detail"}
    assert [(s["rule"], s["reason"]) for s in rows[0]["suppressed"]] == [("pii.ward-bed", "consent on file"),
                                                                        ("pii.nhs-number", "consent on file")]
    assert {f["rule"] for f in rows[1]["findings"]} == PHI_RULES and "suppressed" not in rows[1]
    assert rows[2]["id"] == "r3" and "allow entry 2" in rows[2]["error"]
    assert rc == 3


def test_xlsx_allow_column(tmp_path, ss):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Content plan, January"])
    ws.append(["ID", "Draft post", "Allow"])
    ws.append(["x1", PHI, "pii.nhs-number"])
    ws.append(["x2", PHI, None])
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    rc, out, _ = ss("check", "--no-config", "--policy", "walton-centre", "--context", "none", "--format", "jsonl", path)
    rows = _jsonl(out)
    assert [r["id"] for r in rows] == ["x1", "x2"]
    assert "pii.nhs-number" not in {f["rule"] for f in rows[0]["findings"]}
    assert rows[0]["suppressed"][0]["rule"] == "pii.nhs-number"
    assert "pii.nhs-number" in {f["rule"] for f in rows[1]["findings"]}
    assert rc == 1


def test_config_allow_list_on_the_command_line_is_counted(tmp_path, monkeypatch, ss):
    (tmp_path / "socialscreen.toml").write_text(
        'policy = "b3"\nformat = "jsonl"\n\n[allow]\noffensive_language = ["Shit"]\n', encoding="utf-8")
    (tmp_path / "p.txt").write_text(SWEAR, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    rc, out, err = ss("check", "p.txt")
    [row] = _jsonl(out)
    assert row["verdict"] == "pass" and row["suppressed"][0]["by"] == "allow-list"
    assert "1 finding(s) suppressed by the configuration's allow-list" in err
    rc, out, err = ss("check", "--format", "text", "p.txt")
    assert "PASS: nothing found (1 suppressed: 1 by allow-list)" in out
