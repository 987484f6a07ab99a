"""`--write-back`: a copy of each input spreadsheet with the result columns (result_columns.py:
verdict, categories, spans, clauses, messages, fixes, error_code, error) beside the columns it
had, on every sheet that held posts. The original is never written to: the copy is
`NAME.screened.xlsx` (or `.csv`) beside it, or the file given with -o.

A workbook is copied with openpyxl, so its formatting, formulas, column widths, frozen panes,
filters, validation and conditional formats are kept (openpyxl cannot keep charts and images:
that is said on standard error when the workbook has any); the result cells are styled like its
header, verdict cells coloured. The copy is saved without temporary files (openpyxl would write
each sheet to one first, putting post text on disk): each sheet is written in memory and then
into the copy, which is written next to its final name and renamed into place.

A CSV is copied a row at a time as the results come (so a large one stays flat in memory): its
title rows, its header, and each row with its cells as they were and the result cells after
them (a blank row stays blank); in UTF-8, with a BOM when the input had one or was in another
encoding, which is said.

Running it again on a copy replaces the result columns it finds rather than adding more.
"""
from __future__ import annotations

import copy
import csv
import io
import os
import zipfile
from pathlib import Path

from .input_rows import cell_text
from .result_columns import RESULT_COLUMNS, result_cells
from .writers import _encodable, spreadsheet_safe

SUFFIX = ".screened"
FILLS = {"block": "FFFFC7CE", "review": "FFFFEB9C", "pass": "FFC6EFCE", "error": "FFD9D9D9"}
WIDTHS = {"verdict": 10, "categories": 26, "spans": 40, "clauses": 60, "messages": 60, "fixes": 60,
          "error_code": 16, "error": 50}


class WriteBackError(Exception):
    """--write-back cannot be done as asked (exit status 2)."""


def copy_path(source: Path, output=None) -> Path:
    """Where the copy of `source` goes: `output`, or NAME.screened.EXT beside it; never `source`."""
    dest = Path(output) if output else source.with_name(source.stem + SUFFIX + source.suffix)
    try:
        same = dest.exists() and os.path.samefile(dest, source)
    except OSError:
        same = False
    if same or dest.resolve() == source.resolve():
        raise WriteBackError(f"{dest}: is the input itself; --write-back never overwrites the original "
                             f"(give another name with -o)")
    return dest


def check_inputs(paths, output=None) -> dict:
    """{input path: copy path} for --write-back; raises WriteBackError for inputs it cannot copy."""
    paths = list(paths)
    if not paths or "-" in paths:
        raise WriteBackError("--write-back copies input files; it cannot copy standard input")
    bad = [p for p in paths if Path(p).suffix.lower() not in (".xlsx", ".csv")]
    if bad:
        raise WriteBackError(f"--write-back copies .xlsx workbooks and .csv files; {bad[0]} is neither "
                             f"(use --format jsonl or csv for it)")
    if output and len(paths) > 1:
        raise WriteBackError("-o names the one copy --write-back writes; with several inputs leave it out "
                             "(each copy goes beside its input as NAME.screened.xlsx or .csv)")
    out = {}
    for p in paths:
        dest = copy_path(Path(p), output)
        if dest in out.values():
            raise WriteBackError(f"{dest}: two inputs would be copied to the same file")
        out[Path(p).resolve()] = dest
    return out


class WriteBack:
    """Takes each (result, record) pair as a writer does; writes the copies."""

    wants_post = True

    def __init__(self, copies: dict, notice=None):
        self.copies = copies                      # resolved input path -> copy path
        self.notice = notice or (lambda message: None)
        self.workbooks = {}                       # input path -> {sheet: {row: result cells}}
        self.tables = {}                          # input path -> {sheet: Table}
        self.csvs = {}                            # input path -> _CsvCopy
        self.written = []

    def write(self, rec, post=None):
        row = getattr(post, "row", None)
        table = getattr(row, "table", None)
        if table is None or table.path is None or row.number is None:
            return                                # a file-level error: it has no row to stand beside
        key = Path(table.path).resolve()
        if key not in self.copies:
            return
        cells = result_cells(rec)
        if table.kind == "xlsx":
            self.workbooks.setdefault(key, {}).setdefault(table.sheet, {})[row.number] = (cells, row)
            self.tables.setdefault(key, {})[table.sheet] = table
        elif table.kind == "csv":
            if key not in self.csvs:
                self.csvs[key] = _CsvCopy(table, self.copies[key], self.notice)
            self.csvs[key].write(row, cells)

    def abort(self):
        """The run stopped: no half-written copy is left behind."""
        for copy_ in self.csvs.values():
            copy_.abort()

    def close(self):
        for key, copy_ in self.csvs.items():
            copy_.close()
            self.written.append(copy_.dest)
        for key, sheets in self.workbooks.items():
            dest = self.copies[key]
            _copy_workbook(key, dest, sheets, self.notice)
            self.written.append(dest)
        for dest in self.written:
            self.notice(f"wrote {dest}")


# ---- CSV ----------------------------------------------------------------------------------

