"""Identifiers masked: the spans of service_user_identifier and pii findings (and of any rule with
`redact_as`, such as a password) replaced by a label from the rule ("[NHS number]", "[name]"),
or by "█████" when the rule names none.

Two users: the engine, whose fix for an identifier finding quotes the post with every identifier
masked (`{redacted_post}` in a rule's fix), and `--redact`, which masks identifiers in every output
(a finding's text and why, the post as the text and HTML reports and the CSV and XLSX outputs show
it) while the JSON keeps the offsets into the post as given.

A span's text is masked wherever else it stands in the post too (the name flagged once and
repeated later), so a redacted report never shows an identifier the screen found.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import replace
from typing import Optional

MASK = "\u2588" * 5                     # █████
NOT_SCREENED = "[not screened: left out of a redacted report]"
MAX_IN_FIX = 3000                       # characters of the redacted post a fix quotes (a long post is cut)


def redacts(rule) -> bool:
    """Are this rule's spans identifiers (masked by --redact and in {redacted_post})?"""
    return bool(getattr(rule, "redact_as", "")) or rule.category == "service_user_identifier" or rule.family == "pii"


def labels(rules) -> dict:
    """rule id -> what stands in for its span."""
    return {r.id: (r.redact_as or MASK) for r in rules if redacts(r)}


def _get(f, key):
    return f.get(key) if isinstance(f, dict) else getattr(f, key, None)


def spans(text: Optional[str], findings, by_rule: dict) -> list:
    """[(start, end, label)] to mask, in order, not overlapping: each identifier finding's span,
    and every other place its words stand in `text` (when the text is given); overlapping
    spans are joined under the first one's label."""
    raw = []
    for f in findings:
        label = by_rule.get(_get(f, "rule"))
        start, end = _get(f, "start"), _get(f, "end")
        if label is None or end <= start or _get(f, "attachment") is not None:
            continue
        raw.append((start, end, label))
    if text is not None:
        for s, e, label in list(raw):
            for words in variants(text[s:e], label):
                pattern = re.compile(r"(?<!\w)" + re.escape(words) + r"(?!\w)", re.IGNORECASE)
                raw += [(m.start(), m.end(), label) for m in pattern.finditer(text) if not s <= m.start() < e]
    raw.sort()
    out = []
    for s, e, label in raw:
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e), out[-1][2])
        else:
            out.append((s, e, label))
    return out


_TITLE = re.compile(r"^(?:mr|mrs|ms|miss|mx|dr|prof|nurse|sister|matron|auntie|aunty|uncle|nan|nana|grandad|"
                    r"grandma|granny|lady|sir)\.?\s+", re.IGNORECASE)
NAME_LABEL = "[name]"


def variants(words: str, label: str) -> list:
    """The forms of a masked span that are masked wherever else they stand: the span itself, the
    span without a title ("Hilda Barnes" for "Mrs Hilda Barnes"), and for a name each of its
    words ("Hilda", "Barnes")."""
    words = " ".join(words.split())
    out = [words] if len(words) >= 3 else []
    bare = _TITLE.sub("", words)
    if bare != words and len(bare) >= 3:
        out.append(bare)
    if label == NAME_LABEL:
        out += [w for w in re.findall(r"[^\W\d_][\w'\-]+", bare) if len(w) >= 3 and w[0].isupper()
                and not _TITLE.match(w + " ")]
    return list(dict.fromkeys(out))


def mask(text: str, masked: list, offset: int = 0) -> str:
    """`text` (which starts at `offset` of the post) with every part inside a masked span replaced
    by that span's label."""
    out, pos = [], 0
    end_of_text = offset + len(text)
    for s, e, label in masked:
        if e <= offset or s >= end_of_text:
            continue
        a, b = max(s, offset) - offset, min(e, end_of_text) - offset
        out.append(text[pos:a])
        out.append(label)
        pos = b
    out.append(text[pos:])
    return "".join(out)


