"""The words the names kind reasons with, from the rule's options (lexicons under
`patterns/lexicons/names-*.txt` by default), compiled once per rule."""
from __future__ import annotations

from dataclasses import dataclass

import regex

from ...matching import FLAGS


def _alts(words) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class Vocabulary:
    titles: frozenset
    not_name: frozenset          # lower case
    function_words: frozenset    # lower case
    first_names: frozenset
    wordlike: frozenset          # first names that are also ordinary words

    @classmethod
    def of(cls, rule) -> "Vocabulary":
        o = rule.options
        return cls(titles=frozenset(o["titles"]), not_name=frozenset(w.lower() for w in o["not_name_words"]),
                   function_words=frozenset(w.lower() for w in o["function_words"]),
                   first_names=frozenset(rule.terms), wordlike=frozenset(o["wordlike_names"]))


class Patterns:
    """Regular expressions built from a rule's word lists."""

    def __init__(self, rule):
        o = rule.options
        titles = _alts(o["titles"])
        self.title = regex.compile(
            rf"\b(?:{titles})\.?[ \t]+(?:(?:and|&)[ \t]+(?:{titles})\.?[ \t]+)?"
            r"(?:(?:[A-Z]\.?[ \t]*){1,2}(?=[A-Z][a-z])|)"
            r"(?:[A-Z][a-zA-Z'\-]+(?:[ \t]+[A-Z][a-zA-Z'\-]{2,})?|[A-Z]\b\.?)")
        self.place_tail = regex.compile(
            r"(?:,?[ \t]+(?:[A-Z][\w'’]*|of|the|and|&)){0,5}?[ \t]+(?:" + _alts(o["place_words"]) + r")\b")
        self.place_head = regex.compile(rf"\b(?:{_alts(o['place_heads'])})[ \t]+\Z")
        self.place_prep = regex.compile(rf"\b(?:{_alts(o['place_prepositions'])})[ \t]+\Z")
        self.quantifier_before = regex.compile(rf"\b(?:{_alts(o['quantifiers'])})[ \t]+\Z", FLAGS)
        self.greeting = regex.compile(
            rf"(?:^|\n)[ \t]*(?:@\w+[ \t]+)?(?:{_alts(o['greetings'])})[ \t,]+(?:(?:{titles})\.?[ \t]+)?\Z")
        first = sorted(rule.terms, key=len, reverse=True)
        self.first_name = None
        if first:
            body = "|".join(regex.escape(t) for t in first)
            # a listed first name, with the surname after it unless that is a first name too
            self.first_name = regex.compile(
                rf"(?<![\w'’])(?:{body})(?:[ \t]+(?!(?:{body})\b)[A-Z][a-z'\-]{{2,}})?(?![\w])")


# Grammar, not vocabulary: what stands just before a staff word or after a name.
POSSESSIVE_BEFORE = regex.compile(r"\b(?:his|her|their|your)[ \t]+\Z", FLAGS)      # "her sister Mary"
HELPED_BY_BEFORE = regex.compile(r"\b(?:with|by)[ \t]+(?:the|our)[ \t]+\Z", FLAGS)  # "with the physios"
SURNAME_AFTER = regex.compile(r"[ \t]+[A-Z][a-z'\-]{2,}(?=[ \t,])")                 # "Sue Bradley has ..."
