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
import itertools
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
    if text is not None and raw:
        raw += Forms.of(text, raw).find(text)          # one pass over the post, however many spans
    raw.sort()
    return _merged(raw)


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


class Forms:
    """Every form of the masked spans (`variants`), found wherever it stands in a text as a whole
    word, without regard to case, in one pass (Aho-Corasick): linear in the text however many."""

    def __init__(self, forms: dict):
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        for form, label in forms.items():
            key = _lower(form)
            if key not in self.automaton:
                self.automaton.add_word(key, (len(key), label))
        self.empty = len(self.automaton) == 0
        if not self.empty:
            self.automaton.make_automaton()

    @classmethod
    def of(cls, text: str, masked) -> "Forms":
        forms = {}
        for s, e, label in masked:
            for form in variants(text[s:e], label):
                forms.setdefault(form, label)
        return cls(forms)

    def find(self, text: str) -> list:
        """[(start, end, label)] of every form in `text`, as a whole word."""
        if self.empty or not text:
            return []
        low = _lower(text)
        out = []
        for last, (n, label) in self.automaton.iter(low):
            s, e = last - n + 1, last + 1
            if (s > 0 and _in_word(text[s - 1])) or (e < len(text) and _in_word(text[e])):
                continue
            out.append((s, e, label))
        return out

    def mask(self, text: str, label: str = MASK) -> str:
        """`text` with every form in it replaced by `label`."""
        found = self.find(text)
        return mask(text, _merged(sorted((s, e, label) for s, e, _ in found))) if found else text


def _lower(text: str) -> str:
    """Lower case, one character for one (a character whose lower case is longer stays as it is)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _in_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _merged(raw: list) -> list:
    out = []
    for s, e, label in raw:
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e), out[-1][2])
        else:
            out.append((s, e, label))
    return out


def mask(text: str, masked: list, offset: int = 0) -> str:
    """`text` (which starts at `offset` of the post) with every part inside a masked span replaced
    by that span's label. `masked` is in order and does not overlap (as `spans` gives it)."""
    out, pos = [], 0
    end_of_text = offset + len(text)
    i = bisect.bisect_left(masked, (offset,))
    if i > 0 and masked[i - 1][1] > offset:
        i -= 1                                   # a span that starts before the text and reaches into it
    for s, e, label in itertools.islice(masked, i, None):
        if s >= end_of_text:
            break
        if e <= offset:
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
    filled = {}                                  # each fix filled once (a post may have many findings)
    out = []
    for f in findings:
        fix = filled.get(f.fix)
        if fix is None:
            fix = f.fix
            if "{redacted_post}" in fix:
                if redacted is None:
                    redacted = redacted_post(text, findings, by_rule)
                fix = fix.replace("{redacted_post}", redacted)
            if "{disclaimer}" in fix:
                fix = fix.replace("{disclaimer}", disclaimer)
            filled[f.fix] = fix
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
        forms = Forms({v: MASK for f in rec["findings"] if f.get("rule") in self.by_rule
                       for v in variants(f.get("text", ""), self.by_rule[f["rule"]])})
        findings = []
        for f in rec["findings"]:
            f = dict(f)
            if f.get("end", 0) > f.get("start", 0):
                f["text"] = mask(f["text"], masked, f["start"])
            if f.get("why"):
                f["why"] = forms.mask(f["why"])
            findings.append(f)
        out = dict(rec, findings=findings)
        return (RedactedPost(record, masked) if text is not None else record), out


class _Shown:
    """A record shown with another row (an error record's, its post left out)."""

    def __init__(self, record, row):
        self._record, self.row = record, row

    def __getattr__(self, name):
        return getattr(self._record, name)

