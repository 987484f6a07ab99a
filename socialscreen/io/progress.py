"""Progress on standard error while a run screens: how many posts of how many, the rate and the
time left (tqdm, which spaCy already brings). Shown when standard error is a terminal and the
results are not being written to that same terminal (-o FILE, or standard output redirected);
--progress shows it anyway, --no-progress never. Nothing of a post is ever shown, only counts.

For files the total is known before the first post: counted cheaply without screening (the lines
of a JSON Lines file, the rows of a CSV after its header, each sheet's rows from the workbook's
own dimensions, one post for a text file). Standard input has no total: the bar counts and gives
the rate.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Optional


def wanted(flag: Optional[bool], stderr=None, stdout=None, to_file: bool = False) -> bool:
    """--progress (True), --no-progress (False), or by default: stderr is a terminal and the
    results are not printed on it."""
    if flag is not None:
        return flag
    stderr = stderr if stderr is not None else sys.stderr
    stdout = stdout if stdout is not None else sys.stdout
    tty = lambda s: bool(getattr(s, "isatty", lambda: False)())
    return tty(stderr) and (to_file or not tty(stdout))


def count_records(paths, *, header_row: Optional[int] = None, sheet: Optional[str] = None) -> Optional[int]:
    """About how many records the inputs hold (exact for JSON Lines and text files; a CSV's or a
    sheet's blank rows are counted too), or None when standard input is one of them."""
    total = 0
    for p in paths or ["-"]:
        if p == "-":
            return None
        path = Path(p)
        suffix = path.suffix.lower()
        try:
            if suffix in (".jsonl", ".ndjson"):
                with open(path, "rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            elif suffix == ".csv":
                total += max(0, _csv_rows(path) - (header_row or 1))
            elif suffix == ".xlsx":
                total += _sheet_rows(path, sheet, header_row or 1)
            else:
                total += 1
        except Exception:         # an input that cannot be counted is reported when it is read
            total += 1
    return total


def _csv_rows(path: Path) -> int:
    from .readers import _FIELD_LIMIT, _csv_encoding, _open_csv_text, _opener

    enc = _csv_encoding(_opener(path))
    old = csv.field_size_limit(_FIELD_LIMIT)
    try:
        with _open_csv_text(path, enc) as stream:
            return sum(1 for _ in csv.reader(stream))
    finally:
        csv.field_size_limit(old)


def _sheet_rows(path: Path, sheet: Optional[str], header_row: int) -> int:
    import openpyxl

    from .readers import XLSX_MAX_UNPACKED, _xlsx_unpacked_size

    if _xlsx_unpacked_size(path) > XLSX_MAX_UNPACKED:
        return 1
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        n = 0
        from .readers import header_key
        for ws in wb.worksheets:
            if sheet is not None and ws.title != sheet and header_key(ws.title) != header_key(sheet):
                continue
            rows = ws.max_row
            if rows is None:                  # no dimensions stored: count them
                rows = sum(1 for _ in ws.iter_rows(values_only=True))
            n += max(0, rows - header_row)
        return n
    finally:
        wb.close()


def _size(stream) -> tuple:
    import os
    try:
        size = os.get_terminal_size(stream.fileno())
        return size.columns, size.lines
    except (AttributeError, OSError, ValueError):
        return 0, 0


class Progress:
    """A tqdm bar on standard error (or nothing, when not `enabled`)."""

    def __init__(self, enabled: bool, total: Optional[int] = None, stream=None):
        self.bar = None
        if enabled:
            from tqdm import tqdm

            stream = stream or sys.stderr
            # a terminal that does not say its size (a bare pseudo-terminal, some CI runners) is taken
            # as 80 by 24: tqdm would otherwise draw nothing at all
            columns, lines = _size(stream)
            sized = columns >= 20 and lines > 0
            self.bar = tqdm(total=total, unit=" posts", desc="screening", file=stream, dynamic_ncols=sized,
                            ncols=None if sized else 80, nrows=None if sized else 24, mininterval=0.25,
                            smoothing=0.05, leave=True)

    def update(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            if self.bar.total is not None and self.bar.n != self.bar.total:
                self.bar.total = self.bar.n           # the estimate counted blank rows: end at 100%
                self.bar.refresh()
            self.bar.close()
