"""Where a run's results go: the report in the format asked for (to standard output, or to the
file given with -o), a copy of each input with the results added (--write-back), identifiers
masked in all of them (--redact), and the progress bar. The command line builds one Outputs and
hands it each (record, result) pair in input order."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

from .progress import Progress, count_records, wanted
from .readers import input_tables
from .result_columns import ColumnPlan, stdin_table
from .write_back import WriteBack, WriteBackError, check_inputs
from .writers import BINARY_FORMATS, WRITERS


class OutputError(Exception):
    """The outputs cannot be opened as asked (a usage error: exit status 2)."""


class Outputs:
    def __init__(self, fmt: str, files, *, output: Optional[str] = None, write_back: bool = False,
                 redact_labels: Optional[dict] = None, progress: Optional[bool] = None, only_flagged: bool = False,
                 reader_options: Optional[dict] = None, stdin_format: str = "text", notice=None, stdout=None):
        self.notice = notice or (lambda message: None)
        files = list(files)
        reader_options = dict(reader_options or {})
        stdout = stdout if stdout is not None else sys.stdout
        self._owned = None
        copies = None
        try:
            if write_back:
                copies = check_inputs(files, output)
                report_to = None                       # -o names the copy; the report goes to standard output
            else:
                report_to = output
        except WriteBackError as exc:
            raise OutputError(str(exc)) from None
        if report_to is not None:
            _not_an_input(report_to, files)
        binary = fmt in BINARY_FORMATS
        if binary and report_to is None and getattr(stdout, "isatty", lambda: False)():
            raise OutputError(f"--format {fmt} writes a binary workbook: name the file with -o FILE "
                              f"(or redirect standard output)")
        if report_to is not None:
            try:
                out = open(report_to, "wb") if binary else open(report_to, "w", encoding="utf-8", newline="")
            except OSError as exc:
                raise OutputError(f"{report_to}: cannot be written ({exc.strerror or exc.__class__.__name__})") \
                    from None
            self._owned = out
        else:
            out = stdout.buffer if binary else stdout
        self.meta = {"inputs": ", ".join(files) or "standard input"}
        if fmt in ("csv", "xlsx"):
            tables = list(input_tables(files, sheet=reader_options.get("sheet"),
                                       **{k: reader_options.get(k) for k in ("column", "id_column", "account_column",
                                                                             "profile_column", "header_row")}))
            with_stdin = not files or "-" in files
            if with_stdin:
                tables.append(stdin_table(stdin_format))
            plan = ColumnPlan(tables, other=with_stdin and stdin_format != "text")
            self.writer = WRITERS[fmt](out, plan, meta=self.meta) if fmt == "xlsx" else WRITERS[fmt](out, plan)
        elif fmt == "text":
            self.writer = WRITERS[fmt](out, only_flagged=only_flagged)
        else:
            self.writer = WRITERS[fmt](out)
        if hasattr(self.writer, "meta") and self.writer.meta is not self.meta:
            self.writer.meta.update(self.meta)
            self.meta = self.writer.meta
        self.write_back = WriteBack(copies, notice=self.notice) if copies else None
        self.redactor = None
        if redact_labels is not None:
            from ..redaction import Redactor
            self.redactor = Redactor(redact_labels)
        show = wanted(progress, to_file=report_to is not None)
        total = count_records(files, header_row=reader_options.get("header_row"),
                              sheet=reader_options.get("sheet")) if show else None
        self.progress = Progress(show, total)

    def write(self, record, rec: dict) -> None:
        if self.redactor is not None:
            record, rec = self.redactor.apply(record, rec)
        for w in (self.writer, self.write_back):
            if w is None:
                continue
            if getattr(w, "wants_post", False):
                w.write(rec, post=record)
            else:
                w.write(rec)
        self.progress.update()

    def abort(self) -> None:
        """The run stopped part-way (an error, Ctrl-C): the bar is closed and no half-written
        --write-back copy is left (a partial -o report is left, as a shell redirection would)."""
        self.progress.close()
        if self._owned is not None:
            self._owned.close()
        if self.write_back is not None:
            self.write_back.abort()

    def close(self, packs=None) -> None:
        self.progress.close()
        if packs is not None:
            self.meta["packs"] = packs
        try:
            self.writer.close()
        finally:
            if self._owned is not None:
                self._owned.close()
        if self.write_back is not None:
            self.write_back.close()


def _not_an_input(report_to, files) -> None:
    for f in files:
        if f == "-":
            continue
        try:
            same = os.path.exists(report_to) and os.path.samefile(report_to, f)
        except OSError:
            same = False
        if same or Path(report_to).resolve() == Path(f).resolve():
            raise OutputError(f"{report_to}: is an input; -o never overwrites an input (give another name)")
