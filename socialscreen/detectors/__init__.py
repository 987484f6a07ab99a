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


def ner_trigger(rules):
    """A regex that is true of a post where spaCy's named entities could change the result:
    the care-context words the names rules require. None: NER is never needed."""
    import regex

    from .base import FLAGS, compiled, alternation

    terms = set()
    for rule in rules:
        if rule.kind != "names":
            continue
        ctx = rule.context
        if ctx is None or not (ctx.require_near or ctx.require_any):
            return regex.compile(r"(?s).")          # unconditional names rule: always run NER
        terms.update(ctx.require_near)
        terms.update(ctx.require_any)
    return compiled(alternation(terms)) if terms else None


__all__ = ["Hit", "build_detectors", "ner_trigger", "KINDS"]
