"""Issue 12, baseline and audit log. `socialscreen baseline` writes the accepted findings keyed by
SHA-256 hashes (never a post or a span), the same file on every run; `check --baseline FILE`
leaves them out and says how many. `--audit-log FILE` appends one JSON line per screened post
(time, SHA-256 of the text, id, pack and version, account, verdict, rule ids, tool version), and
an error line with the id and error code for a record that could not be screened; never the text."""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat

import pytest

import socialscreen
from socialscreen.baseline import FORMAT, VERSION, Baseline, finding_key
from socialscreen.errors import ConfigError

POSTS = [
    {"id": "p1", "text": "Mrs Hilda Barnes in bed 4 turned 88 today, NHS 943 476 5919"},
    {"id": "p2", "text": "Her NI number is AB 12 34 56 C and phone 07700 900872", "account": "official"},
    {"id": "p3", "text": "Lovely walk along the canal with the dog this morning: sunshine at last"},
    {"id": "p4", "text": "CONFIDENTIAL board papers: redundancies at the Walton Centre planned for March"},
]
# words of the posts (and of their flagged spans) that must never be written to a baseline or a log
SECRETS = ["Hilda", "Barnes", "943 476 5919", "9434765919", "AB 12 34 56 C", "07700 900872", "900872",
           "redundancies", "board papers", "bed 4", "turned 88", "canal with the dog"]


def _jsonl_file(path, records):
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def _rows(out):
    return [json.loads(x) for x in out.splitlines()]


def _no_secrets(text):
    for word in SECRETS:
        assert word.lower() not in text.lower(), word


@pytest.fixture
def drafts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return _jsonl_file(tmp_path / "drafts.jsonl", POSTS)


# ---- baseline --------------------------------------------------------------------------------

