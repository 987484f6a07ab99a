"""The Analysis every kind reads: normalised text, offset map, one spaCy Doc, sentences.

Every detector reads the same Analysis; nothing here knows about policies.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ..matching.termset import fold
from .normalise import Normalised


@dataclass
class Analysis:
    norm: Normalised
    doc: object                      # spaCy Doc over norm.text
    profile: str = ""                # normalised profile text ("" when none)
    org_names: tuple = ()            # the active organisation's names (for work ties)
    org_places: tuple = ()           # its wards, units and sites
    has_ner: bool = False
    whole: str = ""                  # what "anywhere in the post" means (alt text: alt + post text)
    cache: dict = field(default_factory=dict)   # post-wide searches, done once per post
    _sent_starts: list = field(default_factory=list)
    _sent_ends: list = field(default_factory=list)

    def __post_init__(self):
        if not self.whole:
            self.whole = self.norm.text
        starts, ends = [], []
        for sent in self.doc.sents:
            starts.append(sent.start_char)
            ends.append(sent.end_char)
        if not starts:
            starts, ends = [0], [len(self.text)]
        self._sent_starts, self._sent_ends = starts, ends

    def folded(self, s: str):
        """The case- and separator-folded form of the post's text (or of `whole`) that term
        sets search, built once per post."""
        key = ("fold", id(s))
        if key not in self.cache:
            self.cache[key] = (s, fold(s))
        return self.cache[key][1]

    def _search(self, rx, s: str, start: int = 0, end: int | None = None):
        if getattr(rx, "wants_folded", False):
            return rx.search(s, start, end, self.folded(s))
        return rx.search(s, start) if end is None else rx.search(s, start, end)

    def finditer(self, rx, start: int = 0, end: int | None = None):
        """rx.finditer over the post's text (a term set reads the post's folded form)."""
        if getattr(rx, "wants_folded", False):
            return rx.finditer(self.text, start, end, self.folded(self.text))
        return rx.finditer(self.text, start) if end is None else rx.finditer(self.text, start, end)

    def search_whole(self, rx):
        """rx.search over the whole post, once per post and pattern."""
        key = id(rx)
        if key not in self.cache:
            self.cache[key] = (rx, self._search(rx, self.whole))
        return self.cache[key][1]

    def search_in(self, rx, start: int, end: int):
        """rx.search(text, start, end), once per post, pattern and window: hits that share a
        window (every hit of a post with no sentence break) share one scan."""
        key = ("search", id(rx), start, end)
        if key not in self.cache:
            self.cache[key] = (rx, self._search(rx, self.text, start, end))
        return self.cache[key][1]

    def matches_in(self, rx, start: int, end: int) -> tuple:
        """(starts, ends, matches) of rx.finditer(text, start, end), once per post, pattern and
        window; starts and ends are sorted (the matches do not overlap), for bisect."""
        key = ("matches", id(rx), start, end)
        if key not in self.cache:
            ms = list(self.finditer(rx, start, end))
            self.cache[key] = (rx, [m.start() for m in ms], [m.end() for m in ms], ms)
        return self.cache[key][1:]

    @property
    def text(self) -> str:
        return self.norm.text

    def sentence_index(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self._sent_starts, pos) - 1)

    def sentence_bounds(self, start: int, end: int | None = None, extra: int = 0) -> tuple[int, int]:
        """Bounds of the sentence(s) holding [start, end), widened by `extra` sentences each side."""
        i = self.sentence_index(start)
        j = self.sentence_index(max(start, (end or start + 1) - 1))
        i, j = max(0, i - extra), min(len(self._sent_starts) - 1, j + extra)
        return self._sent_starts[i], self._sent_ends[j]

    def window(self, start: int, end: int, window) -> tuple[int, int]:
        if window == "post":
            return 0, len(self.text)
        if window == "sentence":
            return self.sentence_bounds(start, end)
        if window == "sentence+1":
            return self.sentence_bounds(start, end, extra=1)
        return max(0, start - int(window)), min(len(self.text), end + int(window))
