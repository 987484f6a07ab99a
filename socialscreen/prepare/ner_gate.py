"""Is spaCy NER worth running on a post (or a sentence)? Only where a name it finds could
become a finding. Built from the names rules' own context terms; knows nothing of packs."""
import regex

from ..matching import ContextGate, compiled

class NerGate:
    """Is spaCy NER worth running on this post? Only where a name it finds could become a
    finding: a care-context word the names rules require, and a capitalised word that is
    not already known (a first name from the lexicon, an organisation name, a stop word)."""

    _CAPS = None

    def __init__(self, rules, org_names=()):
        self.always = False
        terms, known = set(), set()
        names_rules = [r for r in rules if r.kind == "names"]
        # a name counts only with its context in the same sentence: NER can run per sentence
        self.sentence_scoped = bool(names_rules) and all(
            r.context is not None and r.context.window == "sentence" for r in names_rules)
        for rule in names_rules:
            known.update(t.lower() for t in rule.terms)
            known.update(t.lower() for t in rule.options.get("never_alone", ()))
            ctx = rule.context
            if ctx is None or not (ctx.require_near or ctx.require_any):
                self.always = True
            else:
                terms.update(ctx.require_near)
                terms.update(ctx.require_any)
        for name in org_names:
            known.update(w.lower() for w in regex.findall(r"\w+", name))
        self.known = known
        self.enabled = bool(names_rules)
        self.trigger = ContextGate.compile_terms(tuple(sorted(terms))) if terms else None
        # a capitalised word inside a sentence: not after a sentence end, not a #tag or @handle,
        # not an acronym (lower-case letters follow the capital)
        self.caps = compiled(r"(?<![\w'#@])(?<![.!?:\n]\s*)(?<!^\s*)[A-Z][a-z][\w'\-]*", regex.V0)

    def needed(self, text: str) -> bool:
        if not self.enabled:
            return False
        if not self.always and (self.trigger is None or not self.trigger.search(text)):
            return False
        for m in self.caps.finditer(text):
            word = m.group(0).lower()
            if word.endswith("'s"):
                word = word[:-2]
            if word not in self.known:
                return True
        return False
