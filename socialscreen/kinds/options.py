"""How a kind declares the rule keys of its own: name, type, default and what it means.

Each kind module lists its `OPTIONS`; the rule loader validates a rule's kind-specific keys
against them and hands the kind a dict of parsed values. `patterns/README.md` documents them.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import regex

from ..errors import DataError
from ..matching import FLAGS, compiled
from ..matching.backtracking import backtracking_problem

_PACKAGE = Path(__file__).resolve().parent.parent
# the shipped patterns/ folder (inside the wheel, or next to the package in a source checkout)
SHIPPED = next((c.resolve() for c in (_PACKAGE / "patterns", _PACKAGE.parent / "patterns") if (c / "packs").is_dir()),
               _PACKAGE / "patterns")


@dataclass(frozen=True)
class Option:
    key: str
    type: str                     # "terms" | "regexes" | "number" | "bool" | "choices" | "lexicons" | "string"
    default: Any = None
    doc: str = ""
    choices: tuple = ()
    into: str = ""                # for "lexicons": the terms option the lexicons' lines join


def str_list(raw, path, key) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(x, (str, int, float)) for x in raw):
        raise DataError(path, key, "must be a list of strings")
    return [str(x) for x in raw]


def check_regex(pattern: str, path, key) -> None:
    try:
        compiled(pattern)
    except regex.error as exc:
        raise DataError(path, key, f"invalid regular expression {pattern!r}: {exc}") from None
    if _check_backtracking(path) and pattern not in _shipped_text():
        problem = backtracking_problem(pattern, FLAGS)
        if problem:
            raise DataError(path, key, f"regular expression '{pattern}': {problem}")


def _check_backtracking(path) -> bool:
    """Rules of the user's own (any folder but the shipped patterns/) are run against
    adversarial strings when they load; the shipped ones are by tests/test_regex_safety.py
    (and a user folder copied from patterns/ re-checks only what it changed)."""
    try:
        return SHIPPED not in Path(path).resolve().parents
    except (OSError, RuntimeError, TypeError):
        return True


@functools.lru_cache(maxsize=1)
def _shipped_text() -> str:
    """Every shipped rule and lexicon file, as text: a pattern found in it was checked by the tests."""
    try:
        files = sorted(f for f in SHIPPED.rglob("*") if f.suffix in (".yaml", ".txt") and f.is_file())
        return "\n".join(f.read_text(encoding="utf-8", errors="replace") for f in files)
    except OSError:
        return ""


def parse_options(options: tuple, raw: dict, path, expand: Callable, lexicon: Callable) -> dict:
    """The values of a kind's options from a rule mapping: defaults filled in, lexicon
    references expanded (`@name`), regular expressions checked."""
    out = {}
    for opt in options:
        value = raw.get(opt.key, opt.default)
        if opt.type == "terms":
            value = tuple(expand(str_list(value, path, opt.key), opt.key))
        elif opt.type == "regexes":
            value = tuple(str_list(value, path, opt.key))
            for i, p in enumerate(value):
                check_regex(p, path, f"{opt.key}[{i}]")
        elif opt.type == "lexicons":
            value = tuple(str_list(value, path, opt.key))
        elif opt.type == "number":
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise DataError(path, opt.key, "must be a number")
        elif opt.type == "string":
            if not isinstance(value, str):
                raise DataError(path, opt.key, "must be a string")
        elif opt.type == "bool":
            if not isinstance(value, bool):
                raise DataError(path, opt.key, "must be true or false")
        elif opt.type == "choices":
            value = tuple(str_list(value, path, opt.key))
            bad = [v for v in value if v not in opt.choices]
            if bad:
                raise DataError(path, opt.key, f"{', '.join(map(repr, bad))} not one of {', '.join(opt.choices)}")
        out[opt.key] = value
    # lexicon lists join the terms option they name ("allow_lexicons" -> "allow")
    for opt in options:
        if opt.type == "lexicons":
            extra = []
            for name in out.pop(opt.key):
                extra += lexicon(name, opt.key)
            out[opt.into] = tuple(out.get(opt.into, ())) + tuple(extra)
            if any(o.key == opt.into and o.type == "regexes" for o in options):
                for i, p in enumerate(out[opt.into]):
                    check_regex(p, path, f"{opt.key} (line {i + 1} of its lexicons)")
    return out
