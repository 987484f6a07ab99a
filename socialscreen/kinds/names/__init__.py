"""The names kind: person names, counted only in a care context, and the identifying details
that stand next to a kept name.

A candidate (see candidates.py) is kept when the rule's context gate allows it (typically: a
care word in its sentence, no consent statement in the post) and no staff or public-role word
stands next to it in its sentence (a colleague, "Sister Angela", "Cllr Patel", an MP, "thank you
Pat", the rule's block_before / block_after: "my nan Doris", "Kath on reception"). Staff named
after the person with "with the" / "by the" are the helpers, not the person's role. Once one
mention of a name is kept, its other mentions are kept too; once one mention is a colleague,
none is.

A titled name may take its care word from the sentence before or after, when no staff word
stands anywhere in those sentences; a titled name on one of the organisation's own wards
("Mrs Rimmer on Chavasse", the pack's `places`) counts as in a care context. The person a reply
greets ("Hi Marcus, we've checked with the team ...") is not tested against staff words.

The rule's keys (patterns/README.md): `terms` / `lexicons` are first names (case-sensitive);
`patterns` name candidates gated by the context; `name_in_context_patterns` carry their own
context; `name_in_post_patterns` need a care word anywhere in the post; `after_name_patterns`
and `detail_patterns` are identifying details reported with a kept name; the word lists
(`titles`, `not_name_words`, ...) default to the `names-*` lexicons.
"""
from __future__ import annotations

import functools

import regex

from ...matching import ContextGate
from ...values import Hit
from ..options import Option
from . import candidates as C
from .candidates import Mode, Source
from .vocabulary import HELPED_BY_BEFORE, POSSESSIVE_BEFORE, SURNAME_AFTER, Patterns, Vocabulary


class _Compiled:
    """One names rule, compiled once."""

    def __init__(self, rule):
        o = rule.options
        self.rule = rule
        self.vocab = Vocabulary.of(rule)
        self.pats = Patterns(rule)
        # case-sensitive on purpose: a capital letter is part of what makes a name
        self.by_mode = {Mode.GATED: [regex.compile(p) for p in rule.patterns],
                        Mode.IN_CONTEXT: [regex.compile(p) for p in o["name_in_context_patterns"]],
                        Mode.IN_POST: [regex.compile(p) for p in o["name_in_post_patterns"]]}
        self.after_name = [regex.compile(p) for p in o["after_name_patterns"]]
        self.details = [regex.compile(p) for p in o["detail_patterns"]]
        self.staff = ContextGate.compile_terms(tuple(o["staff"])) if o["staff"] else None
        self.staff_window = int(o["staff_window"])
        self.gate = ContextGate(rule.context)
        self.care = self.gate.required_terms()
        # a titled name ("Mr Patterson") is plainly a person: the care word may stand in the
        # sentence before or after ("Can't stop thinking about Mr Patterson. Came in after a
        # bleed on the brain ...")
        self.wide = self.gate.with_window("sentence+1") if self.gate.window == "sentence" else None


