"""The columns a screened record adds to a table, and the rows of the CSV and XLSX outputs.

A row of `--format csv` / `--format xlsx` is the record's id (left out when every input table
has an id column of its own, which then says it), then every column of its input row (the union
of the inputs' columns, in the order they first appear), then the result:

    verdict     block, review or pass; "error" for a record that could not be screened
    categories  each category found, in text order: "service_user_identifier; missing_disclaimer"
    spans       one line per finding, numbered: '[1] 0-16 "Mrs Hilda Barnes" (service_user_identifier)'
    clauses     each clause cited, quoted, with the findings that cite it: '[1, 2] walton-centre 5.1/...'
    messages    what is wrong, in plain words, with the findings it is about
    fixes       what to do, with the findings it is about
    error_code  why a record could not be screened (values.ERROR_CODES), else empty
    error       what to do about it, else empty

`--write-back` adds the same result columns (without the id) to a copy of the input.
"""
from __future__ import annotations

import json

from .input_rows import Table

ID_COLUMN = "id"
RESULT_COLUMNS = ("verdict", "categories", "spans", "clauses", "messages", "fixes", "error_code", "error")
OTHER_COLUMN = "other fields"          # input fields no planned column holds (standard input only), as JSON
INPUT_SUFFIX = " (input)"              # an input column named like one of ours is shown with this


def result_cells(rec: dict) -> dict:
    """The result columns of one record, as text."""
    if rec.get("error"):
        return {**{c: "" for c in RESULT_COLUMNS}, "verdict": "error", "error_code": rec.get("code") or "unreadable",
                "error": rec["error"]}
    findings = rec.get("findings") or []
    return {
        "verdict": rec.get("verdict") or "",
        "categories": "; ".join(dict.fromkeys(f["category"] for f in findings)),
        "spans": "\n".join(f"[{n}] {_where(f)}" for n, f in enumerate(findings, 1)),
        "clauses": _grouped((f"{c['policy']} {c['id']} ({c['title']}): \u201c{c['quote']}\u201d" for c in f["clauses"])
                            for f in findings),
        "messages": _grouped([f["message"]] for f in findings),
        "fixes": _grouped([f["fix"]] if f.get("fix") else [] for f in findings),
        "error_code": "",
        "error": "",
    }


def _where(f: dict) -> str:
    if f.get("attachment") is not None:
        return f"attachment {f['attachment'] + 1} ({f['category']})"
    return f"{f['start']}-{f['end']} \u201c{' '.join(str(f['text']).split())}\u201d ({f['category']})"


def _grouped(per_finding) -> str:
    """One line per distinct text, prefixed with the numbers of the findings it belongs to."""
    seen = {}
    for n, texts in enumerate(per_finding, 1):
        for t in texts:
            seen.setdefault(t, []).append(n)
    return "\n".join(f"[{', '.join(map(str, ns))}] {t}" for t, ns in seen.items())


class ColumnPlan:
    """The header of a CSV or XLSX output, planned from the inputs' tables before the first row:
    `id`, every input column, (`other fields`,) the result columns."""

    def __init__(self, tables, other: bool = False):
        tables = list(tables)
        names = []
        for t in tables:
            for h in t.header:
                if t.kind in ("jsonl", "json") and h == ID_COLUMN:
                    continue                    # a JSON record's own id is the id column
                if h not in names:
                    names.append(h)
        self.other = other
        # the record's id as its own column, unless every table has an id column that says it
        self.with_id = not tables or other or any(t.id_at is None for t in tables)
        ours = set(RESULT_COLUMNS) | ({ID_COLUMN} if self.with_id else set()) | ({OTHER_COLUMN} if other else set())
        self.rename = {h: h + INPUT_SUFFIX for h in names if h in ours}
        self.inputs = [self.rename.get(h, h) for h in names]
        self.header = ([ID_COLUMN] if self.with_id else []) + self.inputs + ([OTHER_COLUMN] if other else []) \
            + list(RESULT_COLUMNS)
        self._at = {h: i for i, h in enumerate(self.inputs)}
        self.text_columns = set()              # the columns that hold posts (widened in a workbook)
        for t in tables:
            if t.text_at is not None and t.text_at < len(t.header):
                self.text_columns.add(self.rename.get(t.header[t.text_at], t.header[t.text_at]))
            elif t.kind in ("jsonl", "json", "text"):
                self.text_columns.add("text")

    def row(self, record, rec: dict) -> list:
        """The values of one output row (input values as the reader got them; results as text)."""
        values = [None] * len(self.inputs)
        extra = {}
        row = getattr(record, "row", None)
        if row is not None:
            json_table = row.table.kind in ("jsonl", "json")
            for name, value in row.items():
                if json_table and name == ID_COLUMN:
                    continue
                key = self.rename.get(name, name)
                at = self._at.get(key)
                if at is None:
                    extra[name] = value
                elif values[at] is None:
                    values[at] = value
        res = result_cells(rec)
        out = ([rec.get("id")] if self.with_id else []) + values
        if self.other:
            out.append(json.dumps(extra, ensure_ascii=False, default=str) if extra else None)
        return out + [res[c] for c in RESULT_COLUMNS]


def stdin_table(stdin_format: str) -> Table:
    """What standard input's columns are planned as (it cannot be read twice)."""
    if stdin_format == "text":
        return Table("text", "<stdin>", header=["text"], text_at=0)
    return Table(stdin_format, "<stdin>", header=["id", "text"])
