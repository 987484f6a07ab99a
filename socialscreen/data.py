"""Where the shipped data (`patterns/`) lives, and safe YAML / term-list reading."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

from .errors import DataError


def patterns_dir() -> Path:
    """SOCIALSCREEN_PATTERNS if set; else `socialscreen/patterns` in an installed wheel,
    `<repo>/patterns` in a source checkout."""
    env = os.environ.get("SOCIALSCREEN_PATTERNS")
    if env:
        root = Path(env)
        if not (root / "packs").is_dir():
            raise DataError(root, None, "SOCIALSCREEN_PATTERNS must name a folder laid out like patterns/ "
                                        "(packs/, rules/, lexicons/)")
        return root
    here = Path(__file__).resolve().parent
    for candidate in (here / "patterns", here.parent / "patterns"):
        if (candidate / "packs").is_dir():
            return candidate
    raise DataError(here / "patterns", None, "the patterns/ data folder is missing from this install")


_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)     # libyaml when the wheel has it


class _UniqueKeyLoader(_SafeBase):
    """A safe loader (no code execution) that rejects duplicate keys."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return _SafeBase.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path):
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_UniqueKeyLoader)  # noqa: S506 (safe loader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise DataError(path, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, None, f"cannot be read: {exc.__class__.__name__}") from None


def read_terms(path: Path) -> list[str]:
    """One term per line; a line starting with '#' or text after ' #' is a comment."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, None, f"cannot be read: {exc.__class__.__name__}") from None
    terms = []
    for line in lines:
        line = line.strip()
        if line.startswith("#"):
            continue
        line = line.split(" #", 1)[0].strip()
        if line:
            terms.append(line)
    return terms
