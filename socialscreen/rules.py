"""Load and validate rule files (`patterns/rules/<family>/<name>.yaml`).

The keys every rule has are checked here; the keys of one kind are declared by that kind
(`kinds/<kind>.py`, `OPTIONS`) and checked through it. `select` is the one way a rule is
picked by id or family (the API's `rules=` / `disable=`, the CLI, packs).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import regex

from .data import patterns_dir, read_terms, read_yaml
from .errors import DataError
from .kinds import KINDS
from .kinds.options import check_regex, parse_options, str_list
from .values import CATEGORIES, CHARACTERISTICS, IDENTIFIER_LABELS, SEVERITIES

_COMMON = {"id", "category", "kind", "severity", "confidence", "message", "description", "fix", "redact_as", "label", "vetoable",
           "examples", "characteristic", "terms", "lexicons", "patterns", "context", "span", "applies_to"}
_CONTEXT_KEYS = {"window", "require_near", "block_near", "block_before", "block_after",
                 "require_any", "block_any"}
_ID = regex.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$")
# an expected span inside a flag example: "Mrs [[Hilda Barnes]] in bed 4"
_MARK = re.compile(r"\[\[(.+?)\]\]", re.S)


@dataclass(frozen=True)
class Context:
    window: object = 60                      # int chars, "sentence", "sentence+1" or "post"
    require_near: tuple = ()                 # terms (expanded from @lexicons)
    block_near: tuple = ()
    block_before: Optional[str] = None
    block_after: Optional[str] = None
    require_any: tuple = ()                  # anywhere in the post
    block_any: tuple = ()


@dataclass(frozen=True)
class Example:
    """One of a rule's own examples: its text (marks removed), the profile it is screened with,
    and, for a flag example, the spans it must flag (from `[[...]]` marks; empty: any span)."""
    text: str
    profile: Optional[str] = None
    spans: tuple = ()                        # ((start, end), ...) in text
    alt_text: Optional[str] = None           # screened with an image attached that has this alt text


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    category: str
    kind: str
    severity: str
    confidence: float
    message: str
    path: str
    description: str = ""
    fix: str = ""                            # may hold {redacted_post} (identifier rules) and {disclaimer}
    redact_as: str = ""                      # what stands in for the span when it is redacted: "[NHS number]"
    label: str = ""                          # which kind of identifier (service_user_identifier rules): "NHS_NUMBER"
    terms: tuple = ()
    patterns: tuple = ()
    context: Optional[Context] = None
    characteristic: Optional[str] = None
    span: str = "match"                      # match | sentence | near
    applies_to: tuple = ("text",)            # text | attachments (alt text of images/videos)
    vetoable: bool = False                   # the context layer may drop this rule's hits in context
    flag: tuple = ()                         # Examples that must be flagged
    ok: tuple = ()                           # Examples that must pass
    options: dict = field(default_factory=dict, hash=False, compare=False)

    def regex_options(self) -> dict:
        """The kind's own options that hold regular expressions (names' detail patterns, say)."""
        return {o.key: self.options.get(o.key, ()) for o in KINDS[self.kind].OPTIONS if o.type == "regexes"}

    @property
    def examples_flag(self) -> tuple:
        return tuple(e.text for e in self.flag)

    @property
    def examples_pass(self) -> tuple:
        return tuple(e.text for e in self.ok)


def select(rule_id: str, selector: str) -> bool:
    """A selector names a rule (`pii.nhs-number`) or a family (`pii`)."""
    return rule_id == selector or rule_id.startswith(selector + ".")


def _fail(path, fieldname, problem):
    raise DataError(path, fieldname, problem)


def _example(item, path, where, flag: bool) -> Example:
    if isinstance(item, dict):
        if set(item) - {"text", "profile", "alt_text"} or not isinstance(item.get("text"), str) \
                or not isinstance(item.get("alt_text", ""), str):
            _fail(path, where, "an example mapping has 'text' and optional 'profile' and 'alt_text' (an attached "
                               "image's alt text), each a string")
        raw, profile = item["text"], (str(item["profile"]) if item.get("profile") else None)
        alt = item.get("alt_text")
    elif isinstance(item, (str, int, float)):
        raw, profile, alt = str(item), None, None
    else:
        _fail(path, where, "must be a string or a mapping with 'text', 'profile' and 'alt_text'")
    spans, text, pos = [], [], 0
    for m in _MARK.finditer(raw):
        text.append(raw[pos:m.start()])
        start = sum(map(len, text))
        text.append(m.group(1))
        spans.append((start, start + len(m.group(1))))
        pos = m.end()
    text.append(raw[pos:])
    if spans and not flag:
        _fail(path, where, "a 'pass' example cannot mark a span with [[...]]")
    return Example("".join(text), profile, tuple(spans), alt)


def _examples(raw, path, fieldname, flag) -> tuple:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raw = [raw]
    return tuple(_example(item, path, f"{fieldname}[{i}]", flag) for i, item in enumerate(raw))


def load_lexicon(name: str, lexicon_root: Path, path, fieldname) -> list[str]:
    lex = lexicon_root / f"{name}.txt"
    if not regex.fullmatch(r"[a-z0-9][a-z0-9\-]*", name) or not lex.is_file():
        _fail(path, fieldname, f"names lexicon {name!r} but {lex} does not exist "
                               f"(create it, one term per line)")
    return read_terms(lex)


def expand_terms(items, lexicon_root: Path, path, fieldname) -> list[str]:
    """Inline terms, where '@name' stands for every line of lexicons/name.txt."""
    out = []
    for item in items:
        if item.startswith("@") and len(item) > 1 and " " not in item:
            out += load_lexicon(item[1:], lexicon_root, path, fieldname)
        else:
            out.append(item)
    return out


def _context(c, path, lexicon_root) -> Context:
    if not isinstance(c, dict):
        _fail(path, "context", "must be a mapping")
    bad = set(c) - _CONTEXT_KEYS
    if bad:
        _fail(path, "context." + ",".join(sorted(bad)), f"unknown; allowed: {', '.join(sorted(_CONTEXT_KEYS))}")
    window = c.get("window", 60)
    if not (isinstance(window, int) and window > 0) and window not in ("sentence", "sentence+1", "post"):
        _fail(path, "context.window",
              "must be a positive number of characters, 'sentence', 'sentence+1' (with its neighbours) or 'post'")
    for key in ("block_before", "block_after"):
        if c.get(key) is not None:
            check_regex(c[key], path, f"context.{key}")
    if c.get("block_before") is not None and not c["block_before"].rstrip(")").endswith(("$", r"\Z")):
        _fail(path, "context.block_before", "must end with $: it is matched against the text that ends "
                                            "where the hit starts")
    if c.get("block_after") is not None and not c["block_after"].lstrip("(?:").startswith(("^", r"\A")):
        _fail(path, "context.block_after", "must start with ^: it is matched against the text that starts "
                                           "where the hit ends")
    lists = {}
    for key in ("require_near", "block_near", "require_any", "block_any"):
        items = str_list(c.get(key), path, f"context.{key}")
        for item in items:
            if item.startswith("re:"):
                check_regex(item[3:], path, f"context.{key}")
        lists[key] = tuple(expand_terms(items, lexicon_root, path, f"context.{key}"))
    return Context(window=window, block_before=c.get("block_before"), block_after=c.get("block_after"), **lists)


def parse_rule(raw, path: Path, lexicon_root: Path) -> Rule:
    if not isinstance(raw, dict):
        _fail(path, None, "a rule file must be a mapping with id, category, kind, severity, message, examples")
    for key in ("id", "category", "kind", "severity", "message", "examples"):
        if key not in raw:
            _fail(path, key, "is required")
    kind = raw["kind"]
    if kind not in KINDS:
        _fail(path, "kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    own = {o.key for o in KINDS[kind].OPTIONS}
    unknown = set(raw) - _COMMON - own
    if unknown:
        _fail(path, ", ".join(sorted(unknown)),
              f"unknown key(s) for a {kind} rule; allowed: {', '.join(sorted(_COMMON | own))}")
    rid = str(raw["id"])
    if not _ID.match(rid):
        _fail(path, "id", f"{rid!r} must look like family.name (lower-case, hyphens)")
    family = rid.split(".")[0]
    if path.parent.name != family and path.parent.name != "rules":
        _fail(path, "id", f"family {family!r} does not match the folder {path.parent.name!r}")
    if raw["category"] not in CATEGORIES:
        _fail(path, "category", f"{raw['category']!r} is not one of {', '.join(CATEGORIES)}")
    if raw["severity"] not in SEVERITIES:
        _fail(path, "severity", f"{raw['severity']!r} is not one of {', '.join(SEVERITIES)}")
    conf = raw.get("confidence", 0.8)
    if not isinstance(conf, (int, float)) or not 0 <= conf <= 1:
        _fail(path, "confidence", "must be a number from 0 to 1")
    char = raw.get("characteristic")
    if char is not None and char not in CHARACTERISTICS:
        _fail(path, "characteristic", f"{char!r} is not one of {', '.join(CHARACTERISTICS)}")
    if raw["category"] == "discriminatory_language" and char is None:
        _fail(path, "characteristic", "is required for discriminatory_language rules")
    if not isinstance(raw.get("vetoable", False), bool):
        _fail(path, "vetoable", "must be true or false")
    for key in ("message", "description", "fix"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key].strip()):
            _fail(path, key, "must be a non-empty sentence")
    redact_as = raw.get("redact_as", "")
    if "redact_as" in raw and (not isinstance(redact_as, str) or not redact_as.strip() or "\n" in redact_as):
        _fail(path, "redact_as", "must be a short label on one line, such as '[NHS number]'")
    label = raw.get("label", "")
    if raw["category"] == "service_user_identifier" and not label:
        _fail(path, "label", "is required for service_user_identifier rules: the kind of identifier, one of "
                             + ", ".join(IDENTIFIER_LABELS))
    if label and label not in IDENTIFIER_LABELS:
        _fail(path, "label", f"{label!r} is not one of {', '.join(IDENTIFIER_LABELS)}")
    if label and raw["category"] != "service_user_identifier":
        _fail(path, "label", "is only for service_user_identifier rules")
    redacts = bool(redact_as) or raw["category"] == "service_user_identifier" or rid.split(".")[0] == "pii"
    if "{redacted_post}" in str(raw.get("fix", "")) and not redacts:
        _fail(path, "fix", "{redacted_post} is only for a rule whose spans are redacted (a service_user_identifier "
                           "or pii rule, or one with redact_as)")
    ex = raw["examples"]
    if not isinstance(ex, dict) or set(ex) - {"flag", "pass"}:
        _fail(path, "examples", "must be a mapping with 'flag' and 'pass' lists")
    flag = _examples(ex.get("flag"), path, "examples.flag", True)
    ok = _examples(ex.get("pass"), path, "examples.pass", False)
    if not flag or not ok:
        _fail(path, "examples", "needs at least one 'flag' and one 'pass' example")

    terms = str_list(raw.get("terms"), path, "terms")
    for name in str_list(raw.get("lexicons"), path, "lexicons"):
        terms += load_lexicon(name, lexicon_root, path, "lexicons")
    patterns = str_list(raw.get("patterns"), path, "patterns")
    for i, p in enumerate(patterns):
        check_regex(p, path, f"patterns[{i}]")
    if kind == "lexicon" and not terms and not patterns:
        _fail(path, "terms", "a lexicon rule needs terms, lexicons or patterns")
    context = _context(raw["context"], path, lexicon_root) if raw.get("context") is not None else None
    span = raw.get("span", "match")
    if span not in ("match", "sentence", "near"):
        _fail(path, "span", "must be 'match', 'sentence' or 'near' (from the hit to its require_near context word)")
    applies_to = tuple(str_list(raw.get("applies_to", ["text"]), path, "applies_to"))
    if not applies_to or set(applies_to) - {"text", "attachments"}:
        _fail(path, "applies_to", "must list 'text' and/or 'attachments'")
    options = parse_options(KINDS[kind].OPTIONS, raw, path,
                            expand=lambda items, key: expand_terms(items, lexicon_root, path, key),
                            lexicon=lambda name, key: load_lexicon(name, lexicon_root, path, key))
    return Rule(
        id=rid, family=family, category=raw["category"], kind=kind, severity=raw["severity"],
        confidence=float(conf), message=raw["message"].strip(), path=str(path),
        description=" ".join(str(raw.get("description", "")).split()), fix=str(raw.get("fix", "")).strip(),
        redact_as=redact_as.strip(), label=label,
        terms=tuple(dict.fromkeys(t.strip() for t in terms if t.strip())), patterns=tuple(patterns),
        context=context, characteristic=char, span=span, applies_to=applies_to,
        vetoable=raw.get("vetoable", False), flag=flag, ok=ok, options=options,
    )


def load_rules(root: Path | None = None) -> list[Rule]:
    """Every rule under root/rules, validated; duplicate ids are an error."""
    root = Path(root) if root else patterns_dir()
    rules, seen = [], {}
    for path in sorted((root / "rules").rglob("*.yaml")):
        rule = parse_rule(read_yaml(path), path, root / "lexicons")
        if rule.id in seen:
            raise DataError(path, "id", f"duplicate rule id {rule.id!r} (also in {seen[rule.id]})")
        seen[rule.id] = path
        rules.append(rule)
    return rules
