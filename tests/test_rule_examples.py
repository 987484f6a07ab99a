"""Every rule's own examples, through the production road with only that rule on:
`flag` must be flagged (at the `[[...]]` span, where marked), `pass` must not."""
import pytest

from socialscreen.examples import check_rule
from socialscreen.rules import load_rules

RULES = load_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_examples(rule):
    failures = check_rule(rule, rules=RULES)
    assert not failures, "\n".join(map(str, failures))


def test_every_rule_has_examples_of_both_kinds():
    for rule in RULES:
        assert rule.flag and rule.ok, rule.path


def test_marked_spans_are_checked():
    marked = sum(bool(ex.spans) for r in RULES for ex in r.flag)
    assert marked > 0
