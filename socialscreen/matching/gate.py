"""A rule's `context:` settings compiled once: is a hit allowed where it stands?

Keys (see patterns/README.md): `window` (characters, "sentence", "sentence+1" or "post"),
`require_near` / `block_near` (terms within the window), `require_any` / `block_any` (anywhere in
the post, alt texts included), `block_before` / `block_after` (a pattern that must not end just
before the hit / start just after it). A term list entry `re:PATTERN` is a regular expression.
"""
from __future__ import annotations

import bisect
import functools

from .terms import alternation, compiled
from .termset import TermSet


def _lazy_terms(key):
    """A term list of the context (require_near, block_near...), compiled on first use."""
    return functools.cached_property(
        lambda self: self.compile_terms(getattr(self.ctx, key)) if self.ctx else None)


class ContextGate:
    """A rule's `context:` settings compiled once, on first use: is this hit allowed where it
    stands? (Most rules' gates are never needed for a given post, since the prefilter runs only
    the patterns that can match: compiling them when first asked keeps them out of start-up.
    A rule's patterns were already checked when the rule loaded.)"""

    def __init__(self, context):
        self.ctx = context

    require_near = _lazy_terms("require_near")
    block_near = _lazy_terms("block_near")
    require_any = _lazy_terms("require_any")
    block_any = _lazy_terms("block_any")

    @functools.cached_property
    def before(self):
        return compiled(self.ctx.block_before) if self.ctx and self.ctx.block_before else None

    @functools.cached_property
    def after(self):
        return compiled(self.ctx.block_after) if self.ctx and self.ctx.block_after else None

    @staticmethod
    def compile_terms(terms):
        """Literal terms (whole words: an automaton) and 're:'-prefixed regular expressions (with
        the terms, one pattern), as one matcher with the search/finditer of a compiled pattern."""
        if not terms:
            return None
        literal = [t for t in terms if not t.startswith("re:")]
        patterns = [f"(?:{t[3:]})" for t in terms if t.startswith("re:")]
        if not patterns:
            return TermSet(literal)
        return compiled("|".join(([alternation(literal)] if literal else []) + patterns))

    @property
    def window(self):
        return self.ctx.window if self.ctx is not None else None

    def with_window(self, window) -> "ContextGate":
        """The same gate over another window ("sentence+1" for a titled name, say)."""
        from dataclasses import replace
        return ContextGate(replace(self.ctx, window=window)) if self.ctx is not None else self

    def required_terms(self):
        """require_near and require_any as one pattern (None when the gate requires nothing)."""
        if self.ctx is None or not (self.ctx.require_near or self.ctx.require_any):
            return None
        return self.compile_terms(tuple(self.ctx.require_near) + tuple(self.ctx.require_any))

    def blocked_anywhere(self, analysis) -> bool:
        """A block_any term anywhere in the post (a consent statement, say)."""
        return self.block_any is not None and analysis.search_whole(self.block_any) is not None

    def blocked_near(self, analysis, start: int, end: int) -> bool:
        """A block_near term in the hit's window."""
        if self.block_near is None:
            return False
        ws, we = analysis.window(start, end, self.ctx.window)
        return analysis.search_in(self.block_near, ws, we) is not None

    def blocked_before(self, text: str, start: int) -> bool:
        return self.before is not None and self.before.search(text[max(0, start - 80):start]) is not None

    def blocked_after(self, text: str, end: int) -> bool:
        return self.after is not None and self.after.match(text[end:end + 80]) is not None

    def check(self, analysis, start: int, end: int) -> tuple[bool, str]:
        """(allowed, why). `why` names the context word that allowed it, if any."""
        ok, why, _ = self.check_span(analysis, start, end)
        return ok, why

    def check_span(self, analysis, start: int, end: int):
        """(allowed, why, near) where near is the (start, end) of the require_near match, if any."""
        if self.ctx is None:
            return True, "", None
        text = analysis.text
        why = ""
        near = None
        if self.require_any is not None:
            m = analysis.search_whole(self.require_any)
            if not m:
                return False, "", None
            why = f"context: '{m.group(0).lower()}'"
        if self.block_any is not None and analysis.search_whole(self.block_any):
            return False, "", None
        ws, we = analysis.window(start, end, self.ctx.window)
        if self.require_near is not None:
            best, inside = _nearest(analysis.matches_in(self.require_near, ws, we), start, end)
            if best is None and inside is None:
                return False, "", None
            why = f"context: '{(best or inside).group(0).lower()}'"
            near = best.span() if best is not None else None
        if self.block_near is not None:
            if analysis.search_in(self.block_near, ws, we):
                return False, "", None
        if self.before is not None and self.before.search(text[max(0, start - 80):start]):
            return False, "", None
        if self.after is not None and self.after.match(text[end:end + 80]):
            return False, "", None
        return True, why, near


def _nearest(found, start: int, end: int):
    """(best, inside) among a window's context matches, found once per window: best is the
    match outside the hit whose start is closest to the hit's start (the earlier one on a tie),
    inside the first match that overlaps the hit. Bisect, not a scan: a post whose every hit
    shares one window (no sentence breaks) stays linear."""
    starts, ends, ms = found
    k = bisect.bisect_right(ends, start)           # ms[:k] end at or before the hit
    j = max(k, bisect.bisect_left(starts, end))    # ms[j:] start at or after its end
    left = None
    if k:
        left = bisect.bisect_left(starts, starts[k - 1], 0, k)   # the first of equal starts
    right = j if j < len(ms) else None
    best = None
    if left is not None:
        best = ms[left]
    if right is not None and (best is None or abs(ms[right].start() - start) < abs(best.start() - start)):
        best = ms[right]
    inside = ms[k] if k < j else None
    return best, inside