class _CsvCopy:
    def __init__(self, table, dest: Path, notice):
        self.table, self.dest = table, dest
        self.partial = dest.with_name(f".{dest.name}.partial")
        bom = table.bom or table.encoding is not None
        if table.encoding is not None:
            notice(f"{dest}: written as UTF-8 (the input was {table.encoding})")
        self.fh = open(self.partial, "w", encoding="utf-8-sig" if bom else "utf-8", newline="")
        self.w = csv.writer(self.fh)
        header = list(table.header)
        # a copy screened again: its own result columns are replaced, not added to
        self.keep = len(header) - len(RESULT_COLUMNS) if header[-len(RESULT_COLUMNS):] == list(RESULT_COLUMNS) \
            else len(header)
        for cells in table.preamble:
            self.w.writerow([_plain(c) for c in cells])
        self.w.writerow([_plain(c) for c in table.raw_header[:self.keep]] + list(RESULT_COLUMNS))
        self.next_row = table.header_row + 1

    def write(self, row, cells):
        while self.next_row < row.number:           # blank rows the reader skipped stay blank
            self.w.writerow([])
            self.next_row += 1
        inputs = list(row.cells) if row.cells is not None else []
        mine, extra = inputs[:self.keep], inputs[len(self.table.header):]
        mine += [""] * (self.keep - len(mine))
        self.w.writerow([_plain(c) for c in mine] + [spreadsheet_safe(_encodable(cells[c])) for c in RESULT_COLUMNS]
                        + [_plain(c) for c in extra])
        self.next_row = row.number + 1

    def close(self):
        self.fh.close()
        os.replace(self.partial, self.dest)

    def abort(self):
        self.fh.close()
        if self.partial.exists():
            self.partial.unlink()


def _plain(value) -> str:
    """An input cell as it was (a cell the reader could not decode has U+FFFD for its bad bytes)."""
    return _encodable(cell_text(value))


# ---- workbooks ----------------------------------------------------------------------------

def _copy_workbook(source: Path, dest: Path, sheets: dict, notice) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    with zipfile.ZipFile(source) as zf:
        names = zf.namelist()
    if any(n.startswith(("xl/drawings/", "xl/charts/", "xl/media/")) for n in names):
        notice(f"{dest}: the copy leaves out the workbook's charts and images (openpyxl cannot keep them)")
    wb = openpyxl.load_workbook(source)
    for title, rows in sheets.items():
        if title not in wb.sheetnames:
            continue
        ws = wb[title]
        any_row = next(iter(rows.values()))[1]
        hr = any_row.table.header_row
        header = {ws.cell(hr, c).value: c for c in range(1, ws.max_column + 1)
                  if isinstance(ws.cell(hr, c).value, str)}
        last_header = max((c for c in range(1, ws.max_column + 1) if ws.cell(hr, c).value not in (None, "")),
                          default=1)
        style_from = ws.cell(hr, last_header)
        # after the last column that holds anything (not after columns that are only formatted)
        at, col = {}, max([last_header] + [c.column for r in ws.iter_rows() for c in r
                                            if c.value is not None and c.value != ""
                                            and str(ws.cell(hr, c.column).value) not in RESULT_COLUMNS])
        for name in RESULT_COLUMNS:
            if name in header:
                at[name] = header[name]              # screened before: its columns are reused
            else:
                col += 1
                at[name] = col
            cell = ws.cell(hr, at[name], name)
            if style_from.has_style:
                cell.font, cell.fill = copy.copy(style_from.font), copy.copy(style_from.fill)
                cell.border, cell.alignment = copy.copy(style_from.border), copy.copy(style_from.alignment)
            width = ws.column_dimensions[get_column_letter(at[name])].width
            if not width or width < WIDTHS[name] / 2:
                ws.column_dimensions[get_column_letter(at[name])].width = WIDTHS[name]
        wrap = Alignment(wrap_text=True, vertical="top")
        for number, (cells, row) in rows.items():
            for name in RESULT_COLUMNS:
                c = _put(ws, number, at[name], cells[name] or None)
                if name in ("spans", "clauses", "messages", "fixes", "error"):
                    c.alignment = wrap
            verdict = cells["verdict"]
            if verdict in FILLS:
                ws.cell(number, at["verdict"]).fill = PatternFill("solid", fgColor=FILLS[verdict])
            text_at = row.table.text_at
            shown = row.cells[text_at] if row.cells is not None and text_at is not None and text_at < len(row.cells) \
                else None
            if shown is not None and isinstance(shown, str):
                if ws.cell(number, text_at + 1).value != shown:     # --redact: the post as reports show it
                    _put(ws, number, text_at + 1, shown)
        if ws.auto_filter.ref:
            first, _, last = ws.auto_filter.ref.partition(":")
            if last:
                last_row = "".join(ch for ch in last if ch.isdigit())
                ws.auto_filter.ref = f"{first}:{get_column_letter(max(at.values()))}{last_row}"
    _save_without_temp_files(wb, dest)


def _put(ws, row: int, col: int, value):
    """Write a cell: a string is always a string (never read as a formula, whatever it begins
    with), with the characters XML cannot hold shown as escapes and cut to what a cell holds."""
    from .xlsx_output import MAX_CELL, _ILLEGAL
    if isinstance(value, str):
        value = _ILLEGAL.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100
                             else f"\\u{ord(m.group(0)):04x}", value)
        if len(value) > MAX_CELL:
            value = value[: MAX_CELL - 1] + "\u2026"
    cell = ws.cell(row, col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _save_without_temp_files(wb, dest: Path) -> None:
    """openpyxl's save, with each worksheet written into memory instead of a temporary file; the
    copy is written next to `dest` and renamed into place."""
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.worksheet._writer import WorksheetWriter
    from openpyxl.writer.excel import ExcelWriter

    class _InMemory(ExcelWriter):
        def write_worksheet(self, ws):
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            writer = WorksheetWriter(ws, out=io.BytesIO())
            writer.write()
            ws._rels = writer._rels
            self._archive.writestr(ws.path[1:], writer.read())
            self.manifest.append(ws)

    partial = dest.with_name(f".{dest.name}.partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            _InMemory(wb, archive).save()
        os.replace(partial, dest)
    finally:
        if partial.exists():
            partial.unlink()
