"""Load and validate rule files (`patterns/rules/<family>/<name>.yaml`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import regex

from .detectors.base import compiled
from .data import patterns_dir, read_terms, read_yaml
from .errors import DataError
from .findings import SEVERITIES

CATEGORIES = (
    "service_user_identifier", "confidential_information", "offensive_language",
    "discriminatory_language", "missing_disclaimer",
    "work_grievance", "disparagement", "unconsented_image",
)
CHARACTERISTICS = (
    "age", "disability", "gender_reassignment", "marriage_civil_partnership",
    "pregnancy_maternity", "race", "religion_belief", "sex", "sexual_orientation",
)
KINDS = ("lexicon", "pii", "names", "profanity", "disclaimer")

_COMMON = {"id", "category", "kind", "severity", "confidence", "message", "examples",
           "characteristic", "terms", "lexicons", "patterns", "context", "description", "span",
           "applies_to"}
_KIND_KEYS = {
    "lexicon": set(),
    "pii": {"entities", "score"},
    "names": {"staff", "staff_window"},
    "profanity": {"allow", "allow_lexicons", "wordlist"},
    "disclaimer": {"disclaimers", "disclaimer_lexicons", "weak_ties", "profile_ties"},
}
_CONTEXT_KEYS = {"window", "require_near", "block_near", "block_before", "block_after",
                 "require_any", "block_any"}
_ID = regex.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$")


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
class Rule:
    id: str
    family: str
    category: str
    kind: str
    severity: str
    confidence: float
    message: str
    path: str
    terms: tuple = ()
    patterns: tuple = ()
    context: Optional[Context] = None
    characteristic: Optional[str] = None
    span: str = "match"                      # match | sentence
    applies_to: tuple = ("text",)            # text | attachments (alt text of images/videos)
    examples_flag: tuple = ()
    examples_pass: tuple = ()
    example_profiles: dict = field(default_factory=dict, hash=False, compare=False)   # text -> profile
    options: dict = field(default_factory=dict, hash=False, compare=False)


def _fail(path, fieldname, problem):
    raise DataError(path, fieldname, problem)


def _str_list(raw, path, fieldname):
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, (str, int, float)) for x in raw):
        _fail(path, fieldname, "must be a list of strings")
    return [str(x) for x in raw]


def _examples(raw, path, fieldname, profiles) -> list:
    """Examples are strings, or mappings {text, profile} for rules that read the profile."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raw = [raw]
    out = []
    for i, item in enumerate(raw):
        if isinstance(item, dict):
            if set(item) - {"text", "profile"} or not isinstance(item.get("text"), str):
                _fail(path, f"{fieldname}[{i}]", "an example mapping has 'text' and optional 'profile'")
            out.append(item["text"])
            if item.get("profile"):
                profiles[item["text"]] = str(item["profile"])
        elif isinstance(item, (str, int, float)):
            out.append(str(item))
        else:
            _fail(path, f"{fieldname}[{i}]", "must be a string or a mapping with 'text' and 'profile'")
    return out


def expand_terms(items, lexicon_root: Path, path, fieldname) -> list[str]:
    """Inline terms, where '@name' stands for every term of lexicons/name.txt."""
    out = []
    for item in items:
        if item.startswith("@") and len(item) > 1 and " " not in item:
            name = item[1:]
            if (lexicon_root / f"context-{name}.txt").is_file():
                name = f"context-{name}"
            out += load_lexicon(name, lexicon_root, path, fieldname)
        else:
            out.append(item)
    return out


def load_lexicon(name: str, lexicon_root: Path, path, fieldname) -> list[str]:
    lex = lexicon_root / f"{name}.txt"
    if not lex.is_file():
        _fail(path, fieldname, f"names lexicon {name!r} but {lex} does not exist "
                               f"(create it, one term per line)")
    return read_terms(lex)


def _check_regex(pattern, path, fieldname):
    try:
        compiled(pattern)
    except regex.error as exc:
        _fail(path, fieldname, f"invalid regular expression {pattern!r}: {exc}")


