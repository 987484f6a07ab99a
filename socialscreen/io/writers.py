"""Output formats. Each writer takes result dicts in order, with the record each came from when
it says `wants_post` (`write(rec, post=record)`); `close()` finishes the output.

A result dict is `Result.to_dict()` plus `id`, or `{"id", "error", "code", "findings": []}`
for a record that could not be screened. The record is a Post or a RecordError (each with the
`row` it came from), or, with --redact, the post as shown (socialscreen/redaction.py: its `text`
and `row` masked, and `span_of(finding)` where each span now stands in the text).
"""
from __future__ import annotations

import csv
import json
import re
import textwrap

from .html_report import HtmlReport
from .input_rows import cell_text
from .result_columns import ColumnPlan
from .xlsx_output import XlsxWriter

SEVERITY_MARK = {"high": "BLOCK", "medium": "REVIEW", "low": "ADVICE"}

# C0 and C1 controls, DEL, and the bidi controls that reorder what a terminal shows (ESC starts
# the sequences that clear a screen, recolour text or, with OSC 52, write to the clipboard)
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                              "\u2028\u2029\ud800-\udfff]")
# a cell a spreadsheet would read as a formula (OWASP, CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SURROGATES = re.compile("[\ud800-\udfff]")


def inert(value) -> str:
    """Text safe to print to a terminal: every control and bidi character shown as an escape
    ("\\x1b", "\\u202e"), never sent as itself."""
    s = "" if value is None else str(value)
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100
                                else f"\\u{ord(m.group(0)):04x}", s)


