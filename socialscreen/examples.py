"""Run every rule's own examples through the production road (`Screener.for_rule`):
`flag` examples must be flagged (at the `[[...]]`-marked spans, where marked), `pass` examples
must not, each with only that rule switched on, as semgrep's `--test` and Vale's fixtures do.

Used by the test suite and by `socialscreen test-rules` for people writing rules.
"""
from __future__ import annotations

from dataclasses import dataclass

from .rules import load_rules
from .screener import Screener


@dataclass(frozen=True)
class ExampleFailure:
    rule: str
    path: str
    expected: str           # "flag", "span" or "pass"
    example: str
    found: tuple            # the spans flagged

    def __str__(self):
        if self.expected == "flag":
            return f"{self.rule} ({self.path}): should flag but did not: {self.example!r}"
        if self.expected == "span":
            return f"{self.rule} ({self.path}): should flag the marked span(s) but flagged {list(self.found)!r} in: {self.example!r}"
        return f"{self.rule} ({self.path}): should pass but flagged {list(self.found)!r} in: {self.example!r}"


def screen_example(screener, rule, example):
    """The Result of one example: as the post text (with an image attached when the example
    gives its alt text), or as an image's alt text for a rule that reads attachments only."""
    if example.alt_text is not None:
        return screener.screen(example.text, profile=example.profile,
                               attachments=[{"type": "image", "alt_text": example.alt_text}])
    if "text" in rule.applies_to:
        return screener.screen(example.text, profile=example.profile)
    return screener.screen("", profile=example.profile,
                           attachments=[{"type": "image", "alt_text": example.text}])


def check_rule(rule, screener=None, model=None, rules=None) -> list:
    screener = screener or Screener.for_rule(rule.id, model=model, rules=rules)
    failures = []
    for ex in rule.flag:
        result = screen_example(screener, rule, ex)
        found = tuple((f.start, f.end) for f in result.findings)
        texts = tuple(f.text or f.why for f in result.findings)
        if not result.findings:
            failures.append(ExampleFailure(rule.id, rule.path, "flag", ex.text, ()))
        elif ex.spans and not set(ex.spans) <= set(found):
            failures.append(ExampleFailure(rule.id, rule.path, "span", ex.text, texts))
    for ex in rule.ok:
        result = screen_example(screener, rule, ex)
        if result.findings:
            failures.append(ExampleFailure(rule.id, rule.path, "pass", ex.text,
                                           tuple(f.text or f.why for f in result.findings)))
    return failures


def check_rules(rules=None, model=None):
    """Yield (rule, failures) for every rule."""
    all_rules = load_rules()
    for rule in (rules if rules is not None else all_rules):
        yield rule, check_rule(rule, model=model, rules=all_rules)