class NamesDetector:
    name = "names"
    OPTIONS = (
        Option("staff", "terms", (), "staff, colleague and public-role words: a name next to one is not a service user"),
        Option("staff_window", "number", 30, "how many characters either side of a name the staff words are looked for"),
        Option("name_in_context_patterns", "regexes", (), "name patterns (group 1) that carry their own care context"),
        Option("name_in_post_patterns", "regexes", (), "name patterns (group 1) kept with a care word anywhere in the post"),
        Option("after_name_patterns", "regexes", (), "identifying details matched where a kept name ends"),
        Option("detail_patterns", "regexes", (), "identifying details reported near a kept name (two sentences before, one after)"),
        Option("wordlike_names", "terms", ("@first-names-wordlike",),
               "first names that are also ordinary words: never taken at the start of a sentence"),
        Option("titles", "terms", ("@names-titles",), "titles before a surname (Mr, Mrs, ...)"),
        Option("not_name_words", "terms", ("@names-not-name",), "words never part of a person's name"),
        Option("function_words", "terms", ("@names-function-words",), "words that open a phrase, never a name"),
        Option("never_alone", "terms", ("@names-never-alone",),
               "capitalised words never a name on their own (spaCy NER is not run for them)"),
        Option("place_words", "terms", ("@names-place-words",), "capitalised words that end a place name"),
        Option("place_heads", "terms", ("@names-place-heads",), "capitalised words that open a place name"),
        Option("place_prepositions", "terms", ("@names-place-prepositions",),
               "prepositions that make a bare first name a town"),
        Option("quantifiers", "terms", ("@names-quantifiers",), "words that make the capitalised word after them a group"),
        Option("greetings", "terms", ("@names-greetings",), "greetings that open a reply to a member of the public"),
    )

    def __init__(self, rules):
        self.compiled = [_Compiled(rule) for rule in rules]

    def detect(self, analysis):
        out = []
        for c in self.compiled:
            out += self._detect_rule(analysis, c)
        return out

    # -- candidates, cleaned ----------------------------------------------------------
    def _candidates(self, analysis, c):
        text = analysis.text
        org = {n.lower().lstrip("#@") for n in analysis.org_names}
        vocab, pats = c.vocab, c.pats
        out = []
        for cand in C.find(analysis, vocab, pats, c.by_mode):
            start, end = C.trim(text, cand.start, cand.end)
            if cand.source is Source.PATTERN:
                start = C.drop_leading_word(text, start, end, vocab)
            name = text[start:end]
            if (not name or name.lower() in org or not any(ch.isupper() for ch in name)
                    or C.is_handle_or_tag(text, start) or C.in_quoted_title(text, start, end)
                    or (cand.source is not Source.TITLE and C.in_place_name(text, start, end, pats))
                    or (cand.mode is Mode.GATED and pats.greeting.search(text, max(0, start - 60), start))):
                continue
            key = C.name_key(name, vocab)
            if key in vocab.not_name or any(w.lower() in vocab.not_name for w in regex.split(r"[\s.]+", name)):
                continue
            if cand.source is Source.PATTERN and C.common_word_start(analysis, text, start, end, vocab, pats):
                continue
            out.append(C.Candidate(start, end, cand.source, cand.mode, key))
        return out

    # -- gating -------------------------------------------------------------------------
    def _staff(self, analysis, c, cand, staff_re) -> bool:
        """A colleague, volunteer or public figure: a staff word close by in the same sentence,
        or a thanks/role phrase right before or after the name (the rule's block_before/after)."""
        text, gate, start, end = analysis.text, c.gate, cand.start, cand.end
        if gate.blocked_before(text, start) or gate.blocked_after(text, end):
            return True
        # "Sue Bradley has been at the Trust ...": the role follows the surname
        m = SURNAME_AFTER.match(text, end)
        if m and gate.blocked_after(text, m.end()):
            return True
        if staff_re is None:
            return False
        ss, se = analysis.sentence_bounds(start, end)
        ws, we = max(ss, start - c.staff_window), min(se, end + c.staff_window)
        # a paragraph break ends the window too (the sentencizer runs on over emoji and blank lines)
        nl = text.rfind("\n", ws, start)
        ws = nl + 1 if nl >= 0 else ws
        nl = text.find("\n", end, we)
        we = nl if nl >= 0 else we
        for m in analysis.finditer(staff_re, ws, we):
            # "her sister Mary", "his support worker": a relation of the person, not their role
            if POSSESSIVE_BEFORE.search(text[max(0, m.start() - 8):m.start()]):
                continue
            # "Kevin up on his feet with the physios": the staff who help the person, after the name
            if m.start() >= end and HELPED_BY_BEFORE.search(text[max(0, m.start() - 16):m.start()]):
                continue
            return True
        return False

    @staticmethod
    def _allowed(analysis, c, cand) -> tuple[bool, str]:
        gate, start, end = c.gate, cand.start, cand.end
        if cand.mode is Mode.GATED:
            ok, ctx = gate.check(analysis, start, end)
            if not ok and cand.source is Source.TITLE and c.wide is not None:
                # weaker evidence, stricter guard: no staff or public role anywhere in those sentences
                ws, we = analysis.sentence_bounds(start, end, extra=1)
                if c.staff is None or not analysis.search_in(c.staff, ws, we):
                    ok, ctx = c.wide.check(analysis, start, end)
                    ctx = ctx and ctx + " (next sentence)"
            if not ok and cand.source is Source.TITLE and analysis.org_places and gate.window == "sentence":
                ok, ctx = _on_org_place(analysis, gate, start, end)
            return ok, ctx
        if gate.ctx is None:
            return True, ""
        why = "pattern carries its own context"
        if gate.blocked_anywhere(analysis):
            return False, ""
        if cand.mode is Mode.IN_POST and c.care is not None:
            m = analysis.search_in(c.care, 0, len(analysis.text))
            if not m:
                return False, ""
            why = f"context in post: '{m.group(0).lower()}'"
        if gate.blocked_near(analysis, start, end):
            return False, ""
        return True, why

    # -- detection ----------------------------------------------------------------------
    def _detect_rule(self, analysis, c):
        rule, text = c.rule, analysis.text
        cands = self._candidates(analysis, c)
        # the person a reply greets is a member of the public: "Hi Marcus, we've checked with
        # the team ..." names our team, not Marcus's role
        staff_keys = {
            cand.key for cand in cands
            if self._staff(analysis, c, cand, None if (cand.mode is Mode.IN_CONTEXT and c.pats.greeting.search(
                text, max(0, cand.start - 60), cand.start)) else c.staff)}
        out, accepted, pending, kept = [], set(), [], []
        for cand in cands:
            if cand.key in staff_keys:
                continue
            ok, ctx = self._allowed(analysis, c, cand)
            why = cand.source.value
            if ok:
                accepted.add(cand.key)
                kept.append((cand.start, cand.end))
                out.append(Hit(rule, cand.start, cand.end, rule.confidence, why + (f"; {ctx}" if ctx else "")))
            else:
                pending.append(cand)
        for cand in pending:
            if cand.key in accepted:
                kept.append((cand.start, cand.end))
                out.append(Hit(rule, cand.start, cand.end, rule.confidence * 0.9,
                               cand.source.value + "; same name as a flagged mention"))
        if kept:
            out += self._details(analysis, c, kept)
        return out

    @staticmethod
    def _details(analysis, c, kept):
        text, rule = analysis.text, c.rule
        out = []
        if c.gate.blocked_anywhere(analysis):
            return out
        for p in c.after_name:
            for start, end in kept:
                m = p.match(text, end)
                if m:
                    s, e = m.span(1) if m.groups() and m.group(1) else m.span()
                    if e > s:
                        out.append(Hit(rule, s, e, rule.confidence * 0.9, "identifying detail next to a flagged name"))
        if c.details:
            sents = {analysis.sentence_index(s) for s, _ in kept}
            for p in c.details:
                for m in p.finditer(text):
                    s, e = m.span(1) if m.groups() and m.group(1) else m.span()
                    if e <= s:
                        continue
                    i = analysis.sentence_index(s)
                    if sents & {i - 2, i - 1, i, i + 1}:
                        out.append(Hit(rule, s, e, rule.confidence * 0.9, "identifying detail near a flagged name"))
        return out


@functools.lru_cache(maxsize=32)
def _org_place_re(places):
    """Compiled once per set of organisation places, not per hit."""
    alts = "|".join(regex.escape(p) for p in sorted(places, key=len, reverse=True))
    return regex.compile(rf"\b(?:on|in|onto|to|from|off)[ \t]+(?:{alts})\b(?![ \t]+(?:team|staff|nurses))")


def _on_org_place(analysis, gate, start, end) -> tuple[bool, str]:
    """One of the organisation's own wards or units in the sentence ("Mrs Rimmer on Chavasse"):
    a care setting, under the same consent and block_near checks as any other context."""
    if not analysis.org_places or gate.blocked_anywhere(analysis) or gate.blocked_near(analysis, start, end):
        return False, ""
    ws, we = analysis.sentence_bounds(start, end)
    m = analysis.search_in(_org_place_re(tuple(analysis.org_places)), ws, we)
    if not m:
        return False, ""
    return True, f"context: '{m.group(0)}' (one of the organisation's wards)"