def parse_rule(raw, path: Path, lexicon_root: Path) -> Rule:
    if not isinstance(raw, dict):
        _fail(path, None, "a rule file must be a mapping with id, category, kind, severity, message, examples")
    for key in ("id", "category", "kind", "severity", "message", "examples"):
        if key not in raw:
            _fail(path, key, "is required")
    kind = raw["kind"]
    if kind not in KINDS:
        _fail(path, "kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    unknown = set(raw) - _COMMON - _KIND_KEYS[kind]
    if unknown:
        _fail(path, ", ".join(sorted(unknown)),
              f"unknown key(s) for a {kind} rule; allowed: {', '.join(sorted(_COMMON | _KIND_KEYS[kind]))}")
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
    if not isinstance(raw["message"], str) or not raw["message"].strip():
        _fail(path, "message", "must be a non-empty sentence")
    ex = raw["examples"]
    if not isinstance(ex, dict) or set(ex) - {"flag", "pass"}:
        _fail(path, "examples", "must be a mapping with 'flag' and 'pass' lists")
    profiles = {}
    flag = _examples(ex.get("flag"), path, "examples.flag", profiles)
    ok = _examples(ex.get("pass"), path, "examples.pass", profiles)
    if not flag or not ok:
        _fail(path, "examples", "needs at least one 'flag' and one 'pass' example")

    terms = _str_list(raw.get("terms"), path, "terms")
    for name in _str_list(raw.get("lexicons"), path, "lexicons"):
        terms += load_lexicon(name, lexicon_root, path, "lexicons")
    patterns = _str_list(raw.get("patterns"), path, "patterns")
    for i, p in enumerate(patterns):
        _check_regex(p, path, f"patterns[{i}]")
    if kind == "lexicon" and not terms and not patterns:
        _fail(path, "terms", "a lexicon rule needs terms, lexicons or patterns")

    context = None
    if raw.get("context") is not None:
        c = raw["context"]
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
                _check_regex(c[key], path, f"context.{key}")
        for key in ("require_near", "block_near", "require_any", "block_any"):
            for item in _str_list(c.get(key), path, f"context.{key}"):
                if item.startswith("re:"):
                    _check_regex(item[3:], path, f"context.{key}")
        context = Context(
            window=window,
            **{k: tuple(expand_terms(_str_list(c.get(k), path, f"context.{k}"), lexicon_root, path, f"context.{k}"))
               for k in ("require_near", "block_near", "require_any", "block_any")},
            block_before=c.get("block_before"), block_after=c.get("block_after"),
        )
    span = raw.get("span", "match")
    if span not in ("match", "sentence", "near"):
        _fail(path, "span", "must be 'match', 'sentence' or 'near' (from the hit to its require_near context word)")
    applies_to = tuple(_str_list(raw.get("applies_to", ["text"]), path, "applies_to"))
    if not applies_to or set(applies_to) - {"text", "attachments"}:
        _fail(path, "applies_to", "must list 'text' and/or 'attachments'")
    options = {k: raw[k] for k in _KIND_KEYS[kind] if k in raw}
    for key in ("allow_lexicons", "disclaimer_lexicons"):
        if key in options:
            names = _str_list(options.pop(key), path, key)
            target = "allow" if key == "allow_lexicons" else "disclaimers"
            extra = []
            for name in names:
                extra += load_lexicon(name, lexicon_root, path, key)
            options[target] = _str_list(options.get(target), path, target) + extra
    for key in ("weak_ties", "profile_ties"):
        if key in options:
            options[key] = tuple(expand_terms(_str_list(options[key], path, key), lexicon_root, path, key))
    if "staff" in options:
        options["staff_terms"] = tuple(expand_terms(_str_list(options.pop("staff"), path, "staff"),
                                                    lexicon_root, path, "staff"))
    for key in ("disclaimers",):
        for i, p in enumerate(_str_list(options.get(key), path, key)):
            _check_regex(p, path, f"{key}[{i}]")
    return Rule(
        id=rid, family=family, category=raw["category"], kind=kind, severity=raw["severity"],
        confidence=float(conf), message=raw["message"].strip(), path=str(path),
        terms=tuple(dict.fromkeys(t.strip() for t in terms if t.strip())), patterns=tuple(patterns),
        context=context, characteristic=char, span=span, applies_to=applies_to,
        examples_flag=tuple(flag), examples_pass=tuple(ok), example_profiles=profiles, options=options,
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
