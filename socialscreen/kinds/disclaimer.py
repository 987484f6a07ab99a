"""The disclaimer kind: a post tied to the employer or the work, with no
"views are my own" style disclaimer in the post or in the profile.

The span of the hit is the first text that ties the post to the employer:
one of the organisation's names (from the active pack), or a work-tie term
or pattern of the rule ("my ward", "on shift").
"""
from __future__ import annotations

from ..matching import ContextGate, Prefilter, compiled
from ..matching.termset import TermSet
from ..values import Hit
from .options import Option


# How a workplace name ties a post to the employer ("on Lipton", "Caton ward").
PLACE_TIES = ("on {}", "from {}", "at {}", "{} ward", "{} unit", "{} ITU", "{} HDU")


class DisclaimerDetector:
    name = "disclaimer"
    OPTIONS = (
        Option("disclaimers", "regexes", (), "patterns that count as a disclaimer, in the post or the profile"),
        Option("disclaimer_lexicons", "lexicons", (), "lexicons of disclaimer patterns joining `disclaimers`",
               into="disclaimers"),
        Option("weak_ties", "terms", (), "ties to work that count only when the profile names the workplace"),
        Option("profile_ties", "terms", (), "profile words that name a work role (they let weak ties count)"),
    )

    def __init__(self, rules):
        self.compiled = []
        for rule in rules:
            ties = TermSet(rule.terms) if rule.terms else None
            # weak ties ("the drop-in", "outpatients") tie a post to work only when the
            # profile already says where the author works (the organisation or a work role)
            weak = rule.options.get("weak_ties", ())
            weak_re = ContextGate.compile_terms(tuple(weak)) if weak else None
            prof = rule.options.get("profile_ties", ())
            prof_re = ContextGate.compile_terms(tuple(prof)) if prof else None
            tie_patterns = ([compiled(p) for p in rule.patterns], Prefilter(rule.patterns))
            # one pattern for "any disclaimer": one scan of the post instead of one per pattern
            disclaimers = [compiled("|".join(f"(?:{p})" for p in rule.options["disclaimers"]))] \
                if rule.options.get("disclaimers") else []
            self.compiled.append((rule, ties, tie_patterns, disclaimers, ContextGate(rule.context), weak_re, prof_re))
        self._org_cache = {}

    def _org_re(self, names, places=()):
        key = (names, places)
        if key not in self._org_cache:
            terms = list(names) + [t.format(p) for p in places for t in PLACE_TIES]
            self._org_cache[key] = TermSet(terms) if terms else None
        return self._org_cache[key]

    def detect(self, analysis):
        text = analysis.text
        out = []
        for rule, ties, tie_patterns, disclaimers, gate, weak_re, prof_re in self.compiled:
            if any(d.search(text) or (analysis.profile and d.search(analysis.profile)) for d in disclaimers):
                continue
            found = []
            org_re = self._org_re(tuple(analysis.org_names), tuple(analysis.org_places))
            if org_re is not None:
                found += [(m.start(), m.end(), f"names the organisation ('{m.group(0)}')") for m in analysis.finditer(org_re)]
            if ties is not None:
                found += [(m.start(), m.end(), f"work tie '{m.group(0).lower()}'") for m in analysis.finditer(ties)]
            patterns, prefilter = tie_patterns
            for i in sorted(prefilter.candidates(text)):
                found += [(m.start(), m.end(), "work-tie pattern") for m in patterns[i].finditer(text)]
            if weak_re is not None and analysis.profile and (
                    (org_re is not None and org_re.search(analysis.profile))
                    or (prof_re is not None and prof_re.search(analysis.profile))):
                found += [(m.start(), m.end(), f"work tie '{m.group(0).lower()}' (the profile names the workplace)")
                          for m in analysis.finditer(weak_re)]
            found.sort()
            for start, end, why in found:
                ok, ctx = gate.check(analysis, start, end)
                if ok:
                    out.append(Hit(rule, start, end, rule.confidence,
                                   why + "; no disclaimer in the post or profile"))
                    break
        return out
