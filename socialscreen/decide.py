"""The one place hits become findings.

For each hit: the pack's clauses for its rule in this account context ("no clause, no
finding"), its span mapped back to the text as given and trimmed, severity from the pack or the
rule. Then overlapping findings of one category are merged without losing a clause: the most
confident, longest one stands, and carries every clause the merged ones cited. A finding from
an attachment's alt text adds nothing where the post's own words already show that category.
The verdict follows from the severities.

The learned context layer joins here: its scores confirm, veto or add findings per category.

Suppression is here too, so that every road takes it: after the context layer, a finding of a
rule the post itself allows (`Post.allow`) or whose span is on the configuration's allow-list
for its category is set aside; after the merge, a finding in the baseline is. Each is counted in
`Result.suppressed` (rule, category, offsets, by what), never dropped silently, and the verdict
follows from the findings that stand.
"""
from __future__ import annotations

import bisect
import itertools
from dataclasses import replace
from typing import Optional

from .baseline import key_of
from .matching import compiled
from .models.tagger import spans_of
from .packs import DEFAULT_DISCLAIMER
from .redaction import fill_fixes
from .suppress import override_for
from .values import Finding, Result, Suppressed, verdict_for

TAGGED = ("offensive_language",)     # the categories the span tagger serves


class Decider:
    """model: the ContextModel or None; model_rules: category -> the `model` rule standing for
    the layer in that category (only categories the pack and the selection leave on)."""

    def __init__(self, pack, notes=(), model=None, model_rules=None, vetoable=(), allow_terms=None, consented=None,
                 severity=None, baseline=None, redact=None):
        """redact: rule id -> the label its spans are masked with (redaction.labels), for the
        fixes that quote the post with its identifiers masked."""
        self.pack = pack
        self.redact = dict(redact or {})
        self.disclaimer = getattr(pack, "disclaimer", "") or DEFAULT_DISCLAIMER
        self.allow_terms = allow_terms if allow_terms else None   # suppress.AllowList
        self.consented = consented                                # people.PeopleList of consented people
        self.severity_overrides = dict(severity or {})           # rule id or family -> severity
        self.baseline = baseline                                  # baseline.Baseline or None
        self.vetoable = {rid: True for rid in vetoable}   # rules that say `vetoable: true`
        self.notes = tuple(notes)
        self.model = model
        self.model_rules = dict(model_rules or {})

    def decide(self, prepared, text_hits, alt_hits, scores=None, post_scores=None) -> Result:
        """prepared: the Prepared post; text_hits: hits on the post text; alt_hits: hits on
        attachments' alt texts (each with `attachment` set); scores: the context layer's
        SentenceScores for the post text (None: rules alone); post_scores: its scores for the
        categories judged on the whole post."""
        post = prepared.post
        account = post.account
        findings = [f for f in (self._text_finding(h, prepared.norm, account) for h in text_hits) if f]
        if scores and self.model is not None:
            findings = self._with_context(findings, scores, prepared.norm, account)
        if post_scores and self.model is not None:
            findings += self._post_findings(findings, post_scores, prepared, account, alt_hits)
        findings, suppressed = self._allowed(findings, post)
        in_text = {f.category for f in findings}
        attached, more = self._allowed([f for f in self._attachment_findings(prepared, alt_hits, account)
                                        if f.category not in in_text], post)
        findings = merge_overlaps(findings + attached)
        suppressed += more
        if self.baseline:
            kept = []
            for f in findings:
                if key_of(post, f) in self.baseline:
                    suppressed.append(_suppressed(f, "baseline"))
                else:
                    kept.append(f)
            findings = kept
        findings = fill_fixes(findings, post.text, self.redact, self.disclaimer)
        suppressed.sort(key=lambda s: (s.start, s.end, s.rule, s.by))
        return Result(policy=self.pack.id, account=account, verdict=verdict_for(findings),
                      findings=tuple(findings), id=post.id, notes=self.notes, suppressed=tuple(suppressed))

    def _allowed(self, findings, post) -> tuple[list, list]:
        """(findings that stand, Suppressed for those the post's allow or the allow-list leaves out)."""
        if not post.allow and not self.allow_terms and self.consented is None:
            return findings, []
        allow = {}
        for a in post.allow:
            allow.setdefault(a.rule, a.reason)
        kept, out = [], {}
        for f in findings:
            if f.rule in allow:
                out.setdefault(("allow", allow[f.rule]), []).append(f)
            elif self.allow_terms is not None and self.allow_terms.allows(f.category, f.text):
                out.setdefault(("allow-list", None), []).append(f)
            elif (self.consented is not None and f.category == "service_user_identifier" and f.text
                  and self.consented.matches(f.text)):
                out.setdefault(("consent", None), []).append(f)
            else:
                kept.append(f)
        # counted as they would have been reported: overlapping hits of one category are one finding
        return kept, [_suppressed(f, by, reason) for (by, reason), group in out.items()
                      for f in merge_overlaps(group)]

    def _with_context(self, findings, scores, norm, account) -> list:
        """Per category the layer covers: veto the rules' soft hits when the layer scores the
        whole post very low; add the sentences it scores high when the rules found nothing
        (narrowed to the words the span tagger picks, when it picks any); then add the offensive
        words the tagger alone is sure of, where no offensive or discriminatory finding stands."""
        out = [f for f in findings if f.category not in self.model_rules or f.category in self.model.post_categories]
        tagger = self.model.tagger
        for category, rule in self.model_rules.items():
            if category in self.model.post_categories:
                continue
            t = self.model.thresholds[category]
            have = [f for f in findings if f.category == category]
            best = max(s.scores[category] for s in scores)
            if have:
                if best < t["veto"] and all(self.vetoable.get(f.rule) for f in have):
                    continue                                  # vetoed: the layer reads it as clean
                out += [replace(f, why=f"{f.why}; context model {self.model.name} {best:.2f}") for f in have]
                continue
            for s in scores:
                p = s.scores[category]
                if p < t["add"]:
                    continue
                if _quotes(norm.text[s.start:s.end]) and self._counter_speech(rule, norm.text):
                    continue                                  # abuse quoted to condemn it
                why = f"context model {self.model.name}: {p:.2f} (adds at {t['add']:.2f})"
                pieces = spans_of(s.words, tagger.span, norm.text) if tagger is not None and category in TAGGED else []
                if pieces:
                    why += "; words picked by the span tagger"
                for a, b in [(x, y) for x, y, _p in pieces] or [(s.start, s.end)]:
                    f = self._model_finding(rule, category, norm, account, a, b, p, why, s.characteristic)
                    if f:
                        out.append(f)
        if tagger is not None:
            out += self._tagger_findings(out, scores, norm, account)
        return out

    def _counter_speech(self, rule, text: str) -> bool:
        """Does the post condemn, report or stand against what it quotes (the rule's
        `counter_speech` patterns)?"""
        return any(compiled(x).search(text) for x in rule.options.get("counter_speech", ()))

    def _post_findings(self, findings, post_scores, prepared, account, alt_hits=()) -> list:
        """A whole-post category the rules missed: a finding with no span (start == end == 0,
        text ""), when the layer's whole-post score reaches `add` and none of the rule's `unless`
        patterns (a disclaimer, a consent statement) matches the post, the profile or an alt
        text. missing_disclaimer: what is missing is not in the text. unconsented_image: only
        for a post with an attachment, none of whose alt texts a rule already flagged; the finding
        names the first attachment."""
        out = []
        have = {f.category for f in findings} | {h.rule.category for h in alt_hits}
        analysis = prepared.analysis
        for category in self.model.post_categories:
            rule = self.model_rules.get(category)
            if rule is None or category in have:
                continue
            attachment = None
            if category == "unconsented_image":
                if not prepared.post.attachments:
                    continue
                attachment = 0
            p, t = post_scores.get(category, 0.0), self.model.thresholds[category]["add"]
            if p < t:
                continue
            texts = [analysis.text, analysis.profile or ""] + [a.text for _i, a, _raw in prepared.alts]
            unless = [compiled(x) for x in rule.options.get("unless", ())]
            if any(u.search(x) for u in unless for x in texts if x):
                continue
            clauses = self.pack.clauses_for(rule.id, category, account)
            if not clauses:
                continue
            reads_as = rule.options.get("reads_as") or category.replace("_", " ")
            out.append(Finding(        # no span: judged on the whole post (as attachment findings)
                category=category, start=0, end=0, text="", severity=self._severity(rule), confidence=round(p, 3),
                message=rule.message, detector="model", rule=rule.id, clauses=clauses,
                why=f"context model {self.model.name}: the post reads as {reads_as}, {p:.2f} (adds at {t:.2f})",
                attachment=attachment, fix=rule.fix))
        return out

    def _tagger_findings(self, have, scores, norm, account) -> list:
        """Spans the tagger alone is sure of (a word at or above `alone`), where no offensive or
        discriminatory finding stands."""
        tagger, alone = self.model.tagger, self.model.meta["tagger"]["alone"]
        floor = self.model.meta["tagger"].get("floor", 0.0)
        rule = self.model_rules.get("offensive_language")
        if rule is None:
            return []
        taken = sorted((f.start, f.end) for f in have if f.category in ("offensive_language", "discriminatory_language"))
        starts = [a for a, _b in taken]
        reach = list(itertools.accumulate((b for _a, b in taken), max))   # the furthest end so far

        def overlaps_taken(a, b):                         # any taken (x, y) with x < b and a < y, in log time
            i = bisect.bisect_left(starts, b)
            return i > 0 and reach[i - 1] > a

        out = []
        for s in scores:
            if not s.words or max(p for _a, _b, p in s.words) < alone or s.scores["offensive_language"] < floor:
                continue
            if _quotes(norm.text[s.start:s.end]) and self._counter_speech(rule, norm.text):
                continue                                      # abuse quoted to condemn it
            for a, b, p in spans_of(s.words, tagger.span, norm.text):
                if p < alone:
                    continue
                f = self._model_finding(rule, "offensive_language", norm, account, a, b, p,
                                        f"span tagger of {self.model.name}: {p:.2f} (adds at {alone:.2f})", "")
                if f and not overlaps_taken(f.start, f.end):
                    out.append(f)
        return out

    def _model_finding(self, rule, category, norm, account, start, end, p, why, characteristic):
        clauses = self.pack.clauses_for(rule.id, category, account)
        if not clauses:
            return None
        start, end = _original_span(norm, start, end)
        if end <= start:
            return None
        return Finding(
            category=category, start=start, end=end, text=norm.original[start:end],
            severity=self._severity(rule), confidence=round(p, 3), message=rule.message,
            detector="model", rule=rule.id, clauses=clauses, why=why,
            characteristic=(characteristic or rule.characteristic) if category == "discriminatory_language" else None,
            fix=rule.fix, label=rule.label or None)

    def _severity(self, rule) -> str:
        if self.severity_overrides:
            override = override_for(self.severity_overrides, rule.id)
            if override is not None:
                return override
        return self.pack.severity.get(rule.category, rule.severity)

    def _text_finding(self, hit, norm, account) -> Optional[Finding]:
        rule = hit.rule
        clauses = self.pack.clauses_for(rule.id, rule.category, account)
        if not clauses:
            return None                                   # no clause, no finding
        start, end = _original_span(norm, hit.start, hit.end)
        original = norm.original
        if end <= start:
            return None
        return Finding(category=rule.category, start=start, end=end, text=original[start:end],
                       severity=self._severity(rule), confidence=round(hit.score, 3), message=rule.message,
                       detector=rule.kind, rule=rule.id, clauses=clauses, why=hit.why,
                       characteristic=hit.characteristic, fix=rule.fix, label=rule.label or None)

    def _attachment_findings(self, prepared, alt_hits, account) -> list:
        """Zero-width findings at the start of the post (start == end == 0, text "") naming the
        attachment; one per rule and attachment."""
        out, seen = [], set()
        alts = {i: (analysis, raw) for i, analysis, raw in prepared.alts}
        for hit in alt_hits:
            rule = hit.rule
            clauses = self.pack.clauses_for(rule.id, rule.category, account)
            if not clauses or (hit.attachment, rule.id) in seen:
                continue
            seen.add((hit.attachment, rule.id))
            analysis, raw = alts[hit.attachment]
            s, e = analysis.norm.to_original(hit.start, hit.end)
            kind = prepared.post.attachments[hit.attachment].type
            out.append(Finding(
                category=rule.category, start=0, end=0, text="", severity=self._severity(rule),
                confidence=round(hit.score, 3), message=rule.message, detector=rule.kind, rule=rule.id,
                clauses=clauses, why=f"{kind} {hit.attachment + 1} alt text: '{raw[s:e]}'; {hit.why}",
                attachment=hit.attachment, fix=rule.fix))
        return out