def test_baseline_round_trip(drafts, tmp_path, ss):
    rc, out, err = ss("check", "--no-config", "--policy", "walton-centre", "--format", "jsonl", drafts)
    before = _rows(out)
    found = sum(len(r["findings"]) for r in before)
    assert rc == 1 and found >= 6

    rc, out, err = ss("baseline", "--no-config", "--policy", "walton-centre", drafts, "-o", "accepted.json")
    assert rc == 0 and out == ""
    text = (tmp_path / "accepted.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert (doc["format"], doc["version"], doc["hash"]) == (FORMAT, VERSION, "sha256")
    keys = [e["key"] for e in doc["findings"]]
    assert keys == sorted(keys) and len(set(keys)) == len(keys) == found
    assert all(re.fullmatch(r"[0-9a-f]{64}", k) for k in keys)
    assert {e["rule"] for e in doc["findings"]} == {f["rule"] for r in before for f in r["findings"]}
    assert f"wrote {found} accepted finding(s) of 4 record(s) to accepted.json" in err
    _no_secrets(text)

    # stable: the same posts give the same file, byte for byte
    ss("baseline", "--no-config", "--policy", "walton-centre", drafts, "-o", "again.json")
    assert (tmp_path / "again.json").read_bytes() == (tmp_path / "accepted.json").read_bytes()

    rc, out, err = ss("check", "--no-config", "--policy", "walton-centre", "--format", "jsonl",
                      "--baseline", "accepted.json", drafts)
    after = _rows(out)
    assert rc == 0 and [r["id"] for r in after] == ["p1", "p2", "p3", "p4"]
    assert all(r["verdict"] == "pass" and not r["findings"] for r in after)
    assert sum(len(r.get("suppressed", ())) for r in after) == found
    assert all(s["by"] == "baseline" for r in after for s in r.get("suppressed", ()))
    assert f"{found} finding(s) suppressed as accepted in the baseline (accepted.json)" in err


def test_a_baseline_that_cannot_be_written_is_said_before_screening(drafts, tmp_path, ss):
    rc, out, err = ss("baseline", "--no-config", "--policy", "walton-centre", drafts, "-o", "no/such/folder.json")
    assert rc == 2 and "cannot be written" in err and "wrote" not in err


def test_a_changed_post_or_a_new_finding_is_not_baselined(drafts, tmp_path, ss):
    ss("baseline", "--no-config", "--policy", "walton-centre", drafts, "-o", "accepted.json")
    changed = [dict(POSTS[0], text=POSTS[0]["text"].replace("turned 88", "turned 89")),
               dict(POSTS[0], id="same-words-new-spacing", text="  " + POSTS[0]["text"].replace(" ", "  ") + "\n"),
               {"id": "new", "text": "Mr Jenkins in bed 12 was asking for you"}]
    _jsonl_file(tmp_path / "next.jsonl", changed)
    rc, out, _ = ss("check", "--no-config", "--policy", "walton-centre", "--format", "jsonl",
                    "--baseline", "accepted.json", "next.jsonl")
    rows = _rows(out)
    _rc, plain, _ = ss("check", "--no-config", "--policy", "walton-centre", "--format", "jsonl", drafts)
    accepted = len(_rows(plain)[0]["findings"])                    # what the baseline holds for p1
    assert rows[0]["verdict"] == "block" and rows[0]["findings"]       # an edited post is screened afresh
    assert rows[1]["verdict"] == "pass" and len(rows[1]["suppressed"]) == accepted   # white space is normalised
    assert rows[2]["verdict"] == "block" and "suppressed" not in rows[2]
    assert rc == 1


def test_the_config_baseline_and_baseline_none(drafts, tmp_path, ss):
    (tmp_path / "socialscreen.toml").write_text('policy = "walton-centre"\nformat = "jsonl"\n'
                                                'baseline = ".socialscreen-baseline.json"\n', encoding="utf-8")
    rc, _, err = ss("check", drafts)
    assert rc == 2 and "no such baseline file" in err and "socialscreen baseline" in err
    rc, _, err = ss("baseline", drafts)                         # -o defaults to the configuration's baseline
    assert rc == 0 and (tmp_path / ".socialscreen-baseline.json").is_file()
    first = (tmp_path / ".socialscreen-baseline.json").read_bytes()
    rc, out, _ = ss("check", drafts)
    assert rc == 0 and all(r["verdict"] == "pass" for r in _rows(out))
    rc, out, _ = ss("check", "--baseline", "none", drafts)     # everything again
    assert rc == 1 and any(r["findings"] for r in _rows(out))
    # writing a baseline never reads the old one: rewriting it keeps every finding
    ss("baseline", drafts)
    assert (tmp_path / ".socialscreen-baseline.json").read_bytes() == first


def test_baseline_in_the_api(tmp_path):
    screener = socialscreen.Screener("b3", model="none", context=None)
    text = "what a shit day"
    [f] = screener.screen(text).findings
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"format": FORMAT, "version": VERSION, "hash": "sha256",
                                "findings": [{"key": finding_key(text, f.rule, f.text), "rule": f.rule,
                                              "category": f.category}]}), encoding="utf-8")
    accepted = socialscreen.Screener("b3", model="none", context=None, baseline=str(path))
    result = accepted.screen(text)
    assert result.verdict == "pass" and [s.by for s in result.suppressed] == ["baseline"]
    assert accepted.screen("what a shit night").findings
    assert len(Baseline.load(path)) == 1


@pytest.mark.parametrize("content,field", [
    ("not json", "line 1 column 1"),
    ('{"format": "something-else", "version": 1}', "format"),
    ('{"format": "socialscreen-baseline", "version": 2, "hash": "sha256", "findings": []}', "version"),
    ('{"format": "socialscreen-baseline", "version": 1, "hash": "md5", "findings": []}', "hash"),
    ('{"format": "socialscreen-baseline", "version": 1, "hash": "sha256", "findings": [{"key": "abc"}]}',
     "findings[0].key"),
    ('{"format": "socialscreen-baseline", "version": 1, "hash": "sha256", "findings": [], "posts": []}', "posts"),
])
def test_a_bad_baseline_file_is_an_error_naming_the_file_and_field(tmp_path, content, field):
    path = tmp_path / "b.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        Baseline.load(path)
    assert str(e.value).startswith(f"{path}: {field}")


