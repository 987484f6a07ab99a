"""The names kind: person names, counted only in a care context.

Candidates come from title patterns ("Mrs Jones", "Mr D"), spaCy's PERSON
entities when a model with NER is loaded, a first-name lexicon, and the
rule's own patterns ("Kelly (23)"). A candidate is kept only when the rule's
context gate allows it (typically: a care word in the same sentence, no
consent statement in the post) and no staff or public-role word stands next
to it (a colleague, "Sister Angela", "Cllr Patel", an MP). Once one mention
of a name is kept, its other mentions in the post are kept too.
"""
from __future__ import annotations

import regex

from .base import FLAGS, ContextGate, Hit, alternation

TITLE_RE = regex.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+(?:(?:[A-Z]\.?[ \t]*){1,2}(?=[A-Z][a-z])|)"
    r"(?:[A-Z][a-zA-Z'\-]+(?:[ \t]+[A-Z][a-zA-Z'\-]{2,})?|[A-Z]\b\.?)")


class NamesDetector:
    def __init__(self, rules):
        self.compiled = []
        for rule in rules:
            staff = rule.options.get("staff_terms", ())
            first = sorted({t for t in rule.terms if t[:1].isupper()})
            first_re = None
            if first:
                body = "|".join(regex.escape(t) for t in sorted(first, key=len, reverse=True))
                first_re = regex.compile(rf"(?<![\w'])(?:{body})(?:[ \t]+[A-Z][a-z'\-]{{2,}})?(?![\w])")
            patterns = [regex.compile(p) for p in rule.patterns]     # case-sensitive on purpose
            staff_re = regex.compile(alternation(staff), FLAGS) if staff else None
            self.compiled.append((rule, first_re, patterns, staff_re,
                                  int(rule.options.get("staff_window", 30)), ContextGate(rule.context)))

    def _candidates(self, analysis, first_re, patterns):
        text = analysis.text
        cands = [(m.start(), m.end(), "title pattern") for m in TITLE_RE.finditer(text)]
        if analysis.has_ner:
            cands += [(e.start_char, e.end_char, "spaCy NER PERSON") for e in analysis.doc.ents
                      if e.label_ == "PERSON"]
        if first_re is not None:
            cands += [(m.start(), m.end(), "first-name lexicon") for m in first_re.finditer(text)]
        for p in patterns:
            for m in p.finditer(text):
                s, e = m.span(1) if m.groups() and m.group(1) else m.span()
                cands.append((s, e, "name pattern"))
        # longest first, drop those inside a longer one
        cands.sort(key=lambda c: (c[0], -(c[1] - c[0])))
        kept = []
        for c in cands:
            if kept and c[0] < kept[-1][1]:
                if c[1] > kept[-1][1]:
                    kept[-1] = (kept[-1][0], c[1], kept[-1][2])
                continue
            kept.append(c)
        return kept

    def detect(self, analysis):
        text = analysis.text
        org = {n.lower() for n in analysis.org_names}
        out = []
        for rule, first_re, patterns, staff_re, staff_window, gate in self.compiled:
            accepted, rejected_staff, pending = set(), set(), []
            for start, end, why in self._candidates(analysis, first_re, patterns):
                name = text[start:end].strip(" .,'")
                if not name or name.lower() in org or not any(ch.isupper() for ch in name):
                    continue
                key = _key(name)
                if staff_re is not None:
                    ws, we = max(0, start - staff_window), min(len(text), end + staff_window)
                    if staff_re.search(text, ws, we):
                        rejected_staff.add(key)
                        continue
                ok, ctx = gate.check(analysis, start, end)
                if ok:
                    accepted.add(key)
                    out.append(Hit(rule, start, end, rule.confidence, why + (f"; {ctx}" if ctx else "")))
                else:
                    pending.append((start, end, why, key))
            for start, end, why, key in pending:
                if key in accepted and key not in rejected_staff:
                    out.append(Hit(rule, start, end, rule.confidence * 0.9, why + "; same name as a flagged mention"))
        return out


def _key(name: str) -> str:
    parts = [p for p in regex.split(r"[\s.]+", name) if p and p not in ("Mr", "Mrs", "Ms", "Miss", "Mx")]
    return parts[0].lower() if parts else name.lower()
