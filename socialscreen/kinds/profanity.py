"""The profanity kind: better-profanity's word list and leetspeak table, compiled once.

better-profanity checks a post word by word against every variant; here its
list and its character map become one regular expression, so a post is
scanned once, spans come for free, and `allow` removes words that are
ordinary in care writing (identity words, anatomy, places).
"""
from __future__ import annotations

import regex

from ..matching import ContextGate, alternation, compiled, key_of
from ..values import Hit
from .options import Option


def better_profanity_words_and_leet():
    from better_profanity import Profanity
    from better_profanity.utils import get_complete_path_of_file, read_wordlist

    words = list(read_wordlist(get_complete_path_of_file("profanity_wordlist.txt")))
    leet = dict(Profanity().CHARS_MAPPING)
    return words, leet


class ProfanityDetector:
    name = "profanity"
    OPTIONS = (
        Option("wordlist", "bool", True, "include better-profanity's word list (false: the rule's terms only)"),
        Option("allow", "terms", (), "words never reported (identity, medical and place words)"),
        Option("allow_lexicons", "lexicons", (), "lexicons whose lines join `allow`", into="allow"),
    )

    def __init__(self, rules):
        self.rules = list(rules)
        words, leet = better_profanity_words_and_leet()
        self.leet = {k: tuple(x for x in v if x) for k, v in leet.items()}
        self.compiled = []
        for rule in self.rules:
            allow = {key_of(w) for w in rule.options.get("allow", ())}
            base = [w for w in words if key_of(w) not in allow] if rule.options.get("wordlist", True) else []
            extra = [t for t in rule.terms if key_of(t) not in allow]
            terms = sorted(set(base) | set(extra))
            rx = compiled(alternation(terms, leet=self.leet)) if terms else None
            self.compiled.append((rule, rx, allow, ContextGate(rule.context)))

    def detect(self, analysis):
        out = []
        text = analysis.text
        for rule, rx, allow, gate in self.compiled:
            if rx is None:
                continue
            for m in rx.finditer(text):
                word = m.group(0)
                if key_of(word) in allow:
                    continue
                # a pure digit/symbol run is not a word ("4$$" from leet classes)
                if not regex.search(r"[a-zA-Z]", word) or sum(c.isalpha() for c in word) < 2:
                    continue
                ok, ctx = gate.check(analysis, m.start(), m.end())
                if ok:
                    out.append(Hit(rule, m.start(), m.end(), rule.confidence,
                                   "better-profanity word list" + (f"; {ctx}" if ctx else "")))
        return out
