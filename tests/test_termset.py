"""TermSet (an Aho-Corasick automaton) finds exactly what the prefix-trie regular expression of
`terms.alternation` finds, for the terms of every shipped term list, on posts and on awkward
strings: spacing and hyphens between a term's words, case, word characters either side,
windows (pos, endpos), characters whose lower case is longer."""
from __future__ import annotations

import random

import pytest

from socialscreen.matching.terms import alternation, compiled
from socialscreen.matching.termset import TermSet, fold
from socialscreen.rules import load_rules

POSTS = [
    "Lovely Mrs Jones in bed 4 on Caton ward turned 90 today, the x-ray team sang.",
    "Our Muslim staff network meets Tuesday; the drop-in at the memory café is full.",
    "Anyone else on the NIGHT  SHIFT - absolute shambles; pass word is on the key-safe.",
    "İstanbul trip with the carers' group. Well-being day at the day-centre!",
    "re:post by _nurse_ on the ward-round: consultant-led; non-verbal client; our service users",
]


def _term_lists():
    lists = []
    for rule in load_rules():
        ctx = rule.context
        if ctx:
            for key in ("require_near", "block_near", "require_any", "block_any"):
                value = getattr(ctx, key)
                if value:
                    lists.append(tuple(value))
        if rule.terms:
            lists.append(tuple(rule.terms))
    return list(dict.fromkeys(lists))


def _old_and_new(terms):
    literal = [t for t in terms if not t.startswith("re:")]
    return compiled(alternation(literal)), TermSet(literal)


def _texts(literal, rng):
    out = list(POSTS)
    for t in rng.sample(literal, min(6, len(literal))):
        v = t.replace(" ", rng.choice([" ", "  ", "-", " - ", "\n", "\t-"]))
        v = "".join(c.upper() if rng.random() < .3 else c for c in v)
        for left, right in (("", ""), ("x", ""), ("", "s"), ("_", ""), ("é", ""), (" ", "."), ("İ", " ")):
            out.append(f"{left}{v}{right} and then {v}")
    return out


def test_shipped_term_lists_match_as_the_trie_regex_did():
    rng = random.Random(7)
    lists = _term_lists()
    assert len(lists) > 50
    for terms in lists:
        literal = [t for t in terms if not t.startswith("re:")]
        if not literal:
            continue
        old, new = _old_and_new(literal)
        for text in _texts(literal, rng):
            folded = fold(text)
            assert [m.span() for m in new.finditer(text, 0, None, folded)] == [m.span() for m in old.finditer(text)]
            assert [m.span() for m in new.finditer(text)] == [m.span() for m in old.finditer(text)]
            for _ in range(3):
                s = rng.randrange(0, len(text) + 1)
                e = rng.randrange(s, len(text) + 1)
                a, b = old.search(text, s, e), new.search(text, s, e, folded)
                assert (a and a.span()) == (b and b.span()), (terms[:3], text, s, e)


@pytest.mark.parametrize("text,expect", [
    ("an X - Ray today", [(3, 10)]),
    ("x-rays", []),                       # a longer word is not the term
    ("the x-ray, the xray", [(4, 9)]),
])
def test_separators_and_word_bounds(text, expect):
    ts = TermSet(["x ray"])
    assert [m.span() for m in ts.finditer(text)] == expect
    assert [m.group(0) for m in ts.finditer(text)] == [text[s:e] for s, e in expect]


def test_longest_term_at_the_leftmost_position():
    ts = TermSet(["care", "care home", "home"])
    assert [m.group(0) for m in ts.finditer("the care home and home")] == ["care home", "home"]
    assert TermSet([]).search("anything") is None
