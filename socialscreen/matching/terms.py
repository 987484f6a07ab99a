"""What every detector shares: the Hit value, term compilation and context gating."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Optional

import regex

FLAGS = regex.IGNORECASE | regex.V0


@functools.lru_cache(maxsize=None)
def compiled(pattern: str, flags: int = FLAGS):
    """Compile once per process: many rules share context lists (@care, @person...)."""
    return regex.compile(pattern, flags)


@functools.lru_cache(maxsize=None)
def compiled_terms(pattern: str):
    """A generated term alternation (see `alternation`). The standard library compiles these
    large tries several times faster than `regex` and matches them as fast; fall back to
    `regex` for anything it cannot take."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error:
        return compiled(pattern)


@dataclass(frozen=True)
class Hit:
    rule: object          # rules.Rule
    start: int            # offsets in the normalised text
    end: int
    score: float
    why: str
    characteristic: Optional[str] = None


_SEP_PLAIN = r"[\s\-]+"
_SEP_LEET = r"[\s\-_.]*"


def _atoms(term: str, leet: dict | None):
    """A term as a list of regex atoms: one per character, and one per word separator."""
    atoms = []
    for i, word in enumerate(regex.split(r"[\s\-]+", term.strip())):
        if i:
            atoms.append(_SEP_LEET if leet else _SEP_PLAIN)
        atoms += [_leet_class(ch, leet) if leet else regex.escape(ch.lower()) for ch in word]
    return atoms


def term_regex(term: str, leet: dict | None = None) -> str:
    """A literal term as a regex: any run of spaces/hyphens between its words."""
    return "".join(_atoms(term, leet))


def _leet_class(ch: str, leet: dict) -> str:
    subs = leet.get(ch.lower())
    if not subs:
        return regex.escape(ch.lower())
    opts = sorted({ch.lower(), ch.upper(), *subs}, key=len, reverse=True)
    singles = [o for o in opts if len(o) == 1]
    multi = [regex.escape(o) for o in opts if len(o) > 1]
    cls = "[" + "".join(regex.escape(o) for o in sorted(singles)) + "]" if singles else ""
    return "(?:" + "|".join(multi + [cls]) + ")" if multi else cls


def _trie(atom_lists) -> str:
    """Factor common prefixes: 'shit|shite|shithead' -> 'shit(?:e|head)?'. Greedy optional
    groups keep the longest match first, as a longest-first alternation would."""
    root: dict = {}
    for atoms in atom_lists:
        node = root
        for a in atoms:
            node = node.setdefault(a, {})
        node[""] = {}

    def emit(node) -> str:
        alts = [a + emit(sub) for a, sub in node.items() if a != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return body + "?" if len(alts) == 1 and len(alts[0]) == 1 else f"(?:{body})?"
        return body

    return emit(root)


def alternation(terms, leet: dict | None = None) -> str:
    """Many literal terms as one regex (a prefix trie), bounded as whole words."""
    uniq = sorted({t.strip() for t in terms if t.strip()})
    body = _trie([_atoms(t, leet) for t in uniq])
    return rf"(?<![\w])(?:{body})(?![\w])"


def key_of(matched: str) -> str:
    """The lookup key of a matched term: lower case, separators collapsed to one space."""
    return regex.sub(r"[\s\-]+", " ", matched.strip().lower())


class ContextGate:
    """A rule's `context:` settings compiled once: is this hit allowed where it stands?"""

    def __init__(self, context):
        self.ctx = context
        self.require_near = self._compile(context.require_near) if context else None
        self.block_near = self._compile(context.block_near) if context else None
        self.require_any = self._compile(context.require_any) if context else None
        self.block_any = self._compile(context.block_any) if context else None
        self.before = compiled(context.block_before + r"\Z" if not context.block_before.endswith("$")
                               else context.block_before) if context and context.block_before else None
        self.after = compiled(context.block_after) if context and context.block_after else None

    @staticmethod
    def _compile(terms):
        """Literal terms (whole words) and 're:'-prefixed regular expressions, as one pattern."""
        if not terms:
            return None
        literal = [t for t in terms if not t.startswith("re:")]
        patterns = [f"(?:{t[3:]})" for t in terms if t.startswith("re:")]
        if not patterns:
            return compiled_terms(alternation(literal))
        parts = ([alternation(literal)] if literal else []) + patterns
        return compiled("|".join(parts))

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
            best = inside = None
            for m in self.require_near.finditer(text, ws, we):
                if m.start() >= end or m.end() <= start:       # prefer context outside the hit
                    if best is None or abs(m.start() - start) < abs(best.start() - start):
                        best = m
                elif inside is None:
                    inside = m
            if best is None and inside is None:
                return False, "", None
            why = f"context: '{(best or inside).group(0).lower()}'"
            near = best.span() if best is not None else None
        if self.block_near is not None:
            if self.block_near.search(text, ws, we):
                return False, "", None
        if self.before is not None and self.before.search(text[max(0, start - 80):start]):
            return False, "", None
        if self.after is not None and self.after.match(text[end:end + 80]):
            return False, "", None
        return True, why, near
