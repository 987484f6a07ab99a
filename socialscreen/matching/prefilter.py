"""A literal prefilter for many regular expressions.

For each pattern we work out, from its parse tree, a set of literal strings of
which any match must contain at least one (as RE2's and codesearch's
prefilters do). One Aho-Corasick pass over the lower-cased post finds which of
those literals occur; only the patterns whose literals occur are run. A
pattern with no usable literal is always run, so the prefilter never changes
a result, it only skips work.
"""
from __future__ import annotations

import re

try:                                     # Python 3.11+
    from re import _parser as sre_parse
    from re import _constants as C
except ImportError:                      # pragma: no cover - Python 3.10
    import sre_parse                     # type: ignore
    import sre_constants as C            # type: ignore

import ahocorasick

MIN_LITERAL = 3
MAX_VARIANTS = 32
# Literals so common in posts that requiring them filters nothing.
COMMON = set("""the and ing you your our are his her this that out all what can with not she from
new got for was has have had but who how why when they them there their then than one two get
its it's n't ill men wee tea kin fte pic day days week today care team work need every anyone
again drop great night""".split()) | {"this morning"}


def required_literals(pattern: str):
    """A set of lower-case strings, one of which every match contains; None if unknown."""
    try:
        tree = sre_parse.parse(pattern, re.IGNORECASE)
    except Exception:                    # `regex`-only syntax: always run the pattern
        return None
    return _seq(list(tree))


_COMMON_MARKS = set("!.,?'\"-:;()&/’‘“”_ ")


def _rare(ch: str) -> bool:
    """A symbol few posts contain: '*', '#', '@', '%', an emoji."""
    return not ch.isalnum() and not ch.isspace() and ch not in _COMMON_MARKS


def _usable(lit: str) -> bool:
    """Long enough to filter: three characters, or a rare symbol (a masked word's '*', an
    emoji) with a character beside it, or one emoji."""
    if len(lit) >= MIN_LITERAL:
        return True
    if not any(_rare(c) for c in lit):
        return False
    return len(lit) >= 2 or ord(lit) >= 0x2000


def _score(lits):
    """Prefer literal sets that are long, few, and not common words."""
    def weight(x):
        return 1 if x.strip() in COMMON else len(x.strip())
    return min(weight(x) for x in lits) * 10 - len(lits)


def _class_letters(av):
    """The characters a small character class matches, or None."""
    chars = set()
    for o, v in av:
        if o is not C.LITERAL:
            return None
        chars.add(chr(v).lower())
    return chars if len(chars) <= 6 else None


def _seq(items):
    candidates = []
    run = [""]                           # the literal variants built so far

    def flush():
        if run and all(_usable(r) for r in run):
            candidates.append(set(run))
        run[:] = [""]

    for op, av in items:
        if op is C.LITERAL:
            run[:] = [r + chr(av).lower() for r in run]
            continue
        if op is C.IN:
            letters = _class_letters(av)
            if letters and len(run) * len(letters) <= MAX_VARIANTS:
                run[:] = [r + ch for r in run for ch in sorted(letters)]
                continue
        flush()
        sub = None
        if op is C.SUBPATTERN:
            sub = _seq(list(av[-1]))
        elif op is C.BRANCH:
            alts = [_seq(list(a)) for a in av[1]]
            if alts and all(a for a in alts):
                sub = set().union(*alts)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
            sub = _seq(list(av[2]))
        if sub:
            candidates.append(sub)
    flush()
    if not candidates:
        return None
    return max(candidates, key=_score)


class Prefilter:
    """Which of many patterns can possibly match a text."""

    def __init__(self, patterns):
        self.always = []
        self.automaton = ahocorasick.Automaton()
        owners = {}
        for i, p in enumerate(patterns):
            lits = required_literals(p)
            if not lits:
                self.always.append(i)
                continue
            for lit in lits:
                owners.setdefault(lit, []).append(i)
        for lit, ids in owners.items():
            self.automaton.add_word(lit, tuple(ids))
        self.active = bool(owners)
        if self.active:
            self.automaton.make_automaton()

    def candidates(self, text: str) -> set:
        found = set(self.always)
        if self.active:
            for _, ids in self.automaton.iter(text.lower()):
                found.update(ids)
        return found
