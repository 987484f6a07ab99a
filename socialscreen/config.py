"""The configuration file: `socialscreen.toml` (or `.socialscreen.toml`), or the
`[tool.socialscreen]` table of `pyproject.toml`.

Found the way ruff and Vale find theirs: in the current folder, then each folder above it, the
first folder that holds one wins (in one folder `socialscreen.toml`, then `.socialscreen.toml`,
then a `pyproject.toml` that has a `[tool.socialscreen]` table). `--config FILE` names one,
`--no-config` ignores them. Flags on the command line win over the file, the file over the
defaults. Paths in the file are relative to the file.

Every key is checked when the file is read: an unknown key or a bad value is a ConfigError that
names the file, the key and the valid choices.

    policy = "walton-centre"          # a pack id, or a pack YAML file
    account = "personal"              # personal | official
    format = "text"                   # text | json | jsonl | csv | html
    fail-on = "block"                 # review | block | never
    on-error = "fail"                 # fail | skip
    select = ["pii", "confidential"]  # run only these rule ids or families
    disable = ["grievance.sarcasm"]   # switch these off
    context = true                    # the learned context layer: true, false, or a model name
    model = "none"                    # the spaCy pipeline, or "none" for rules alone
    patterns-dir = "my-patterns"      # your own packs, rules and lexicons
    baseline = ".socialscreen-baseline.json"
    audit-log = "audit/socialscreen.jsonl"

    [organisation]                    # or: organisation = "Hope Café"
    name = "Hope Café"
    aliases = ["Hope Cafe"]

    [allow]                           # terms that never flag, per category
    service_user_identifier = ["Florence Nightingale", "re:Ward \\d+"]

    [severity]                        # per rule id or family
    "grievance" = "low"
"""
from __future__ import annotations

import difflib
import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .errors import ConfigError, SocialScreenError

if sys.version_info >= (3, 11):
    import tomllib
else:                                                    # pragma: no cover (Python 3.10)
    import tomli as tomllib

CONFIG_NAMES = ("socialscreen.toml", ".socialscreen.toml")
PYPROJECT = "pyproject.toml"
TABLE = "tool.socialscreen"
DEFAULT_BASELINE = ".socialscreen-baseline.json"

ACCOUNTS = ("personal", "official")
FAIL_ON = ("review", "block", "never")
ON_ERROR = ("fail", "skip")
ORGANISATION_KEYS = ("name", "aliases", "handles", "hashtags", "domains", "places")
# key in the file -> attribute of Config
KEYS = {"policy": "policy", "account": "account", "format": "format", "fail-on": "fail_on",
        "on-error": "on_error", "select": "select", "disable": "disable", "context": "context",
        "model": "model", "patterns-dir": "patterns_dir", "organisation": "organisation",
        "allow": "allow", "severity": "severity", "baseline": "baseline", "audit-log": "audit_log",
        "known-people": "known_people", "consented": "consented"}


@dataclass(frozen=True)
class Config:
    """A configuration as read and checked: None (or empty) for what the file does not set.
    Paths are absolute (resolved against the file's folder). `path` is the file, or None."""
    path: Optional[str] = None
    policy: Optional[str] = None
    account: Optional[str] = None
    format: Optional[str] = None
    fail_on: Optional[str] = None
    on_error: Optional[str] = None
    select: Optional[tuple] = None
    disable: Optional[tuple] = None
    context: Optional[str] = None              # a model name, or "none"
    model: Optional[str] = None
    patterns_dir: Optional[str] = None
    organisation: Optional[dict] = None
    allow: dict = field(default_factory=dict)  # category -> (terms)
    severity: dict = field(default_factory=dict)
    baseline: Optional[str] = None
    audit_log: Optional[str] = None
    known_people: Optional[str] = None         # a people list (socialscreen people): those we support
    consented: Optional[str] = None            # a people list of those whose consent is recorded

    def screener_kwargs(self) -> dict:
        """The Screener keyword arguments this configuration sets (policy excluded)."""
        kw = {"model": self.model, "organisation": self.organisation, "patterns_dir": self.patterns_dir,
              "rules": self.select, "disable": self.disable or (), "allow_terms": self.allow or None,
              "severity": self.severity or None, "baseline": self.baseline,
              "known_people": self.known_people, "consented": self.consented}
        if self.context is not None:
            kw["context"] = None if self.context == "none" else self.context
        return kw

    def screener(self, policy: Optional[str] = None, **overrides):
        """A Screener as this configuration describes it; `policy` and keyword arguments win."""
        from .screener import Screener
        policy = policy or self.policy
        if not policy:
            raise SocialScreenError(f"no policy: {self.path or 'the configuration'} sets none; "
                                    f"pass one, or set policy = \"PACK\" in the file")
        return Screener(policy, **{**self.screener_kwargs(), **overrides})