def redacted_post(text: str, findings, by_rule: dict, limit: Optional[int] = MAX_IN_FIX) -> str:
    """The post with every identifier masked (cut at `limit` characters, with an ellipsis)."""
    out = mask(text, spans(text, findings, by_rule))
    if limit is not None and len(out) > limit:
        out = out[: limit - 1] + "\u2026"
    return out


def fill_fixes(findings, text: str, by_rule: dict, disclaimer: str) -> list:
    """Findings whose fix holds {redacted_post} or {disclaimer}, with them filled in."""
    if not any("{" in f.fix for f in findings):
        return list(findings)
    redacted = None
    out = []
    for f in findings:
        fix = f.fix
        if "{redacted_post}" in fix:
            if redacted is None:
                redacted = redacted_post(text, findings, by_rule)
            fix = fix.replace("{redacted_post}", redacted)
        if "{disclaimer}" in fix:
            fix = fix.replace("{disclaimer}", disclaimer)
        out.append(f if fix == f.fix else replace(f, fix=fix))
    return out


class RedactedPost:
    """A post as a redacted report shows it: `text` with the identifiers masked, `row` with its
    text cell masked the same way, and `span_of(finding)` where a finding's span now stands in
    `text`. Everything else is the post's own."""

    def __init__(self, post, masked: list):
        self._post = post
        self.text = mask(post.text, masked)
        self.row = post.row.with_text(self.text) if getattr(post, "row", None) is not None else None
        self._starts, self._spans = [], []      # each masked span: (start, end) before, (start, end) after
        shift = 0
        for s, e, label in masked:
            self._starts.append(s)
            self._spans.append((s, e, s + shift, s + shift + len(label)))
            shift += len(label) - (e - s)

    def __getattr__(self, name):
        return getattr(self._post, name)

    def _map(self, pos: int, is_end: bool) -> int:
        i = bisect.bisect_right(self._starts, pos - 1 if is_end else pos) - 1
        if i < 0:
            return pos
        s, e, ns, ne = self._spans[i]
        if pos < e:                           # inside the masked span: the label's start, or its end
            return ne if is_end else ns
        return ne + (pos - e)

    def span_of(self, finding) -> tuple:
        """(start, end) of the finding's span in the masked text."""
        return self._map(finding["start"], False), self._map(finding["end"], True)


class Redactor:
    """What --redact does to each (record, result) pair before it is written."""

    def __init__(self, by_rule: dict):
        self.by_rule = dict(by_rule)

    def apply(self, record, rec: dict):
        """(the record as shown, the result dict as written), identifiers masked."""
        if rec.get("error"):
            # a record nobody screened may hold anything: its post is left out of a redacted report
            row = getattr(record, "row", None)
            shown = record
            if row is not None and row.cells is not None:
                shown = _Shown(record, row.with_text(NOT_SCREENED))
            return shown, rec
        text = getattr(record, "text", None)
        masked = spans(text, rec.get("findings", ()), self.by_rule)
        if not masked:
            return record, rec
        words = sorted({v for f in rec["findings"] if f.get("rule") in self.by_rule
                        for v in variants(f.get("text", ""), self.by_rule[f["rule"]])}, key=len, reverse=True)
        findings = []
        for f in rec["findings"]:
            f = dict(f)
            if f.get("end", 0) > f.get("start", 0):
                f["text"] = mask(f["text"], masked, f["start"])
            if f.get("why") and words:
                f["why"] = _mask_words(f["why"], words)
            findings.append(f)
        out = dict(rec, findings=findings)
        return (RedactedPost(record, masked) if text is not None else record), out


class _Shown:
    """A record shown with another row (an error record's, its post left out)."""

    def __init__(self, record, row):
        self._record, self.row = record, row

    def __getattr__(self, name):
        return getattr(self._record, name)


def _mask_words(s: str, words) -> str:
    for w in words:
        s = re.sub(r"(?<!\w)" + re.escape(w) + r"(?!\w)", MASK, s, flags=re.IGNORECASE)
    return s
