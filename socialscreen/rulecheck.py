"""Run every rule's own examples (`examples.flag` must hit, `examples.pass` must not),
each with only that rule switched on, as semgrep's `--test` and Vale's fixtures do.

Used by the test suite and by `socialscreen test-rules` for people writing rules.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import nlp as nlp_mod
from .analysis import Analysis
from .detectors import build_detectors
from .rules import load_rules
from .text import normalise

# Organisation names the disclaimer examples may use.
EXAMPLE_ORG = ("The Walton Centre NHS Foundation Trust", "The Walton Centre", "Walton Centre",
               "@TheWaltonCentre", "#WaltonCentre", "B3", "STaSS")


@dataclass
class ExampleFailure:
    rule: str
    path: str
    expected: str           # "flag" or "pass"
    example: str
    hits: list

    def __str__(self):
        if self.expected == "flag":
            return f"{self.rule} ({self.path}): should flag but did not: {self.example!r}"
        return f"{self.rule} ({self.path}): should pass but flagged {self.hits!r} in: {self.example!r}"


def rule_hits(rule, text: str, nlp, detectors=None, account="personal", profile=None):
    detectors = detectors or build_detectors([rule])
    if profile is None:
        profile = normalise(rule.example_profiles.get(text, "")).text
    norm = normalise(text)
    analysis = Analysis(norm=norm, doc=nlp_mod.analyse(nlp, [norm.text], lambda t: True)[0], profile=profile, account=account,
                        org_names=EXAMPLE_ORG, has_ner=nlp_mod.has_ner(nlp))
    return [norm.original[slice(*norm.to_original(h.start, h.end))]
            for d in detectors for h in d.detect(analysis) if h.rule.id == rule.id]


def check_rules(rules=None, model=None):
    """Yield (rule, failures) for every rule."""
    rules = rules if rules is not None else load_rules()
    nlp, _ = nlp_mod.load(model)
    for rule in rules:
        detectors = build_detectors([rule])
        failures = []
        for ex in rule.examples_flag:
            if not rule_hits(rule, ex, nlp, detectors):
                failures.append(ExampleFailure(rule.id, rule.path, "flag", ex, []))
        for ex in rule.examples_pass:
            hits = rule_hits(rule, ex, nlp, detectors)
            if hits:
                failures.append(ExampleFailure(rule.id, rule.path, "pass", ex, hits))
        yield rule, failures
