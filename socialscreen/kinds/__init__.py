"""The detector kinds, one module each, and their one registry.

A kind turns the rules of its kind into Hits on an Analysis. It declares the rule keys of its
own (`OPTIONS`); it knows nothing of policies: the decision stage maps hits to clauses.
Adding a kind: one module here with `name`, `OPTIONS`, `__init__(rules)` and
`detect(analysis) -> list[Hit]`, and one line in KINDS.
"""
from .disclaimer import DisclaimerDetector
from .known import KnownPeopleDetector
from .lexicon import LexiconDetector
from .model import ModelDetector
from .names import NamesDetector
from .pii import PiiDetector
from .profanity import ProfanityDetector

KINDS = {k.name: k for k in (LexiconDetector, PiiDetector, NamesDetector, ProfanityDetector, DisclaimerDetector,
                             ModelDetector, KnownPeopleDetector)}


def register(kind) -> None:
    """Add a detector kind from outside the package (a plug-in): rules with `kind: <name>` then
    load and run. A class with `name`, `OPTIONS`, `__init__(rules)` and `detect(analysis)`."""
    for attr in ("name", "OPTIONS", "detect"):
        if not hasattr(kind, attr):
            raise TypeError(f"a detector kind needs {attr!r}")
    KINDS[kind.name] = kind


def build_detectors(rules):
    """One detector per kind present in `rules`, each compiled once."""
    by_kind = {}
    for rule in rules:
        by_kind.setdefault(rule.kind, []).append(rule)
    return [KINDS[kind](kind_rules) for kind, kind_rules in by_kind.items()]


__all__ = ["KINDS", "build_detectors", "register"]