_QUOTE_MARKS = "\"“”‘’'«»„"


def _quotes(sentence: str) -> bool:
    """Does the sentence quote someone: a pair of quotation marks (an apostrophe inside a word,
    as in "don't", does not count)?"""
    marks = [i for i, ch in enumerate(sentence) if ch in _QUOTE_MARKS
             and not (ch in "'’" and 0 < i < len(sentence) - 1 and sentence[i - 1].isalnum() and sentence[i + 1].isalnum())]
    return len(marks) >= 2


def _suppressed(f, by, reason=None) -> Suppressed:
    return Suppressed(rule=f.rule, category=f.category, start=f.start, end=f.end, by=by, reason=reason,
                      attachment=f.attachment)


def _original_span(norm, start, end):
    """A normalised span mapped back to the text as given, without the spaces it may carry."""
    start, end = norm.to_original(start, end)
    while start < end and norm.original[start].isspace():
        start += 1
    while end > start and norm.original[end - 1].isspace():
        end -= 1
    return start, end


def merge_overlaps(findings) -> list:
    """Text order; of overlapping findings of one category keep the most confident, longest,
    and give it the clauses of those it absorbs (a pack may send two rules of one category to
    different clauses: b3 cites 3.4.9 for sexual remarks, 3.4.5 for other offensive words)."""
    findings = sorted(findings, key=lambda f: (f.start, -(f.end - f.start), f.category))
    kept = []
    open_by_cat = {}                     # category -> index in kept of the last kept finding
    for f in findings:
        i = open_by_cat.get(f.category)
        clash = kept[i] if i is not None and kept[i].end > f.start and kept[i].start < f.end else None
        if clash is None:
            open_by_cat[f.category] = len(kept)
            kept.append(f)
            continue
        winner, loser = (f, clash) if (f.confidence, f.end - f.start) > (clash.confidence, clash.end - clash.start) \
            else (clash, f)
        extra = tuple(c for c in loser.clauses if c not in winner.clauses)
        kept[i] = _with_clauses(winner, winner.clauses + extra) if extra else winner
    kept.sort(key=lambda f: (f.start, f.end, f.category))
    return kept


def _with_clauses(finding, clauses):
    return replace(finding, clauses=clauses)
