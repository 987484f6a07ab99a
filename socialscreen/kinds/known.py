"""The known kind: the people an organisation supports, from its people list (salted hashes,
socialscreen/people.py), found in a post with typos, nicknames and spacing. Without a list
attached (`Screener(known_people=...)`) it finds nothing."""
from __future__ import annotations

from ..values import Hit
from .options import Option


class KnownPeopleDetector:
    name = "known"
    OPTIONS = (
        Option("example_people", "terms", (), "people the rule's own examples are checked against (never used "
                                               "for screening; the Screener's known_people list is)"),
    )

    def __init__(self, rules):
        self.rules = list(rules)
        self.people = None

    def use(self, people) -> None:
        self.people = people

    def detect(self, analysis):
        if self.people is None:
            return []
        spans = self.people.find(analysis.text)
        return [Hit(rule, s, e, rule.confidence, "on the organisation's list of people it supports")
                for rule in self.rules for s, e in spans]
