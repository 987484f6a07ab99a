"""Compiled terms shared by every kind: patterns compiled once per process, many literal terms
as one prefix-trie regular expression (leetspeak-aware for the profanity kind; plain term lists are
matched by `termset.TermSet`, which finds the same matches), and their lookup keys."""
from __future__ import annotations

import functools
import re

import regex

FLAGS = regex.IGNORECASE | regex.V0


@functools.lru_cache(maxsize=4096)
def compiled(pattern: str, flags: int = FLAGS):
    """Compile once per process: many rules share context lists (@care, @person...). The
    standard library compiles several times faster than `regex` (most of the cold start is
    compiling rule patterns) and matches these patterns the same way; a pattern it cannot take
    (\\p{...} classes, `regex`-only syntax) is compiled by `regex`."""
    if flags in _STDLIB_FLAGS:
        try:
            return re.compile(pattern, _STDLIB_FLAGS[flags])
        except (re.error, ValueError, OverflowError):
            pass
    return regex.compile(pattern, flags)


_STDLIB_FLAGS = {FLAGS: re.IGNORECASE, regex.V0: 0}


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
    groups keep the longest match first, as a longest-first alternation would. Built without
    recursion, so a term of any length (an organisation's 400-character name) is fine."""
    root: dict = {}
    for atoms in atom_lists:
        node = root
        for a in atoms:
            node = node.setdefault(a, {})
        node[""] = {}

    def combine(node, alts) -> str:
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return body + "?" if len(alts) == 1 and len(alts[0]) == 1 else f"(?:{body})?"
        return body

    # post-order walk with an explicit stack: a node's text once all its children have theirs
    done: dict = {}
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            alts = [a + done.pop(id(sub)) for a, sub in node.items() if a != ""]
            done[id(node)] = combine(node, alts)
            continue
        stack.append((node, True))
        for a, sub in node.items():
            if a != "":
                stack.append((sub, False))
    return done[id(root)]


def alternation(terms, leet: dict | None = None) -> str:
    """Many literal terms as one regex (a prefix trie), bounded as whole words."""
    uniq = tuple(sorted({t.strip() for t in terms if t.strip()}))
    if leet is None:
        return _plain_alternation(uniq)     # many rules share the same lexicons (@care, @person...)
    body = _trie([_atoms(t, leet) for t in uniq])
    return rf"(?<![\w])(?:{body})(?![\w])"


@functools.lru_cache(maxsize=1024)
def _plain_alternation(uniq: tuple) -> str:
    body = _trie([_atoms(t, None) for t in uniq])
    return rf"(?<![\w])(?:{body})(?![\w])"


def key_of(matched: str) -> str:
    """The lookup key of a matched term: lower case, separators collapsed to one space."""
    return regex.sub(r"[\s\-]+", " ", matched.strip().lower())
