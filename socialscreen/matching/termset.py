"""Many literal terms found at once with an Aho-Corasick automaton (pyahocorasick, in C).

A `TermSet` finds exactly what the prefix-trie regular expression of `terms.alternation` finds
(whole words, any case, words of a term separated by any run of spaces and hyphens; the leftmost
match, the longest at that position), through the same `search` / `finditer` calls, without
compiling a regular expression. Building the automaton for a context list of a thousand terms
takes a millisecond where the standard library's regex compiler takes tens: the context lists
(@care, @person...) were the largest part of the first posts' latency, compiled on first use.

A term list with `re:` entries stays one regular expression (`ContextGate.compile_terms`): the
regex engine stops at its first match in a window, where a split search would scan the whole
window for an absent pattern.
"""
from __future__ import annotations

import bisect
import re

import ahocorasick

_SEP = re.compile(r"[\s\-]+")


class TermMatch:
    """The parts of `re.Match` that callers use: start, end, span, group(0)."""
    __slots__ = ("string", "_start", "_end")

    def __init__(self, string: str, start: int, end: int):
        self.string, self._start, self._end = string, start, end

    def start(self, group=0) -> int:
        return self._start

    def end(self, group=0) -> int:
        return self._end

    def span(self, group=0) -> tuple[int, int]:
        return self._start, self._end

    def group(self, group=0) -> str:
        return self.string[self._start:self._end]

    def __getitem__(self, group):
        return self.group(group)

    def __repr__(self) -> str:
        return f"<TermMatch span=({self._start}, {self._end})>"


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class _Folded:
    """A text in lower case with every run of spaces and hyphens as one space, and the map from
    each folded position back to the text. The Analysis of a post builds it once (`fold`) and
    hands it to every term set that searches the post; nothing keeps it after the post."""
    __slots__ = ("text", "folded", "where")

    def __init__(self, text: str):
        low = text.lower()
        if len(low) != len(text):                      # a character whose lower case is longer
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        parts, where, last = [], [], 0
        for m in _SEP.finditer(low):
            s = m.start()
            parts.append(low[last:s])
            parts.append(" ")
            where.extend(range(last, s + 1))
            last = m.end()
        parts.append(low[last:])
        where.extend(range(last, len(low)))
        self.text, self.folded, self.where = text, "".join(parts), where


def fold(text: str) -> _Folded:
    return _Folded(text)


class TermSet:
    """Literal terms as an automaton with the search/finditer of a compiled pattern."""

    def __init__(self, terms):
        keys = {" ".join(w for w in _SEP.split(t.strip().lower()) if w) for t in terms}
        keys.discard("")
        self.keys = frozenset(keys)
        self._longest = max(map(len, self.keys), default=0)
        self._auto = ahocorasick.Automaton()
        for k in self.keys:
            self._auto.add_word(k, len(k))
        if self.keys:
            self._auto.make_automaton()

    wants_folded = True

    def _occurrences(self, text: str, pos: int, endpos: int, folded):
        """Bounded occurrences in text[pos:endpos] as (folded start, start, end), in order of
        their end."""
        if not self.keys or pos >= endpos:
            return
        f = folded if folded is not None and folded.text is text else _Folded(text)
        where = f.where
        fs = bisect.bisect_left(where, pos)
        fe = bisect.bisect_left(where, endpos)
        if fs >= fe:
            return
        for last, length in self._auto.iter(f.folded, fs, fe):
            start, end = where[last - length + 1], where[last] + 1
            if start < pos or end > endpos:
                continue
            if start > 0 and _is_word(text[start - 1]):
                continue
            if end < endpos and _is_word(text[end]):
                continue
            yield last - length + 1, start, end, last

    def search(self, text: str, pos: int = 0, endpos: int | None = None, folded=None):
        """The leftmost occurrence, the longest there; the scan stops once no later occurrence
        can start as early (a search stays as cheap as the regular expression's)."""
        endpos = len(text) if endpos is None else min(endpos, len(text))
        best = None
        for fstart, start, end, last in self._occurrences(text, pos, endpos, folded):
            if best is not None and last - self._longest + 1 > best[0]:
                break
            if best is None or start < best[1] or (start == best[1] and end > best[2]):
                best = (fstart, start, end)
        return None if best is None else TermMatch(text, best[1], best[2])

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None, folded=None):
        endpos = len(text) if endpos is None else min(endpos, len(text))
        found = sorted(((start, end) for _, start, end, _ in self._occurrences(text, pos, endpos, folded)),
                       key=lambda se: (se[0], -se[1]))
        at = -1
        for start, end in found:
            if start >= at:
                at = end
                yield TermMatch(text, start, end)