# ---- finding and reading --------------------------------------------------------------------

def find_config(start=None) -> Optional[Path]:
    """The configuration file that applies in `start` (default: the current folder): the first
    folder, going upwards, that holds socialscreen.toml, .socialscreen.toml or a pyproject.toml
    with a [tool.socialscreen] table."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
    return None


def _has_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "socialscreen" not in text:                   # cheap: most pyproject.toml files are not ours
        return False
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        if re.search(r"^\s*\[\s*tool\s*\.\s*[\"']?socialscreen\b", text, re.M):
            _parse(pyproject, text)                  # ours, and broken: said, never skipped
        return False
    return isinstance(data.get("tool"), dict) and "socialscreen" in data["tool"]


def _parse(path: Path, text: Optional[str] = None) -> dict:
    try:
        if text is None:
            text = Path(path).read_text(encoding="utf-8")
        return tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(path, None, "no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot be read ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"not valid TOML: {exc}") from None


def load_config(path=None, *, start=None, search: bool = True) -> Config:
    """Read and check a configuration: the file given, else the one found from `start` (default:
    the current folder) upwards; an empty Config when there is none (or `search` is False)."""
    if path is None:
        path = find_config(start) if search else None
        if path is None:
            return Config()
    path = Path(path)
    data = _parse(path)
    prefix = ""
    if path.name == PYPROJECT:
        tool = data.get("tool")
        if not isinstance(tool, dict) or "socialscreen" not in tool:
            raise ConfigError(path, TABLE, "the file has no [tool.socialscreen] table")
        data, prefix = tool["socialscreen"], TABLE + "."
        if not isinstance(data, dict):
            raise ConfigError(path, TABLE, "must be a table")
    return _Checker(path, prefix).check(data)


class _Checker:
    def __init__(self, path: Path, prefix: str):
        self.path, self.prefix = path, prefix
        self.folder = path.resolve().parent

    def fail(self, key, problem):
        raise ConfigError(self.path, f"{self.prefix}{key}" if key else (self.prefix.rstrip(".") or None), problem)

    def check(self, data: dict) -> Config:
        for key in data:
            if key not in KEYS:
                near = difflib.get_close_matches(key, list(KEYS), n=1)
                self.fail(key, "unknown key" + (f" (did you mean {near[0]!r}?)" if near else "")
                          + f"; valid keys: {', '.join(KEYS)}")
        out = {}
        out["account"] = self.choice(data, "account", ACCOUNTS)
        out["fail_on"] = self.choice(data, "fail-on", FAIL_ON)
        out["on_error"] = self.choice(data, "on-error", ON_ERROR)
        from .io import WRITERS
        out["format"] = self.choice(data, "format", tuple(sorted(WRITERS)))
        out["patterns_dir"] = self.patterns_dir(data)
        root = Path(out["patterns_dir"]) if out["patterns_dir"] else None
        out["policy"] = self.policy(data, root)
        out["model"] = self.model(data)
        out["context"] = self.context(data, root)
        out["select"] = self.selectors(data, "select", root)
        disable = self.selectors(data, "disable", root)
        out["disable"] = disable
        out["organisation"] = self.organisation(data)
        out["allow"] = self.allow(data)
        out["severity"] = self.severity(data, root)
        for key in ("baseline", "audit-log", "known-people", "consented"):
            value = data.get(key)
            if value is not None:
                out[KEYS[key]] = str(self.folder / self.string(value, key))
        return Config(path=str(self.path), **{k: v for k, v in out.items() if v is not None})

    # -- one key each --------------------------------------------------------------------------
    def string(self, value, key) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be a non-empty string")
        return value.strip()

    def choice(self, data, key, choices):
        if key not in data:
            return None
        value = data[key]
        if value not in choices:
            self.fail(key, f"{_shown(value)} is not one of {', '.join(choices)}")
        return value

    def patterns_dir(self, data):
        if "patterns-dir" not in data:
            return None
        folder = self.folder / self.string(data["patterns-dir"], "patterns-dir")
        if not (folder / "packs").is_dir() or not (folder / "rules").is_dir():
            self.fail("patterns-dir", f"{folder} is not a folder laid out like patterns/ (packs/, rules/, lexicons/)")
        return str(folder)

    def policy(self, data, root):
        if "policy" not in data:
            return None
        from .packs import pack_paths
        value = self.string(data["policy"], "policy")
        if value.endswith((".yaml", ".yml")):
            pack = self.folder / value
            if not pack.is_file():
                self.fail("policy", f"no pack file {pack}")
            return str(pack)
        installed = list(pack_paths(root))
        if value not in installed:
            self.fail("policy", f"no installed pack {_shown(value)}; installed packs: {', '.join(installed)} "
                                f"(or the path of a pack YAML file, ending .yaml)")
        return value

    def model(self, data):
        if "model" not in data:
            return None
        value = self.string(data["model"], "model")
        if value.lower() in ("none", "blank"):
            return "none"
        if importlib.util.find_spec(value.replace("-", "_")) is None and not (self.folder / value).is_dir():
            from .prepare.nlp import available_models
            self.fail("model", f"no spaCy pipeline {_shown(value)} is installed; installed: "
                               f"{', '.join(available_models()) or 'none'}, or \"none\" for the rules alone")
        return value

    def context(self, data, root):
        if "context" not in data:
            return None
        value = data["context"]
        if value is True:
            return "context"
        if value is False:
            return "none"
        value = self.string(value, "context") if isinstance(value, str) else self.fail(
            "context", "must be true (the shipped learned layer), false (rules alone) or a model name")
        if value.lower() == "none":
            return "none"
        from .data import patterns_dir
        folders = ([root] if root else []) + [patterns_dir()]
        if not any((f / "models" / value / "meta.json").is_file() for f in folders):
            found = sorted({p.parent.name for f in folders for p in (f / "models").glob("*/meta.json")})
            self.fail("context", f"no context model {_shown(value)}; models: {', '.join(found) or 'none'} "
                                 f"(or true / false)")
        return value

    def _rules(self, root):
        from .rules import load_rules
        if not hasattr(self, "_loaded"):
            rules = load_rules(root)
            self._loaded = ([r.id for r in rules], sorted({r.family for r in rules}))
        return self._loaded

    def selectors(self, data, key, root):
        if key not in data:
            return None
        value = data[key]
        if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
            self.fail(key, "must be a list of rule ids or families, e.g. [\"pii\", \"offensive.threat\"]")
        from .rules import select
        ids, families = self._rules(root)
        for i, sel in enumerate(value):
            if not any(select(r, sel.strip()) for r in ids):
                self.fail(f"{key}[{i}]", f"no rule or family {_shown(sel)}; families: {', '.join(families)} "
                                         f"(socialscreen rules lists every rule id)")
        return tuple(x.strip() for x in value)

    def organisation(self, data):
        if "organisation" not in data:
            return None
        value = data["organisation"]
        if isinstance(value, str):
            name = self.string(value, "organisation")
            return {"name": name, "aliases": [name]}
        if not isinstance(value, dict):
            self.fail("organisation", "must be a name, or a table with name and optional "
                                      + ", ".join(ORGANISATION_KEYS[1:]))
        for k in value:
            if k not in ORGANISATION_KEYS:
                self.fail(f"organisation.{k}", f"unknown key; valid keys: {', '.join(ORGANISATION_KEYS)}")
        if "name" not in value:
            self.fail("organisation.name", "is required")
        out = {"name": self.string(value["name"], "organisation.name")}
        for k in ORGANISATION_KEYS[1:]:
            if k in value:
                items = value[k]
                if not isinstance(items, list) or not all(isinstance(x, str) and x.strip() for x in items):
                    self.fail(f"organisation.{k}", "must be a list of non-empty strings")
                out[k] = [x.strip() for x in items]
        return out

    def allow(self, data):
        value = data.get("allow")
        if value is None:
            return None
        from .values import CATEGORIES
        if not isinstance(value, dict):
            self.fail("allow", f"must be a table of categories ({', '.join(CATEGORIES)}), each a list of terms")
        out = {}
        for cat, terms in value.items():
            if cat not in CATEGORIES:
                near = difflib.get_close_matches(cat, CATEGORIES, n=1)
                self.fail(f"allow.{cat}", "unknown category" + (f" (did you mean {near[0]!r}?)" if near else "")
                          + f"; categories: {', '.join(CATEGORIES)}")
            if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
                self.fail(f"allow.{cat}", "must be a list of non-empty strings (\"re:PATTERN\" for a pattern)")
            for i, t in enumerate(terms):
                if t.startswith("re:"):
                    from .suppress import AllowList
                    try:
                        AllowList({cat: [t]})
                    except SocialScreenError as exc:
                        problem = str(exc).split(": ", 2)[-1]
                        self.fail(f"allow.{cat}[{i}]", problem)
            out[cat] = tuple(terms)
        return out

    def severity(self, data, root):
        value = data.get("severity")
        if value is None:
            return None
        from .values import SEVERITIES
        if not isinstance(value, dict):
            self.fail("severity", f"must be a table of rule ids or families, each {', '.join(SEVERITIES)}")
        from .rules import select
        ids, families = self._rules(root) if value else ((), ())
        for key, sev in value.items():
            shown = f"severity.{key}" if "." not in key else f'severity."{key}"'
            if not any(select(r, key) for r in ids):
                self.fail(shown, f"no rule or family of that name; families: {', '.join(families)} "
                                             f"(socialscreen rules lists every rule id)")
            if sev not in SEVERITIES:
                self.fail(shown, f"{_shown(sev)} is not one of {', '.join(SEVERITIES)}")
        return dict(value)


def _shown(value) -> str:
    """A value from the configuration as an error shows it (clipped: it is the user's own file)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---- the command line -----------------------------------------------------------------------

def add_arguments(parser) -> None:
    """--config and --no-config, for the commands that read a configuration."""
    g = parser.add_mutually_exclusive_group()
    g.add_argument("--config", metavar="FILE",
                   help="the configuration file (socialscreen.toml, or a pyproject.toml with [tool.socialscreen]); "
                        "default: the first found in this folder or a folder above it")
    g.add_argument("--no-config", action="store_true", help="read no configuration file")


DEFAULTS = {"account": "personal", "format": "text", "fail_on": "block", "on_error": "fail", "context": "context"}


def for_args(args) -> Config:
    """The configuration a command line asks for: --config FILE, none with --no-config, else found."""
    if getattr(args, "no_config", False):
        return Config()
    return load_config(getattr(args, "config", None))


def apply(args, config: Config) -> None:
    """Fill in what the flags leave unset (None): from the configuration, then the defaults.
    A flag always wins, list flags (--rules, --disable) replace the file's list."""
    for attr in ("policy", "account", "format", "fail_on", "on_error", "model", "context", "patterns_dir",
                 "baseline", "audit_log", "known_people", "consented"):
        if hasattr(args, attr) and getattr(args, attr) is None:
            setattr(args, attr, getattr(config, attr, None) if getattr(config, attr, None) is not None
                    else DEFAULTS.get(attr))
    if hasattr(args, "rules"):
        args.rules = _split(args.rules) if args.rules else config.select
    if hasattr(args, "disable"):
        args.disable = _split(args.disable) if args.disable else config.disable
    for attr in ("baseline", "audit_log"):
        if isinstance(getattr(args, attr, None), str) and getattr(args, attr).lower() == "none":
            setattr(args, attr, None)                        # --baseline none: switched off for this run


def screener_kwargs(args, config: Config) -> dict:
    """Screener keyword arguments from the merged command line (see `apply`) and the file."""
    if getattr(args, "organisation", None):
        organisation = {"name": args.organisation, "aliases": [args.organisation]}
    else:
        organisation = config.organisation
    return dict(model=args.model, organisation=organisation, context=None if args.context == "none" else args.context,
                rules=args.rules, disable=args.disable or (), patterns_dir=args.patterns_dir,
                allow_terms=config.allow or None, severity=config.severity or None,
                baseline=getattr(args, "baseline", None), known_people=getattr(args, "known_people", None),
                consented=getattr(args, "consented", None))


def _split(values) -> tuple:
    """Repeated and comma-separated flag values: --rules pii,confidential --rules offensive."""
    return tuple(x.strip() for v in values for x in v.split(",") if x.strip())


# ---- socialscreen init ----------------------------------------------------------------------

def starter(policy: Optional[str] = None, table: str = "") -> str:
    """A commented starter configuration (`table`: "tool.socialscreen" inside pyproject.toml)."""
    from .packs import pack_paths
    packs = ", ".join(pack_paths())
    t = (lambda name: f"[{table}.{name}]") if table else (lambda name: f"[{name}]")
    head = f"[{table}]\n" if table else ""
    policy_line = f'policy = "{policy}"' if policy else '# policy = "walton-centre"'
    return f"""{head}# socialscreen configuration. `socialscreen check` finds it in this folder or any folder above
# it (--config FILE names one, --no-config ignores it); flags on the command line win over it.
# Every key is checked when the file is read: a misspelt key or a bad value is an error.
# Paths are relative to this file.

# The policy pack: an installed pack id or the path of a pack YAML file of your own.
# Installed packs: {packs} (socialscreen policies).
{policy_line}

# The account posts are screened as when a record does not say: "personal" or "official".
# account = "personal"

# Exit with status 1 when a post reaches this verdict: "block", "review" or "never".
fail-on = "block"

# A record that cannot be screened makes the run exit 3 ("fail"), or is reported and left out
# of the exit status ("skip").
# on-error = "fail"

# The report: "text", "json", "jsonl", "csv" or "html".
# format = "text"

# Run only these rule ids or families (socialscreen rules lists them) ...
# select = ["pii", "confidential", "offensive", "discriminatory", "disclaimer"]
# ... and switch these off.
# disable = ["grievance.sarcasm"]

# The learned context layer: true (the shipped model), false (the rules alone), or a model name.
# context = true

# The spaCy pipeline: a package name, or "none" for the rules alone (default: the best installed).
# model = "en_core_web_sm"

# A folder laid out like socialscreen's patterns/, with packs, rules and lexicons of your own.
# patterns-dir = "my-patterns"

# Accepted findings (written by: socialscreen baseline --policy PACK FILE... -o FILE).
# baseline = "{DEFAULT_BASELINE}"

# The people you support, and those whose consent is recorded: lists of salted hashes written by
# `socialscreen people NAMES.txt -o FILE` (never names in clear).
# known-people = "people.json"
# consented = "consented.json"

# One JSON line per screened post (time, SHA-256 of the text, id, pack, verdict, rule ids;
# never the text), appended.
# audit-log = "socialscreen-audit.jsonl"

# Your organisation, for the community-group template (it replaces the pack's own names).
# {t("organisation")}
# name = "Hope Café"
# aliases = ["Hope Cafe"]
# handles = ["@hopecafe"]
# hashtags = ["#HopeCafe"]

# Terms that never flag, per category: case, spacing and punctuation at either end do not
# matter; "re:PATTERN" must match the whole flagged span. Categories: service_user_identifier,
# confidential_information, offensive_language, discriminatory_language, missing_disclaimer,
# work_grievance, disparagement, unconsented_image.
{t("allow")}
# service_user_identifier = ["Florence Nightingale", "re:Ward \\\\d+"]

# Severity per rule id or family ("low", "medium" or "high"); a rule id wins over its family.
{t("severity")}
# "grievance" = "low"
"""


def init(path=None, *, policy: Optional[str] = None, force: bool = False) -> Path:
    """Write a starter configuration: `path` (default socialscreen.toml); a pyproject.toml gets a
    [tool.socialscreen] table appended. Refuses to overwrite a file (or an existing table)
    unless `force` (a pyproject.toml's table is never replaced: edit it)."""
    path = Path(path or CONFIG_NAMES[0])
    if policy:
        from .packs import pack_paths
        if policy not in pack_paths() and not policy.endswith((".yaml", ".yml")):
            raise ConfigError(path, "policy", f"no installed pack {_shown(policy)}; installed packs: "
                                              f"{', '.join(pack_paths())}")
    if path.name == PYPROJECT:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        if text and "socialscreen" in _parse(path, text).get("tool", {}):
            raise ConfigError(path, TABLE, "already exists; edit it (socialscreen init never replaces it)")
        sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        path.write_text(text + sep + starter(policy, TABLE), encoding="utf-8")
        return path
    if path.exists() and not force:
        raise ConfigError(path, None, "already exists; pass --force to overwrite it")
    path.write_text(starter(policy), encoding="utf-8")
    return path
