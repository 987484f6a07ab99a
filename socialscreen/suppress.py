"""What may leave a finding out, checked when a Screener is built: the allow-lists per category
(terms that never flag) and the severity overrides per rule id or family. `decide.py` applies
them, with a record's own `allow` and the baseline."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Optional

from .errors import DataError, SocialScreenError
from .rules import select
from .values import CATEGORIES, SEVERITIES

_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


def term_key(text: str) -> str:
    """A term or a flagged span as the allow-list compares them: compatibility forms folded
    (NFKC), case ignored, punctuation at either end and runs of white space ignored."""
    return _EDGE.sub("", " ".join(unicodedata.normalize("NFKC", text).casefold().split()))


class AllowList:
    """category -> terms that never flag in that category. A finding is left out when its span,
    compared by `term_key`, is one of the category's terms, or when a term written `re:PATTERN`
    matches the whole span (case ignored)."""

    def __init__(self, terms: Optional[Mapping] = None, where: str = "allow_terms"):
        self.exact, self.patterns = {}, {}
        if not terms:
            return
        if not isinstance(terms, Mapping):
            raise SocialScreenError(f"{where} must map categories to lists of terms")
        from .kinds.options import check_regex
        from .matching import compiled

        for category, items in terms.items():
            if category not in CATEGORIES:
                raise SocialScreenError(f"{where}: unknown category {category!r}; categories: {', '.join(CATEGORIES)}")
            if isinstance(items, str) or not isinstance(items, (list, tuple)) or \
                    not all(isinstance(t, str) and t.strip() for t in items):
                raise SocialScreenError(f"{where}.{category} must be a list of non-empty strings")
            for t in items:
                if t.startswith("re:"):
                    try:
                        check_regex(t[3:], where, f"{category}")       # refused if it backtracks badly
                    except DataError as exc:
                        raise SocialScreenError(str(exc)) from None
                    self.patterns.setdefault(category, []).append(compiled(f"(?i:{t[3:]})"))
                else:
                    self.exact.setdefault(category, set()).add(term_key(t))

    def __bool__(self) -> bool:
        return bool(self.exact or self.patterns)

    def allows(self, category: str, span: str) -> bool:
        if not span:
            return False
        if term_key(span) in self.exact.get(category, ()):
            return True
        flat = " ".join(span.split())
        return any(p.fullmatch(flat) for p in self.patterns.get(category, ()))


def severity_overrides(overrides: Optional[Mapping], rule_ids, families, where: str = "severity") -> dict:
    """{rule id or family: severity}, checked: every key selects a loaded rule, every value is a
    severity."""
    if not overrides:
        return {}
    if not isinstance(overrides, Mapping):
        raise SocialScreenError(f"{where} must map rule ids or families to {', '.join(SEVERITIES)}")
    out = {}
    for key, value in overrides.items():
        if not isinstance(key, str) or not any(select(i, key) for i in rule_ids):
            raise SocialScreenError(f"{where}: no rule or family {key!r}; families: {', '.join(sorted(families))} "
                                    f"(socialscreen rules lists every rule id)")
        if value not in SEVERITIES:
            raise SocialScreenError(f"{where}.{key} must be one of {', '.join(SEVERITIES)}")
        out[key] = value
    return out


def override_for(overrides: dict, rule_id: str) -> Optional[str]:
    """The severity the most specific selector gives this rule (a rule id wins over its family)."""
    best, value = -1, None
    for key, sev in overrides.items():
        if select(rule_id, key) and len(key) > best:
            best, value = len(key), sev
    return value
