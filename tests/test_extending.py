"""How the project grows, shown end to end on a copy of patterns/: a rule family is one YAML
file (plus a pack line only when its category is new to the pack), a pack is one YAML file, a
detector kind is one module registered in one line, an output format is one writer class in
one registry. Each walkthrough screens a post through the production road."""
from __future__ import annotations

import io
import shutil
import textwrap

import pytest

import socialscreen
from socialscreen.data import patterns_dir
from socialscreen.io.writers import WRITERS
from socialscreen.kinds import KINDS, register
from socialscreen.values import Hit


@pytest.fixture
def own(tmp_path):
    root = tmp_path / "patterns"
    shutil.copytree(patterns_dir(), root)
    return root


def test_a_new_rule_family_is_one_file(own):
    (own / "rules" / "fundraising").mkdir()
    (own / "rules" / "fundraising" / "bucket.yaml").write_text(textwrap.dedent('''
        id: fundraising.bucket-shaking
        category: confidential_information
        kind: lexicon
        severity: medium
        message: "Street collection takings are not published until the count is signed off."
        terms: [bucket takings]
        examples:
          flag: ["The [[bucket takings]] came to 412 quid"]
          pass: ["Thanks to everyone who shook a bucket"]
    '''), encoding="utf-8")
    s = socialscreen.Screener("b3", patterns_dir=str(own))
    r = s.screen("Bucket takings were 300 this week", profile="Volunteer. Views my own.")
    assert [f.rule for f in r.findings] == ["fundraising.bucket-shaking"]
    assert r.findings[0].clauses                          # the pack's confidential clauses apply


def test_a_new_pack_is_one_file(own):
    src = (own / "packs" / "b3.yaml").read_text(encoding="utf-8")
    mine = src.replace("id: b3", "id: riverside-trust", 1)
    (own / "packs" / "riverside-trust.yaml").write_text(mine, encoding="utf-8")
    s = socialscreen.Screener("riverside-trust", patterns_dir=str(own))
    r = s.screen("fuck this rota")
    assert r.policy == "riverside-trust" and r.findings and r.findings[0].clauses[0].policy == "riverside-trust"


class ShoutingDetector:
    """A toy kind: a post written in capitals."""
    name = "shouting"
    OPTIONS = ()

    def __init__(self, rules):
        self.rules = rules

    def detect(self, analysis):
        text = analysis.text
        if len(text) > 12 and text.upper() == text and any(c.isalpha() for c in text):
            return [Hit(rule, 0, len(text), rule.confidence, "written in capitals") for rule in self.rules]
        return []


def test_a_new_kind_is_one_module_and_one_registry_line(own):
    register(ShoutingDetector)
    try:
        (own / "rules" / "tone").mkdir()
        (own / "rules" / "tone" / "shouting.yaml").write_text(textwrap.dedent('''
            id: tone.shouting
            category: disparagement
            kind: shouting
            severity: low
            message: "A post in capitals reads as shouting."
            examples:
              flag: ["[[WHO LEFT THE DOOR OPEN AGAIN]]"]
              pass: ["Who left the door open again"]
        '''), encoding="utf-8")
        s = socialscreen.Screener("b3", patterns_dir=str(own), rules=["tone"])
        assert [f.rule for f in s.screen("WHO LEFT THE DOOR OPEN AGAIN").findings] == ["tone.shouting"]
        from socialscreen.examples import check_rule
        rule = next(r for r in s.all_rules if r.id == "tone.shouting")
        assert check_rule(rule, rules=s.all_rules) == []           # its own examples, marked span included
    finally:
        KINDS.pop("shouting", None)


class IdsOnlyWriter:
    """A toy output format: the ids of posts that need a look."""

    def __init__(self, out):
        self.out = out

    def write(self, rec):
        if rec.get("verdict") != "pass":
            self.out.write(f"{rec['id']}\n")

    def close(self):
        pass


def test_a_new_output_format_is_one_writer(tmp_path, capsys):
    WRITERS["ids"] = IdsOnlyWriter
    try:
        posts = tmp_path / "posts.jsonl"
        posts.write_text('{"id": "a", "text": "lovely day"}\n{"id": "b", "text": "fuck this"}\n', encoding="utf-8")
        from socialscreen.cli import main
        rc = main(["check", "--policy", "b3", "--format", "ids", str(posts)])
        assert capsys.readouterr().out == "b\n" and rc == 0
    finally:
        WRITERS.pop("ids", None)