def test_key_is_stable_and_independent_of_white_space():
    a = finding_key("Mrs Hilda Barnes in bed 4", "pii.ward-bed", "bed 4")
    assert a == finding_key("Mrs Hilda Barnes in bed 4\n", "pii.ward-bed", "bed  4")
    assert a != finding_key("Mrs Hilda Barnes in bed 5", "pii.ward-bed", "bed 4")
    assert a != finding_key("Mrs Hilda Barnes in bed 4", "names.care-context", "bed 4")
    # pinned: a baseline written today must still match tomorrow (a new key scheme is a new version)
    assert a == "ca3bfa5cda0eb6e47996fbf829f5dee293c8acc3b9962998f01123448847dbbd"


# ---- audit log -------------------------------------------------------------------------------

def test_audit_log_one_line_per_record_never_the_text(drafts, tmp_path, ss):
    records = POSTS + [{"id": "bad-allow", "text": POSTS[0]["text"], "allow": ["no.such-rule"]}]
    _jsonl_file(drafts, records)
    with open(drafts, "a", encoding="utf-8") as fh:
        fh.write("this line is not JSON: Hilda Barnes 943 476 5919\n")
    log = tmp_path / "audit" / "screen.jsonl"
    log.parent.mkdir()
    rc, out, _ = ss("check", "--no-config", "--policy", "walton-centre", "--format", "jsonl",
                    "--audit-log", log, drafts)
    assert rc == 3
    results = _rows(out)
    lines = _rows(log.read_text(encoding="utf-8"))
    assert len(lines) == len(results) == 6
    assert [x["id"] for x in lines] == [r["id"] for r in results]
    for line, post, result in zip(lines[:4], POSTS, results):
        assert line["event"] == "screened"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
        assert line["sha256"] == hashlib.sha256(post["text"].encode("utf-8")).hexdigest()
        assert (line["policy"], line["policy_version"]) == ("walton-centre", "2.2")
        assert line["account"] == post.get("account", "personal")
        assert line["verdict"] == result["verdict"]
        assert line["rules"] == [f["rule"] for f in result["findings"]]
        assert line["tool"] == f"socialscreen {socialscreen.__version__}"
    assert lines[0]["verdict"] == "block" and "pii.nhs-number" in lines[0]["rules"]
    assert lines[2]["verdict"] == "pass" and lines[2]["rules"] == []
    assert [set(x) for x in lines[4:]] == [{"time", "event", "id", "error", "tool"}] * 2
    assert (lines[4]["event"], lines[4]["error"]) == ("error", "unknown_allow_rule")
    assert (lines[5]["id"], lines[5]["error"]) == ("6", "invalid_json")
    _no_secrets(log.read_text(encoding="utf-8"))
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600

    # appended, never rewritten
    ss("check", "--no-config", "--policy", "walton-centre", "--audit-log", log, "--on-error", "skip", drafts)
    again = _rows(log.read_text(encoding="utf-8"))
    assert len(again) == 12 and again[:6] == lines


def test_audit_log_records_suppressions_and_comes_from_the_config(drafts, tmp_path, ss):
    (tmp_path / "socialscreen.toml").write_text('policy = "walton-centre"\naudit-log = "logs/audit.jsonl"\n'
                                                '[allow]\nservice_user_identifier = ["bed 4"]\n', encoding="utf-8")
    rc, _, err = ss("check", drafts)
    assert rc == 2 and "audit log cannot be opened" in err        # its folder does not exist: said at once
    (tmp_path / "logs").mkdir()
    rc, _, _ = ss("check", drafts)
    lines = _rows((tmp_path / "logs" / "audit.jsonl").read_text(encoding="utf-8"))
    assert len(lines) == 4
    assert {"rule": "pii.ward-bed", "by": "allow-list"} in lines[0]["suppressed"]
    assert "pii.ward-bed" not in lines[0]["rules"]
    rc, _, _ = ss("check", "--audit-log", "none", drafts)
    assert len(_rows((tmp_path / "logs" / "audit.jsonl").read_text(encoding="utf-8"))) == 4
