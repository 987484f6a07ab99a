"""Turn input files into posts, in order: each record becomes a `Post`, or a `RecordError`
in its place when it cannot be read: nothing is silently dropped."""
from __future__ import annotations

import csv
import io
import json
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
        return RecordError(str(rid), f"{source or 'input'}, record {rid}: {exc}")


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
    if isinstance(obj, str):
        return _SURROGATE.search(obj) is not None
    if isinstance(obj, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in obj.items())
    if isinstance(obj, list):
        return any(_has_surrogate(v) for v in obj)
    return False


def _replace_surrogates(obj):
    if isinstance(obj, str):
        return _SURROGATE.sub("\ufffd", obj)
    if isinstance(obj, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_replace_surrogates(v) for v in obj]
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
        if "\\u" in line and _has_surrogate(obj):
            # "\\ud800" on its own is not Unicode text: it cannot be written back out as UTF-8.
            # Each becomes U+FFFD, one character for one, so offsets still point into the post.
            obj = _replace_surrogates(obj)
        yield _record_from_obj(obj, str(n), source)


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


def _read_csv_rows(text, source, column):
    # an odd number of quote characters: the last quoted cell is never closed (a cut-off file)
    unclosed = text.count('"') % 2 == 1
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fields = reader.fieldnames or []
    except csv.Error as exc:
        yield Record("1", error=f"{source}: the header row cannot be read as CSV ({exc})", source=source)
        return
    col = column or next((f for f in fields if f and f.strip().lower() in ("text", "post", "draft", "message", "content")), None)
    rows = iter(reader)
    n = 0
    pending = None
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            n += 1
            yield Record(str(n), error=f"row {n} cannot be read as CSV ({exc})", source=source)
            continue
        n += 1
        if pending is not None:
            yield pending
        pending = _csv_record(row, n, fields, col, column, source)
    if pending is not None:
        if unclosed and isinstance(pending, Post):
            pending = Record(pending.id, error=f"row {n} is truncated: a quoted cell is never closed "
                                               f"(the file looks cut off)", source=source)
        yield pending


def _csv_record(row, n, fields, col, column, source) -> Record:
    rid = row.get("id") or str(n)
    if _bad_bytes(rid):
        rid = str(n)
    rid = rid.strip() or str(n)
    if col is None or col not in fields:
        return Record(rid, error=f"no text column {'named ' + repr(column) + ' ' if column else ''}in {source} "
                                 f"(columns: {', '.join(f for f in fields if f)}); use --column", source=source)
    value = row.get(col)
    if value is None:
        return Record(rid, error=f"row {n} is truncated: it has no '{col}' cell", source=source)
    for name, cell in row.items():
        cells = cell if isinstance(cell, list) else [cell]
        for c in cells:
            bad = _bad_bytes(c) if isinstance(c, str) else None
            if bad:
                where = f"column '{name}'" if isinstance(name, str) else "an extra cell"
                return Record(rid, error=f"row {n} is not UTF-8 (byte {bad} in {where}); save the file as UTF-8",
                              source=source)
    account = (row.get("account") or "").strip() or None
    return Record(rid, value, account, row.get("profile") or None,
                  policy=(row.get("policy") or "").strip() or None, source=source)


def read_xlsx(path: Path, source: str, column: Optional[str]) -> Iterator[Record]:
    try:
        import openpyxl
    except ImportError:
        raise InputOpenError(f"{source}: reading spreadsheets needs openpyxl (pip install 'socialscreen[xlsx]')")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise InputOpenError(f"{source}: not a readable .xlsx workbook ({exc.__class__.__name__})") from None
    ws = wb.active
    rows = ws.iter_rows(values_only=True)
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
            yield Record(rid, error=f"no text column in {source} (columns: {', '.join(header)}); use --column", source=source)
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
    wb.close()


def _plain_post(rid, data: bytes, source: str, name: str):
    """One post from a whole text file or stream; empty input is an error, not a pass."""
    try:
        text = _decode(data, source)
    except ValueError as exc:
        return Record(rid, error=str(exc), source=source)
    if not text.strip():
        return Record(rid, error=f"{name} is empty: there is no post to screen", source=source)
    return Record(rid, text, source=source)


def read_inputs(paths, column: Optional[str] = None, stdin=None) -> Iterator[Record]:
    """Records from every input in order. Raises InputOpenError for an input that cannot be opened."""
    paths = list(paths) or ["-"]
    # open everything first so a missing file fails before any output is written
    for p in paths:
        if p != "-" and not Path(p).is_file():
            raise InputOpenError(f"{p}: no such file")
    for p in paths:
        if p == "-":
            data = (stdin or sys.stdin.buffer).read()
            stripped = data.lstrip()
            if stripped.startswith(b"{") and b"\n" in stripped.strip():
                yield from read_jsonl(data, "<stdin>")
            else:
                yield _plain_post("1", data, "<stdin>", "standard input")
            continue
        path = Path(p)
        suffix = path.suffix.lower()
        if suffix == ".xlsx":
            yield from read_xlsx(path, p, column)
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputOpenError(f"{p}: cannot be read ({exc.strerror})") from None
        if suffix in (".jsonl", ".ndjson"):
            yield from read_jsonl(data, p)
        elif suffix == ".csv":
            yield from read_csv(data, p, column)
        else:
            yield _plain_post(path.name, data, p, p)
