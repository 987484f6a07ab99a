"""Issue 11, class 7: limits on data the user supplies. A user rule whose regular expression
backtracks catastrophically is refused when it loads, with a DataError naming the file and
the pattern; an organisation name of thousands of characters builds its term trie without
recursion."""
from __future__ import annotations

import shutil

import pytest

import socialscreen
from socialscreen.errors import DataError
from socialscreen.rules import load_rules

RULE = """id: offensive.user-rule
category: offensive_language
kind: lexicon
severity: high
confidence: 0.8
message: "A rule of the user's own."
patterns:
  - '{pattern}'
examples:
  flag:
    - "this is [[bad]]"
  pass:
    - "this is fine"
"""


@pytest.fixture
def user_patterns(tmp_path):
    root = tmp_path / "patterns"
    shutil.copytree(load_rules()[0].path.rsplit("/rules/", 1)[0], root)
    return root


@pytest.mark.parametrize("pattern", ["(?:a|aa)+!", "(a+)+b", "(?:x+x+)+y", r"(\w+\s?)+$"])
def test_catastrophic_user_pattern_is_refused_at_load(user_patterns, pattern):
    path = user_patterns / "rules" / "offensive" / "user-rule.yaml"
    path.write_text(RULE.format(pattern=pattern), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        load_rules(user_patterns)
    message = str(exc.value)
    assert str(path) in message and pattern in message and "backtracks" in message


def test_a_linear_user_pattern_loads(user_patterns):
    path = user_patterns / "rules" / "offensive" / "user-rule.yaml"
    path.write_text(RULE.format(pattern=r"\bbad\b"), encoding="utf-8")
    rules = load_rules(user_patterns)
    assert any(r.id == "offensive.user-rule" for r in rules)


def test_an_organisation_name_of_thousands_of_characters(screeners):
    name = "Friends of the " + " ".join(["Longbridge"] * 300)
    s = socialscreen.Screener("community-group", organisation={"name": name, "aliases": ["x" * 3000]},
                              model="none")
    result = s.screen(f"Volunteering at {name} today, fucking brilliant")
    assert result.verdict in ("review", "block")
