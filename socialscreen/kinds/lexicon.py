"""The lexicon kind: literal terms (one automaton for all rules, `matching.termset`) and patterns
(run only when the prefilter finds one of their literals)."""
from __future__ import annotations

from ..matching import ContextGate, Prefilter, compiled, key_of
from ..matching.termset import TermSet
from ..values import Hit


class LexiconDetector:
    name = "lexicon"
    OPTIONS = ()                 # terms, lexicons, patterns and context are common rule keys

    def __init__(self, rules):
        self.rules = list(rules)
        self.gates = {r.id: ContextGate(r.context) for r in self.rules}
        self.by_term: dict[str, list] = {}
        for rule in self.rules:
            for term in rule.terms:
                self.by_term.setdefault(key_of(term), []).append(rule)
        self.terms_re = TermSet(self.by_term) if self.by_term else None
        self.patterns = [(rule, compiled(p)) for rule in self.rules for p in rule.patterns]
        self.prefilter = Prefilter([p for rule in self.rules for p in rule.patterns])

    def detect(self, analysis):
        text = analysis.text
        hits = []
        if self.terms_re is not None:
            for m in analysis.finditer(self.terms_re):
                for rule in self.by_term.get(key_of(m.group(0)), ()):
                    hits.append((rule, m.start(), m.end(), f"term '{m.group(0).lower()}'"))
        for i in sorted(self.prefilter.candidates(text)):
            rule, pattern = self.patterns[i]
            for m in pattern.finditer(text):
                if m.end() > m.start():
                    hits.append((rule, m.start(), m.end(), "pattern"))
        out = []
        for rule, start, end, why in hits:
            ok, ctx, near = self.gates[rule.id].check_span(analysis, start, end)
            if not ok:
                continue
            if rule.span == "sentence":
                start, end = analysis.sentence_bounds(start, end)
            elif rule.span == "near" and near is not None:
                start, end = min(start, near[0]), max(end, near[1])
            out.append(Hit(rule, start, end, rule.confidence, why + (f"; {ctx}" if ctx else ""),
                           rule.characteristic))
        return out
