"""Turn input files into posts, in order: each record becomes a `Post`, or a `RecordError`
in its place when it cannot be read: nothing is silently dropped."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Iterator, Optional

from ..errors import ScreenInputError
from ..values import Post, RecordError

_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)     # set around each CSV read, never process-wide

_ESCAPED = re.compile("[\udc80-\udcff]")          # bytes kept by "surrogateescape"
_SURROGATE = re.compile("[\ud800-\udfff]")        # a lone surrogate (a JSON "\\ud800" escape)


class InputOpenError(Exception):
    """An input cannot be opened at all (exit status 2)."""


def Record(rid, text=None, account=None, profile=None, attachments=None, policy=None, error=None, source=""):
    """A Post, or a RecordError (an `error` given, or fields that are not valid)."""
    if error is not None:
        return RecordError(str(rid), error)
    try:
        return Post.build(text, id=rid, account=account, profile=profile, attachments=attachments, policy=policy)
    except ScreenInputError as exc:
        return RecordError(str(rid), f"{source or 'input'}: {exc}")      # never the record's values


def _decode(data: bytes, where: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where} is not UTF-8 (byte {exc.start}); save it as UTF-8") from None


def _record_from_obj(obj, rid: str, source: str) -> Record:
    if not isinstance(obj, dict):
        return Record(rid, error="line is JSON but not an object with a 'text' field", source=source)
    rid = str(obj.get("id", rid))
    text = obj.get("text")
    if not isinstance(text, str):
        return Record(rid, error="missing or non-string 'text' field", source=source)
    account = obj.get("account")
    profile = obj.get("profile")
    if profile is not None and not isinstance(profile, str):
        return Record(rid, error="'profile' must be a string", source=source)
    attachments = obj.get("attachments")
    if attachments is not None and not isinstance(attachments, list):
        return Record(rid, error="'attachments' must be a list", source=source)
    policy = obj.get("policy")
    if policy is not None and not isinstance(policy, str):
        return Record(rid, error="'policy' must be a pack id string", source=source)
    return Record(rid, text, account, profile, attachments, policy=policy, source=source)


def _has_surrogate(obj) -> bool:
    """Any lone surrogate in any string of a parsed JSON value (no recursion: a line may
    nest hundreds deep)."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item) is not None:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _replace_surrogates(obj, depth: int = 0):
    """Lone surrogates replaced in every string a record is read from (a post reads nothing
    nested deeper than an attachment's fields, so deeper values are left as they are)."""
    if isinstance(obj, str):
        return _SURROGATE.sub("\ufffd", obj)
    if depth > 8:
        return obj
    if isinstance(obj, dict):
        return {_replace_surrogates(k, depth + 1): _replace_surrogates(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_replace_surrogates(v, depth + 1) for v in obj]
    return obj


def read_jsonl(data: bytes, source: str) -> Iterator[Record]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for n, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Record(str(n), error=f"line {n} is not UTF-8 (byte {exc.start})", source=source)
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Record(str(n), error=f"line {n} is not valid JSON ({exc.msg}, column {exc.colno})", source=source)
            continue
        except RecursionError:
            yield Record(str(n), error=f"line {n} is nested too deeply to read", source=source)
            continue
        try:
            if "\\u" in line and _has_surrogate(obj):
                # "\\ud800" on its own is not Unicode text: it cannot be written back out as UTF-8.
                # Each becomes U+FFFD, one character for one, so offsets still point into the post.
                obj = _replace_surrogates(obj)
            rec = _record_from_obj(obj, str(n), source)
        except RecursionError:
            rec = Record(str(n), error=f"line {n} is nested too deeply to read", source=source)
        yield rec


def _csv_text(data: bytes) -> str:
    """The CSV as text: UTF-8 (a BOM is dropped; a UTF-16 file with its BOM is read as
    such). Bytes that are not UTF-8 are kept as lone surrogates ("surrogateescape") so
    that only the rows holding them are marked, not the whole file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="surrogateescape")


def _bad_bytes(value: str) -> Optional[str]:
    """The first undecodable byte of a cell, as '0xE9', or None."""
    m = _ESCAPED.search(value)
    return f"0x{ord(m.group(0)) - 0xDC00:02X}" if m else None


def read_csv(data: bytes, source: str, column: Optional[str]) -> Iterator[Record]:
    text = _csv_text(data)
    old_limit = csv.field_size_limit(_FIELD_LIMIT)
    try:
        yield from _read_csv_rows(text, source, column)
    finally:
        csv.field_size_limit(old_limit)


MAX_RESYNCS = 10_000      # bad quotes in one CSV before the rest of it is one error


def _read_csv_rows(text, source, column):
    """Rows of a CSV, each a Record. The file is parsed strictly, so that a quoted cell that is
    never closed (or has text after its closing quote) is found where it starts: that row becomes
    an error and reading goes on from the line after it, so it never swallows the rows after it.
    A quote inside a cell that is not quoted ("he said "hi") is part of the cell."""
    lines = list(io.StringIO(text, newline=""))
    header_reader = csv.reader(lines, strict=True)
    try:
        fields = next(header_reader, [])
    except csv.Error:
        yield Record("1", error=f"{source}: the header row cannot be read as CSV (a quote is not closed)",
                     source=source)
        return
    col = column or next((f for f in fields if f and f.strip().lower() in ("text", "post", "draft", "message", "content")), None)
    id_at = fields.index("id") if "id" in fields else None
    n = 0
    line = header_reader.line_num                  # physical lines consumed so far
    resyncs = 0
    while True:
        reader = csv.reader(lines[line:], strict=True)
        started = 0                                # lines consumed when the current row began
        try:
            for cells in reader:
                n += 1
                started = reader.line_num
                yield _csv_record(_row_dict(fields, cells), n, fields, col, column, source)
            return
        except csv.Error as exc:
            n += 1
            bad = line + started                   # index of the first line of the bad row
            first = lines[bad] if bad < len(lines) else ""
            if first and first.count('"') % 2 == 0:
                # the row's own line closes every quote it opens: text after a closing quote
                # ('"closed" late'), read as the lenient reader reads it
                yield _csv_record(_row_dict(fields, next(csv.reader([first]), [])), n, fields, col, column, source)
                line = bad + 1
                continue
            rid = _first_cells_id(first, id_at) or str(n)
            at_end = "end of data" in str(exc)
            resyncs += 1
            if at_end or resyncs > MAX_RESYNCS:
                more = at_end and bad + 1 < len(lines)
                msg = (f"row {n} is truncated: a quoted cell is never closed "
                       + ("(the rows after it are read on their own)" if more else "(the file looks cut off)")
                       if at_end else f"row {n} cannot be read as CSV (too many unclosed quotes)")
                yield Record(rid, error=msg, source=source)
                if at_end and bad + 1 < len(lines):
                    line = bad + 1                 # read what the open quote swallowed on its own
                    continue
                return
            yield Record(rid, error=f"row {n} has a quoted cell that is not closed properly (a quote is missing "
                                    f"or stray); the rows after it are read on their own", source=source)
            line = bad + 1


def _row_dict(fields, cells) -> dict:
    """A row as csv.DictReader gives it: missing cells None, extra cells a list under None."""
    row = {f: (cells[i] if i < len(cells) else None) for i, f in enumerate(fields)}
    if len(cells) > len(fields):
        row[None] = cells[len(fields):]
    return row


def _first_cells_id(line: str, id_at) -> Optional[str]:
    """The id cell of a row that cannot be parsed, read from its first line, if it is there."""
    if id_at is None:
        return None
    try:
        cells = next(csv.reader([line]), [])
    except csv.Error:
        return None
    if id_at < len(cells) - 1 or (id_at < len(cells) and "\n" not in line and '"' not in cells[id_at]):
        value = cells[id_at].strip()
        if value and len(value) <= 200 and not _bad_bytes(value):
            return value
    return None


def _csv_record(row, n, fields, col, column, source) -> Record:
    rid = row.get("id") or str(n)
    if _bad_bytes(rid):
        rid = str(n)
    rid = rid.strip() or str(n)
    if col is None or col not in fields:
        return Record(rid, error=_no_text_column(source, column, len(fields)), source=source)
    value = row.get(col)
    if value is None:
        return Record(rid, error=f"row {n} is truncated: it has no '{col}' cell", source=source)
    for number, (name, cell) in enumerate(row.items(), start=1):
        cells = cell if isinstance(cell, list) else [cell]
        for c in cells:
            bad = _bad_bytes(c) if isinstance(c, str) else None
            if bad:
                where = f"column {number}" if isinstance(name, str) else "an extra cell"
                return Record(rid, error=f"row {n} is not UTF-8 (byte {bad} in {where}); save the file as UTF-8",
                              source=source)
    account = (row.get("account") or "").strip() or None
    return Record(rid, value, account, row.get("profile") or None,
                  policy=(row.get("policy") or "").strip() or None, source=source)


def _no_text_column(source, column, n_columns) -> str:
    """Never lists the header: in a file with no header row it is the first post."""
    named = "the column given with --column" if column else "column named text, post, draft, message or content"
    return (f"no text column in {source}: its first row ({n_columns} cell{'s' if n_columns != 1 else ''}) "
            f"has no {named}; add a header row or use --column")


XLSX_MAX_UNPACKED = 64 * 1024 * 1024       # bytes a workbook may unpack to (a zip bomb is refused)


def _xlsx_unpacked_size(path: Path) -> int:
    """The total uncompressed size the workbook's zip directory declares (read before unpacking)."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return sum(max(0, info.file_size) for info in zf.infolist())


def read_xlsx(path: Path, source: str, column: Optional[str]) -> Iterator[Record]:
    try:
        import openpyxl
    except ImportError:
        raise InputOpenError(f"{source}: reading spreadsheets needs openpyxl (pip install 'socialscreen[xlsx]')")
    try:
        size = _xlsx_unpacked_size(path)
    except Exception as exc:                      # not a zip at all, or a broken directory
        yield Record(source, error=f"{source}: not a readable .xlsx workbook ({exc.__class__.__name__})")
        return
    if size > XLSX_MAX_UNPACKED:
        yield Record(source, error=f"{source}: the workbook unpacks to {size // (1024 * 1024)} MB, over the limit of "
                                   f"{XLSX_MAX_UNPACKED // (1024 * 1024)} MB; save the posts as CSV or split the workbook")
        return
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        yield Record(source, error=f"{source}: not a readable .xlsx workbook ({exc.__class__.__name__})")
        return
    try:
        ws = wb.active
        if ws is None or not hasattr(ws, "iter_rows"):
            sheets = [w for w in wb.worksheets if hasattr(w, "iter_rows")]
            ws = sheets[0] if sheets else None
        if ws is None:
            yield Record(source, error=f"{source}: the workbook has no worksheet to read")
            return
        yield from _xlsx_rows(ws.iter_rows(values_only=True), source, column)
    finally:
        wb.close()


def _xlsx_rows(rows, source, column):
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    lower = [h.lower() for h in header]
    if column:
        idx = header.index(column) if column in header else None
    else:
        idx = next((lower.index(c) for c in ("text", "post", "draft", "message", "content") if c in lower), None)
    get = lambda row, name: (row[lower.index(name)] if name in lower and lower.index(name) < len(row) else None)
    for n, row in enumerate(rows, start=1):
        rid = str(get(row, "id") or n)
        if idx is None:
            yield Record(rid, error=_no_text_column(source, column, len(header)), source=source)
            continue
        value = row[idx] if idx < len(row) else None
        if value is None:
            yield Record(rid, error=f"row {n} has an empty text cell", source=source)
            continue
        account = get(row, "account")
        policy = get(row, "policy")
        yield Record(rid, str(value), str(account).strip() if account else None,
                     str(get(row, "profile")) if get(row, "profile") else None,
                     policy=str(policy).strip() if policy else None, source=source)


def _plain_post(rid, data: bytes, source: str, name: str):
    """One post from a whole text file or stream; empty input is an error, not a pass."""
    try:
        text = _decode(data, source)
    except ValueError as exc:
        return Record(rid, error=str(exc), source=source)
    if not text.strip():
        return Record(rid, error=f"{name} is empty: there is no post to screen", source=source)
    return Record(rid, text, source=source)


def display_name(p) -> str:
    """A file name as it can be printed and written as UTF-8 (bytes that are not UTF-8,
    kept by Python as lone surrogates, become U+FFFD)."""
    text = str(p)
    if _SURROGATE.search(text):
        text = os.fsencode(text).decode("utf-8", errors="replace")
    return text


def _stdin_bytes(stdin) -> Optional[bytes]:
    """Everything on standard input, or None when it is closed or cannot be read."""
    try:
        stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
        if stream is None:
            return None
        return stream.read()
    except (OSError, ValueError, AttributeError):
        return None


def _guarded(records: Iterator[Record], source: str) -> Iterator[Record]:
    """An input's records; if reading it fails part-way, one error record in place of the rest:
    the records before it and the inputs after it are kept."""
    try:
        yield from records
    except InputOpenError:
        raise
    except RecursionError:
        yield RecordError(source, f"{source}: nested too deeply to read; the rest of it was skipped")
    except Exception as exc:  # a malformed file must never cost another input's records
        yield RecordError(source, f"{source}: could not be read further ({exc.__class__.__name__}); "
                                  f"the rest of it was skipped")


def read_inputs(paths, column: Optional[str] = None, stdin=None) -> Iterator[Record]:
    """Records from every input in order. Raises InputOpenError at once for an input that does
    not exist; an input that exists but cannot be read becomes an error record in its place,
    when its turn comes (so the records read before it are screened and written)."""
    paths = list(paths) or ["-"]
    for p in paths:
        if p != "-" and not Path(p).is_file():
            raise InputOpenError(f"{display_name(p)}: no such file")
    for p in paths:
        yield from _guarded(_read_one(p, column, stdin), "<stdin>" if p == "-" else display_name(p))


def _read_one(p, column, stdin) -> Iterator[Record]:
    if p == "-":
        data = _stdin_bytes(stdin)
        if data is None:
            yield Record("1", error="standard input is closed or cannot be read", source="<stdin>")
            return
        stripped = data.lstrip()
        if stripped.startswith(b"{") and b"\n" in stripped.strip():
            yield from read_jsonl(data, "<stdin>")
        else:
            yield _plain_post("1", data, "<stdin>", "standard input")
        return
    path = Path(p)
    name = display_name(p)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        yield from read_xlsx(path, name, column)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield Record(name, error=f"{name}: cannot be read ({exc.strerror or exc.__class__.__name__})")
        return
    if suffix in (".jsonl", ".ndjson"):
        yield from read_jsonl(data, name)
    elif suffix == ".csv":
        yield from read_csv(data, name, column)
    else:
        yield _plain_post(display_name(path.name), data, name, name)
