"""Where a record came from: its table (a CSV file, one sheet of a workbook, a JSON Lines file or a
text file) and its row there, with every cell of the row. Readers attach one to each record
(`Post.row`, `RecordError.row`) so that the CSV and XLSX outputs can carry every input column and
`--write-back` can put each result beside its own row.

Neither class shows a value when printed (repr gives the shape, never a cell), so a record or a
row that reaches a log, a traceback or an error message does not carry the post with it.
"""
from __future__ import annotations

import datetime
import json
from typing import Optional

TEXT_KEY = "text"


class Table:
    """The rows of one CSV file, one sheet of a workbook, or one JSON Lines file or stream.

    kind:        "csv", "xlsx", "jsonl", "json" or "text"
    source:      the input's name as the user gave it (a file name, or "<stdin>")
    path:        the file, when it is one (None for standard input)
    sheet:       the sheet's title (workbooks only)
    header:      the column names, in order, made unique ("Notes", "Notes (2)"); for JSON the keys
                 seen so far, in order of first appearance
    raw_header:  the header row's cells as they are in the file (for a copy of it)
    header_row:  the header's 1-based row in the file or sheet (CSV and workbooks)
    text_at:     the index of the text column in a row's cells (CSV and workbooks)
    id_at:       the index of the id column, when the table has one (CSV and workbooks)
    preamble:    the rows above the header (the title rows of a content plan), CSV only
    encoding:    the CSV's encoding when it is not UTF-8 ("Windows-1252", "UTF-16"), else None
    bom:         the CSV began with a UTF-8 byte order mark
    """

    __slots__ = ("kind", "source", "path", "sheet", "header", "raw_header", "header_row", "text_at", "id_at",
                 "preamble", "encoding", "bom")

    def __init__(self, kind, source, path=None, sheet=None, header=None, header_row=None, text_at=None,
                 id_at=None, preamble=(), encoding=None, bom=False):
        self.kind, self.source, self.path, self.sheet = kind, source, path, sheet
        self.header = unique_names(header) if header is not None else []
        self.raw_header = list(header) if header is not None else []
        self.header_row, self.text_at, self.id_at = header_row, text_at, id_at
        self.preamble, self.encoding, self.bom = list(preamble), encoding, bom

    def __repr__(self) -> str:
        where = f"sheet of {self.source!r}" if self.sheet is not None else repr(self.source)
        return f"<Table {self.kind} {where}: {len(self.header)} columns>"

    def __getstate__(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state):
        for k, v in state.items():
            setattr(self, k, v)

    @property
    def name(self) -> str:
        """The table as a person names it: the file, or the file and the sheet."""
        return f"{self.source} ({self.sheet})" if self.sheet is not None else self.source

    def see(self, keys) -> None:
        """JSON tables: add the keys not seen before to the header."""
        for k in keys:
            if k not in self.header:
                self.header.append(k)


class InputRow:
    """One row of a table: its 1-based row (or line) number and its cells.

    cells: a list (CSV, workbooks: the values in column order, as the reader got them), a dict
    (JSON: the record's own fields), or None when the row could not be parsed.
    """

    __slots__ = ("table", "number", "cells")

    def __init__(self, table: Table, number: Optional[int], cells=None):
        self.table, self.number, self.cells = table, number, cells

    def __repr__(self) -> str:
        n = len(self.cells) if self.cells is not None else 0
        return f"<InputRow {self.number} of {self.table!r}: {n} cells>"

    def __getstate__(self):
        return (self.table, self.number, self.cells)

    def __setstate__(self, state):
        self.table, self.number, self.cells = state

    def items(self) -> list:
        """(column name, value) for every cell, in order; cells beyond the header are named
        'column N'; a parsed JSON value that is not a string stays as it is."""
        if self.cells is None:
            return []
        if isinstance(self.cells, dict):
            return list(self.cells.items())
        header = self.table.header
        return [(header[i] if i < len(header) else f"column {i + 1}", v) for i, v in enumerate(self.cells)]

    def with_text(self, text: str) -> "InputRow":
        """A copy whose post cell holds `text` instead (the redacted post)."""
        if self.cells is None:
            return self
        if isinstance(self.cells, dict):
            cells = dict(self.cells)
            if isinstance(cells.get(TEXT_KEY), str):
                cells[TEXT_KEY] = text
            return InputRow(self.table, self.number, cells)
        at = self.table.text_at
        cells = list(self.cells)
        if at is not None and at < len(cells):
            cells[at] = text
        return InputRow(self.table, self.number, cells)


def unique_names(names) -> list:
    """Column names as given, empty ones named 'column N', repeats numbered: 'Notes', 'Notes (2)'."""
    out, seen = [], set()
    for i, name in enumerate(names):
        name = "" if name is None else str(name).strip()
        name = name or f"column {i + 1}"
        base, k = name, 2
        while name.casefold() in seen:
            name, k = f"{base} ({k})", k + 1
        seen.add(name.casefold())
        out.append(name)
    return out


def cell_text(value) -> str:
    """A cell as text in a CSV: numbers as they read, a date without a midnight time, a JSON value
    (a list of attachments, say) as JSON, nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
