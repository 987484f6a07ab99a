"""Detector kinds. Each turns the rules of its kind into hits on an Analysis.

A detector knows nothing of policies: the screener maps hits to clauses.
"""
from .base import Hit
from .lexicon import LexiconDetector
from .pii import PiiDetector
from .names import NamesDetector
from .profanity import ProfanityDetector
from .disclaimer import DisclaimerDetector

KINDS = {
    "lexicon": LexiconDetector,
    "pii": PiiDetector,
    "names": NamesDetector,
    "profanity": ProfanityDetector,
    "disclaimer": DisclaimerDetector,
}


def build_detectors(rules):
    """One detector per kind present in `rules`, each compiled once."""
    by_kind = {}
    for rule in rules:
        by_kind.setdefault(rule.kind, []).append(rule)
    return [KINDS[kind](kind_rules) for kind, kind_rules in by_kind.items()]


__all__ = ["Hit", "build_detectors", "KINDS"]