def spreadsheet_safe(value):
    """A CSV cell a spreadsheet will not run: a text cell that begins with = + - @, a tab or a
    carriage return gets a leading apostrophe (OWASP's advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _encodable(line: str) -> str:
    """A lone surrogate cannot be written as UTF-8: it becomes U+FFFD."""
    return _SURROGATES.sub("\ufffd", line) if _SURROGATES.search(line) else line


class JsonlWriter:
    def __init__(self, out):
        self.out = out

    def write(self, rec):
        self.out.write(_encodable(json.dumps(rec, ensure_ascii=False)) + "\n")
        self.out.flush()

    def close(self):
        pass


class JsonWriter:
    """One JSON array, written as the records come (the same text json.dumps(list, indent=2)
    gives, without holding the list)."""

    def __init__(self, out):
        self.out, self.n = out, 0

    def write(self, rec):
        item = json.dumps(rec, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        self.out.write(("[\n  " if self.n == 0 else ",\n  ") + _encodable(item))
        self.n += 1

    def close(self):
        self.out.write("\n]\n" if self.n else "[]\n")


class CsvWriter:
    """One row per input record, in input order: the id, every input column (ColumnPlan), the
    result columns (result_columns.py); cells a spreadsheet would run as formulas neutralised."""

    wants_post = True

    def __init__(self, out, plan: ColumnPlan = None):
        self.out = out
        self.plan = plan if plan is not None else ColumnPlan([])
        self.w = csv.writer(out)
        self.w.writerow([self._cell(h) for h in self.plan.header])

    def write(self, rec, post=None):
        self.w.writerow([self._cell(v) for v in self.plan.row(post, rec)])

    @staticmethod
    def _cell(value):
        if value is None:
            return ""
        if not isinstance(value, str):
            value = cell_text(value)
        return spreadsheet_safe(_encodable(value))

    def close(self):
        self.out.flush()


class TextWriter:
    """A report a comms officer can read in a terminal: each finding with its span shown in its
    sentence (underlined in colour, marked with ^ without), the message, the clauses and what to
    do. Colour only when writing to a terminal and NO_COLOR is not set; `only_flagged` leaves out
    posts that pass. Everything from a post is printed inert (no control or bidi characters)."""

    wants_post = True
    COLOURS = {"block": "\x1b[1;31m", "review": "\x1b[1;33m", "pass": "\x1b[32m", "error": "\x1b[1;35m"}
    RESET, UNDERLINE = "\x1b[0m", "\x1b[4m"

    def __init__(self, out, *, color=None, only_flagged=False):
        import os
        self.out = out
        if color is None:
            color = bool(getattr(out, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR")
        self.color, self.only_flagged = color, only_flagged
        self.counts = {"pass": 0, "review": 0, "block": 0, "error": 0}

    def _paint(self, key, text):
        return f"{self.COLOURS[key]}{text}{self.RESET}" if self.color else text

    def write(self, rec, post=None):
        w = self.out.write
        rid = _encodable(inert(rec["id"]))
        if rec.get("error"):
            self.counts["error"] += 1
            w(f"[{rid}] {self._paint('error', 'ERROR')}: {_encodable(inert(rec['error']))}\n\n")
            return
        verdict = rec["verdict"]
        self.counts[verdict] += 1
        if self.only_flagged and verdict == "pass":
            return
        n = len(rec["findings"])
        sup = rec.get("suppressed") or ()
        w(f"[{rid}] {self._paint(verdict, verdict.upper())}"
          + (f": {n} finding{'s' if n != 1 else ''}" if n else ": nothing found")
          + (f" ({len(sup)} suppressed: " + ", ".join(f"{k} by {by}" for by, k in _counts(s["by"] for s in sup))
             + ")" if sup else "")
          + "\n")
        text = getattr(post, "text", None)
        span_of = getattr(post, "span_of", None) or (lambda f: (f["start"], f["end"]))
        for f in rec["findings"]:
            w(f"  {SEVERITY_MARK.get(f['severity'], f['severity']):6} {f['category']} "
              f"at {f['start']}-{f['end']}: \"{_encodable(inert(_clip(f['text'])))}\"\n")
            if text is not None and f["end"] > f["start"]:
                w(self._in_context(text, *span_of(f)))
            w(textwrap.fill(f["message"], width=88, initial_indent="         ", subsequent_indent="         ") + "\n")
            for c in f["clauses"]:
                w(f"         breaches {c['policy']} {c['id']} ({c['title']}): \"{c['quote']}\"\n")
            if f.get("fix"):             # an identifier's fix quotes the post (redacted): printed inert
                w(textwrap.fill("what to do: " + _encodable(inert(f["fix"])), width=88, initial_indent="         ",
                                subsequent_indent="         ") + "\n")
        w("\n")
        self.out.flush()

    def _in_context(self, text, start, end, room=50) -> str:
        """The span inside up to `room` characters of its line either side, underlined."""
        s = max(text.rfind("\n", 0, start) + 1, start - room)
        e = text.find("\n", end)
        e = min(len(text) if e < 0 else e, end + room)
        before, span, after = (_encodable(inert(x)) for x in (text[s:start], text[start:end], text[end:e]))
        lead = "         " + ("\u2026" if s > 0 and text[s - 1] != "\n" else "")
        tail = "\u2026" if e < len(text) and text[e] != "\n" else ""
        if self.color:
            return f"{lead}{before}{self.UNDERLINE}{span}{self.RESET}{after}{tail}\n"
        return f"{lead}{before}{span}{after}{tail}\n" + " " * (len(lead) + len(before)) + "^" * max(1, len(span)) + "\n"

    def close(self):
        c = self.counts
        total = sum(c.values())
        self.out.write(f"{total} post{'s' if total != 1 else ''} screened: {c['block']} block, {c['review']} review, "
                       f"{c['pass']} pass" + (f", {c['error']} could not be screened" if c["error"] else "") + "\n")


class HtmlWriter(HtmlReport):
    """The HTML report (socialscreen/io/html_report.py)."""


def _counts(items) -> list:
    """(item, count) in order of first appearance."""
    out = {}
    for x in items:
        out[x] = out.get(x, 0) + 1
    return list(out.items())


def _clip(s, n=70):
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


WRITERS = {"text": TextWriter, "json": JsonWriter, "jsonl": JsonlWriter, "csv": CsvWriter, "html": HtmlWriter,
           "xlsx": XlsxWriter}
BINARY_FORMATS = ("xlsx",)            # written to a file (-o), or to standard output when it is not a terminal
