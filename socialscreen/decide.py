"""The one place hits become findings.

For each hit: the pack's clauses for its rule in this account context ("no clause, no
finding"), its span mapped back to the text as given and trimmed, severity from the pack or the
rule. Then overlapping findings of one category are merged without losing a clause: the most
confident, longest one stands, and carries every clause the merged ones cited. A finding from
an attachment's alt text adds nothing where the post's own words already show that category.
The verdict follows from the severities.

The learned context layer joins here: its scores confirm, veto or add findings per category.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from .packs import DEFAULT_DISCLAIMER
from .redaction import fill_fixes
from .values import Finding, Result, verdict_for



class Decider:
    """model: the ContextModel or None; model_rules: category -> the `model` rule standing for
    the layer in that category (only categories the pack and the selection leave on)."""

    def __init__(self, pack, notes=(), model=None, model_rules=None, vetoable=(), redact=None):
        """redact: rule id -> the label its spans are masked with (redaction.labels), for the
        fixes that quote the post with its identifiers masked."""
        self.pack = pack
        self.redact = dict(redact or {})
        self.disclaimer = getattr(pack, "disclaimer", "") or DEFAULT_DISCLAIMER
        self.vetoable = {rid: True for rid in vetoable}   # rules that say `vetoable: true`
        self.notes = tuple(notes)
        self.model = model
        self.model_rules = dict(model_rules or {})

    def decide(self, prepared, text_hits, alt_hits, scores=None) -> Result:
        """prepared: the Prepared post; text_hits: hits on the post text; alt_hits: hits on
        attachments' alt texts (each with `attachment` set); scores: the context layer's
        SentenceScores for the post text (None: rules alone)."""
        post = prepared.post
        account = post.account
        findings = [f for f in (self._text_finding(h, prepared.norm, account) for h in text_hits) if f]
        if scores and self.model is not None:
            findings = self._with_context(findings, scores, prepared.norm, account)
        in_text = {f.category for f in findings}
        findings += [f for f in self._attachment_findings(prepared, alt_hits, account) if f.category not in in_text]
        findings = fill_fixes(merge_overlaps(findings), post.text, self.redact, self.disclaimer)
        return Result(policy=self.pack.id, account=account, verdict=verdict_for(findings),
                      findings=tuple(findings), id=post.id, notes=self.notes)

    def _with_context(self, findings, scores, norm, account) -> list:
        """Per category the layer covers: veto the rules' soft hits when the layer scores the
        whole post very low; add the sentences it scores high when the rules found nothing."""
        out = [f for f in findings if f.category not in self.model_rules]
        for category, rule in self.model_rules.items():
            t = self.model.thresholds[category]
            have = [f for f in findings if f.category == category]
            best = max(s.scores[category] for s in scores)
            if have:
                if best < t["veto"] and all(self.vetoable.get(f.rule) for f in have):
                    continue                                  # vetoed: the layer reads it as clean
                out += [replace(f, why=f"{f.why}; context model {self.model.name} {best:.2f}") for f in have]
                continue
            clauses = self.pack.clauses_for(rule.id, category, account)
            if not clauses:
                continue
            for s in scores:
                p = s.scores[category]
                if p < t["add"]:
                    continue
                start, end = _original_span(norm, s.start, s.end)
                if end <= start:
                    continue
                out.append(Finding(
                    category=category, start=start, end=end, text=norm.original[start:end],
                    severity=self._severity(rule), confidence=round(p, 3), message=rule.message,
                    detector="model", rule=rule.id, clauses=clauses,
                    why=f"context model {self.model.name}: {p:.2f} (adds at {t['add']:.2f})",
                    characteristic=(s.characteristic or rule.characteristic)
                    if category == "discriminatory_language" else None, fix=rule.fix))
        return out

    def _severity(self, rule) -> str:
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
                       characteristic=hit.characteristic, fix=rule.fix)

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
