"""Every rule's own examples: `flag` must hit, `pass` must not (only that rule on)."""
import pytest

from socialscreen import nlp as nlp_mod
from socialscreen.detectors import build_detectors
from socialscreen.rulecheck import rule_hits
from socialscreen.rules import load_rules

RULES = load_rules()


@pytest.fixture(scope="module")
def nlp():
    return nlp_mod.load()[0]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_examples(rule, nlp):
    detectors = build_detectors([rule])
    missed = [ex for ex in rule.examples_flag if not rule_hits(rule, ex, nlp, detectors)]
    wrong = {ex: rule_hits(rule, ex, nlp, detectors) for ex in rule.examples_pass}
    wrong = {ex: h for ex, h in wrong.items() if h}
    assert not missed, f"{rule.path}: these 'flag' examples were not flagged: {missed}"
    assert not wrong, f"{rule.path}: these 'pass' examples were flagged: {wrong}"


def test_every_rule_has_examples_of_both_kinds():
    for rule in RULES:
        assert rule.examples_flag and rule.examples_pass, rule.path
