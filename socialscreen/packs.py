"""Load and validate policy packs (`patterns/packs/<pack-id>.yaml`).

A pack says which clauses a finding cites, per category (or per rule) and per
account context. Detectors know nothing of packs: the screener asks the pack.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .data import patterns_dir, read_yaml
from .errors import DataError, SocialScreenError, UnknownPolicyError
from .rules import select
from .values import ACCOUNTS, CATEGORIES, SEVERITIES, Clause

_TOP = {"id", "policy", "organisation", "clauses", "categories", "rules", "severity", "description",
        "context_model", "disclaimer"}
DEFAULT_DISCLAIMER = "Views are my own."
_POLICY = {"title", "version", "date", "review_date", "source", "url", "owner"}
_ORG = {"name", "aliases", "handles", "hashtags", "domains", "places"}
_CLAUSE = {"id", "section", "title", "quote", "note", "manual"}


@dataclass(frozen=True)
class Organisation:
    name: str
    aliases: tuple = ()
    handles: tuple = ()
    hashtags: tuple = ()
    domains: tuple = ()
    places: tuple = ()        # wards, units, sites: "on Lipton", "Caton ward" tie a post to the employer

    def names(self) -> tuple:
        """Every string that names the organisation in a post."""
        return tuple(dict.fromkeys(x for x in (self.name, *self.aliases, *self.handles,
                                               *self.hashtags, *self.domains) if x))


@dataclass(frozen=True)
class Pack:
    id: str
    path: str
    title: str
    organisation: Organisation
    clauses: dict                     # id -> Clause
    categories: dict                  # category -> {account: (clause ids)}
    rules: dict = field(default_factory=dict)   # rule id / family prefix -> {account: (ids)}
    severity: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict, hash=False, compare=False)
    manual: frozenset = frozenset()   # clauses a person must check: no check here backs them
    context_off: frozenset = frozenset()   # categories the learned context layer stays out of
    disclaimer: str = ""              # the disclaimer wording the policy asks for (the fix quotes it)

    def mapped(self) -> set:
        """Clause ids some category or rule cites in some account context."""
        return {cid for table in (self.categories, self.rules) for per_account in table.values()
                for ids in per_account.values() for cid in ids}

    def clauses_for(self, rule_id: str, category: str, account: str) -> tuple:
        """The clauses a hit of this rule cites in this account context; () means no finding."""
        mapping = None
        best = -1
        for key, per_account in self.rules.items():
            if select(rule_id, key):
                if len(key) > best:
                    mapping, best = per_account, len(key)
        if mapping is None:
            mapping = self.categories.get(category, {})
        return tuple(self.clauses[c] for c in mapping.get(account, ()))

    def applies(self, category: str, account: str) -> bool:
        """Does the pack cite any clause for this category in this account context?"""
        return bool(self.categories.get(category, {}).get(account))

    def with_organisation(self, **changes) -> "Pack":
        """A copy naming another organisation (for the community-group template, say)."""
        org = self.organisation
        values = {k: getattr(org, k) for k in _ORG}
        for k, v in changes.items():
            if k not in _ORG:
                raise SocialScreenError(f"unknown organisation field {k!r}; use one of {sorted(_ORG)}")
            values[k] = v if k == "name" else tuple(v)
        return Pack(self.id, self.path, self.title, Organisation(**values), self.clauses,
                    self.categories, self.rules, self.severity, self.meta, self.manual, self.context_off,
                    self.disclaimer)


def _fail(path, fieldname, problem):
    raise DataError(path, fieldname, problem)


def _mapping(raw, path, fieldname, clauses) -> dict:
    if not isinstance(raw, dict):
        _fail(path, fieldname, "must map account contexts (personal, official) to lists of clause ids")
    out = {}
    for account, ids in raw.items():
        if account not in ACCOUNTS:
            _fail(path, f"{fieldname}.{account}", f"account context must be one of {', '.join(ACCOUNTS)}")
        if isinstance(ids, (str, int, float)):
            ids = [ids]
        if not isinstance(ids, list):
            _fail(path, f"{fieldname}.{account}", "must be a list of clause ids")
        ids = [str(i) for i in ids]
        for cid in ids:
            if cid not in clauses:
                _fail(path, f"{fieldname}.{account}",
                      f"clause {cid!r} is not defined under 'clauses' (add it there, or fix the id)")
        out[account] = tuple(ids)
    return out


def parse_pack(raw, path: Path) -> Pack:
    if not isinstance(raw, dict):
        _fail(path, None, "a pack must be a mapping with id, policy, organisation, clauses, categories")
    unknown = set(raw) - _TOP
    if unknown:
        _fail(path, ", ".join(sorted(unknown)), f"unknown key(s); allowed: {', '.join(sorted(_TOP))}")
    for key in ("id", "policy", "organisation", "clauses", "categories"):
        if key not in raw:
            _fail(path, key, "is required")
    pid = str(raw["id"])
    if path.stem != pid:
        _fail(path, "id", f"{pid!r} must match the file name {path.stem!r}")
    policy = raw["policy"]
    if not isinstance(policy, dict) or "title" not in policy:
        _fail(path, "policy", "must be a mapping with at least a title")
    bad = set(policy) - _POLICY
    if bad:
        _fail(path, "policy." + ",".join(sorted(bad)), f"unknown; allowed: {', '.join(sorted(_POLICY))}")
    org = raw["organisation"]
    if not isinstance(org, dict) or not org.get("name"):
        _fail(path, "organisation", "must be a mapping with at least a name")
    bad = set(org) - _ORG
    if bad:
        _fail(path, "organisation." + ",".join(sorted(bad)), f"unknown; allowed: {', '.join(sorted(_ORG))}")
    organisation = Organisation(
        name=str(org["name"]),
        **{k: tuple(str(x) for x in (org.get(k) or [])) for k in ("aliases", "handles", "hashtags", "domains", "places")})
    if not isinstance(raw["clauses"], list) or not raw["clauses"]:
        _fail(path, "clauses", "must be a non-empty list")
    clauses, manual = {}, set()
    for i, c in enumerate(raw["clauses"]):
        where = f"clauses[{i}]"
        if not isinstance(c, dict):
            _fail(path, where, "must be a mapping with id, section, title, quote")
        bad = set(c) - _CLAUSE
        if bad:
            _fail(path, f"{where}." + ",".join(sorted(bad)), f"unknown; allowed: {', '.join(sorted(_CLAUSE))}")
        for key in ("id", "section", "title", "quote"):
            if not str(c.get(key) or "").strip():
                _fail(path, f"{where}.{key}", "is required")
        cid = str(c["id"])
        if cid in clauses:
            _fail(path, f"{where}.id", f"duplicate clause id {cid!r}")
        section = str(c["section"])
        if cid.split("/")[0] != section:
            _fail(path, f"{where}.section", f"{section!r} must be the part of the id {cid!r} before any '/'")
        clauses[cid] = Clause(pid, cid, section, str(c["title"]).strip(), " ".join(str(c["quote"]).split()))
        if c.get("manual") not in (None, True, False):
            _fail(path, f"{where}.manual", "must be true or false")
        if c.get("manual"):
            manual.add(cid)
    if not isinstance(raw["categories"], dict):
        _fail(path, "categories", "must map categories to account contexts")
    categories = {}
    for cat, mapping in raw["categories"].items():
        if cat not in CATEGORIES:
            _fail(path, f"categories.{cat}", f"unknown category; use one of {', '.join(CATEGORIES)}")
        categories[cat] = _mapping(mapping, path, f"categories.{cat}", clauses)
    if categories.get("missing_disclaimer", {}).get("official"):
        _fail(path, "categories.missing_disclaimer.official", "a disclaimer never applies to an official account")
    rules = {str(k): _mapping(v, path, f"rules.{k}", clauses) for k, v in (raw.get("rules") or {}).items()}
    severity = raw.get("severity") or {}
    for cat, sev in severity.items():
        if cat not in CATEGORIES:
            _fail(path, f"severity.{cat}", f"unknown category; use one of {', '.join(CATEGORIES)}")
        if sev not in SEVERITIES:
            _fail(path, f"severity.{cat}", f"must be one of {', '.join(SEVERITIES)}")
    cm = raw.get("context_model") or {}
    if not isinstance(cm, dict) or set(cm) - {"exclude"}:
        _fail(path, "context_model", "must be a mapping with 'exclude': a list of categories the learned layer stays out of")
    off = cm.get("exclude") or []
    if not isinstance(off, list) or any(c not in CATEGORIES for c in off):
        _fail(path, "context_model.exclude", f"must list categories from: {', '.join(CATEGORIES)}")
    disclaimer = raw.get("disclaimer", "")
    if not isinstance(disclaimer, str) or ("disclaimer" in raw and not disclaimer.strip()):
        _fail(path, "disclaimer", "must be the wording of the disclaimer the policy asks for, as one string")
    pack = Pack(pid, str(path), str(policy["title"]), organisation, clauses, categories, rules,
                dict(severity), meta={k: v for k, v in policy.items()}, manual=frozenset(manual),
                context_off=frozenset(off), disclaimer=" ".join(disclaimer.split()))
    both = pack.mapped() & pack.manual
    if both:
        _fail(path, "clauses", f"{', '.join(sorted(both))} marked manual: true but also cited by a check "
                               f"(drop one)")
    return pack


def pack_paths(root: Path | None = None) -> dict:
    root = Path(root) if root else patterns_dir()
    return {p.stem: p for p in sorted((root / "packs").glob("*.yaml"))}


def load_pack(policy, root: Path | None = None) -> Pack:
    """A pack by id (shipped), or by path to a YAML file of the user's own."""
    if isinstance(policy, Pack):
        return policy
    candidate = Path(str(policy))
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return parse_pack(read_yaml(candidate), candidate)
    paths = pack_paths(root)
    if str(policy) not in paths:
        raise UnknownPolicyError(
            f"no policy pack {policy!r}; installed packs: {', '.join(paths) or 'none'} "
            f"(or give the path of a pack YAML file)")
    return parse_pack(read_yaml(paths[str(policy)]), paths[str(policy)])


def load_all(root: Path | None = None) -> dict:
    return {pid: parse_pack(read_yaml(p), p) for pid, p in pack_paths(root).items()}
