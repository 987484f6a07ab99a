"""Catastrophic backtracking, found when a rule loads: each regular expression of the rule data
is run, with `regex`'s timeout, against short adversarial strings built from its own
characters (a run of one of its literals, of a letter, a space or a digit, ended by a character
that makes the match fail), 40 and 2,000 characters long. A pattern that backtracks
exponentially, such as `(?:a|aa)+!`, takes seconds on 40 characters, and a polynomial one such
as `(a+)+b` on 2,000: both are refused; a linear one takes microseconds."""
from __future__ import annotations

from typing import Optional

import regex

RUN = 40                       # characters in each short adversarial run (exponential blow-up)
LIMIT = 0.25                   # seconds one search may take on one short run
LONG_RUN = 2_000               # characters in each long run (polynomial blow-up: (a+)+b, (x+x+)+y)
LONG_LIMIT = 0.5               # seconds one search may take on one long run (a linear one: well under 1 ms)
_ENDS = ("\x00", "", "!", " x")
_CLASS_STAND_INS = {"w": "a", "d": "1", "s": " ", "S": "a", "W": " ", "D": "a"}


def _units(pattern: str) -> list:
    """Short strings a pattern's repetitions may match: each literal it names (letters, digits,
    punctuation), a stand-in for each class escape it uses, and pairs of its first literals."""
    chars, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            chars.append(_CLASS_STAND_INS.get(nxt, nxt if not nxt.isalnum() else ""))
            i += 2
            continue
        if c not in "()[]{}?*+|^$":
            chars.append(c)
        i += 1
    literals = list(dict.fromkeys(c for c in chars if c))[:12]
    units = literals + ["a", " ", "1", "a "]
    units += [a + b for a in literals[:4] for b in literals[:4] if a != b]
    return list(dict.fromkeys(units))


def backtracking_problem(pattern: str, flags: int) -> Optional[str]:
    """Why the pattern is refused, or None when it ran fast on every adversarial string."""
    try:
        rx = regex.compile(pattern, flags)
    except regex.error:
        return None                               # reported by the caller as an invalid pattern
    for size, limit, ends in ((RUN, LIMIT, _ENDS), (LONG_RUN, LONG_LIMIT, _ENDS[:2])):
        for unit in _units(pattern):
            run = (unit * (size // len(unit) + 1))[:size]
            for end in ends:
                text = run + end
                try:
                    rx.search(text, timeout=limit)
                except TimeoutError:
                    return (f"it backtracks catastrophically: one search of a {len(text)}-character string "
                            f"took over {limit} s (nested or overlapping repetition such as (a|aa)+ or "
                            f"(a+)+b); rewrite it")
    return None
