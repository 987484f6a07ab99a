"""Turn input files into posts, in order: each record becomes a `Post`, or a `RecordError`
in its place when it cannot be read: nothing is silently dropped.

Files are streamed: a CSV or JSON Lines file is read a line at a time (a CSV's encoding is
found in a first pass over its bytes), a workbook a row at a time, so memory does not grow with
the input. Each record carries its row (`Post.row`, `RecordError.row`: see input_rows.py) for the
outputs that copy the input's columns."""
from __future__ import annotations

import codecs
import collections
import csv
import io
import itertools
import json
import os
import re
import sys
from pathlib import Path
from typing import Iterator, Optional

from ..errors import ScreenInputError
from ..values import Post, RecordError
from .input_rows import InputRow, Table

_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)     # set around each CSV read, never process-wide

_ESCAPED = re.compile("[\udc80-\udcff]")          # bytes kept by "surrogateescape"
_SURROGATE = re.compile("[\ud800-\udfff]")        # a lone surrogate (a JSON "\\ud800" escape)


class InputOpenError(Exception):
    """An input cannot be opened at all (exit status 2)."""


def Record(rid, text=None, account=None, profile=None, attachments=None, policy=None, error=None, source="",
           code="unreadable", row=None, allow=None):
    """A Post, or a RecordError (an `error` given, with its `code`, or fields that are not valid).
    `row` is the record's InputRow."""
    if error is not None:
        return RecordError(str(rid), error, code=code, row=row)
    try:
        return Post.build(text, id=rid, account=account, profile=profile, attachments=attachments, policy=policy,
                          row=row, allow=allow)
    except ScreenInputError as exc:
        return RecordError(str(rid), f"{source or 'input'}: {exc}", code=exc.code, row=row)   # never the values


def _decode(data: bytes, where: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where} is not UTF-8 (byte {exc.start}); save it as UTF-8") from None


def _record_from_obj(obj, rid: str, source: str, table: Optional[Table] = None, number=None) -> Record:
    if not isinstance(obj, dict):
        row = InputRow(table, number) if table is not None else None
        return Record(rid, error="line is JSON but not an object with a 'text' field", source=source,
                      code="invalid_record", row=row)
    row = None
    if table is not None:
        table.see(obj)
        row = InputRow(table, number, obj)
    rid = str(obj.get("id", rid))
    text = obj.get("text")
    if not isinstance(text, str):
        return Record(rid, error="missing or non-string 'text' field", source=source, code="invalid_record", row=row)
    account = obj.get("account")
    profile = obj.get("profile")
    if profile is not None and not isinstance(profile, str):
        return Record(rid, error="'profile' must be a string", source=source, code="invalid_record", row=row)
    attachments = obj.get("attachments")
    if attachments is not None and not isinstance(attachments, list):
        return Record(rid, error="'attachments' must be a list", source=source, code="invalid_record", row=row)
    policy = obj.get("policy")
    if policy is not None and not isinstance(policy, str):
        return Record(rid, error="'policy' must be a pack id string", source=source, code="invalid_record", row=row)
    return Record(rid, text, account, profile, attachments, policy=policy, source=source, row=row,
                  allow=obj.get("allow"))


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


def read_jsonl(data, source: str, path=None) -> Iterator[Record]:
    """`data`: the file's bytes, or a binary stream read a line at a time."""
    table = Table("jsonl", source, path=path)
    lines = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    for n, raw in enumerate(lines, start=1):
        if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        at = InputRow(table, n)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield Record(str(n), error=f"line {n} is not UTF-8 (byte {exc.start})", source=source, code="not_utf8",
                         row=at)
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Record(str(n), error=f"line {n} is not valid JSON ({exc.msg}, column {exc.colno})", source=source,
                         code="invalid_json", row=at)
            continue
        except RecursionError:
            yield Record(str(n), error=f"line {n} is nested too deeply to read", source=source, code="invalid_json",
                         row=at)
            continue
        try:
            if "\\u" in line and _has_surrogate(obj):
                # "\\ud800" on its own is not Unicode text: it cannot be written back out as UTF-8.
                # Each becomes U+FFFD, one character for one, so offsets still point into the post.
                obj = _replace_surrogates(obj)
            rec = _record_from_obj(obj, str(n), source, table, n)
        except RecursionError:
            rec = Record(str(n), error=f"line {n} is nested too deeply to read", source=source, code="invalid_json",
                         row=at)
        yield rec


# ---- columns: header names matched without regard to case, spacing or punctuation ----------

HEADER_SCAN_ROWS = 10          # rows searched for the header (a content plan has title rows above it)

_ROLE_NAMES = {
    "text": ("text", "post", "posts", "draft", "drafts", "message", "content", "copy", "body", "caption",
             "tweet", "status", "update", "posttext", "postcopy", "postcontent", "postbody", "draftpost",
             "drafttext", "draftcopy", "messagetext", "contenttext", "copytext", "socialcopy", "tweettext",
             "captiontext", "bodytext", "socialpost", "postdraft"),
    "id": ("id", "postid", "draftid", "ref", "reference", "recordid", "identifier", "rowid", "itemid"),
    "account": ("account", "accounttype", "accountkind", "accountcontext"),
    "profile": ("profile", "bio", "profilebio", "profiletext", "authorprofile", "authorbio", "biography"),
    "policy": ("policy", "pack", "policypack", "policyid", "packid"),
    # rule ids this row allows (suppressed in this row only), and the reason for them
    "allow": ("allow", "allowrules", "allowrule", "socialscreenallow"),
    "allowreason": ("allowreason", "allowreasons", "allowedreason", "allowbecause"),
}
_FLAGS = {"text": "--column", "id": "--id-column", "account": "--account-column", "profile": "--profile-column"}


def header_key(name) -> str:
    """A header cell as it is matched: case, spacing and punctuation ignored (' Post copy ' and
    'post_copy' are both 'postcopy')."""
    return re.sub(r"[\W_]+", "", str(name).casefold()) if name is not None else ""


class Columns:
    """How the columns of a CSV or sheet are found: the names given with flags, or the common names."""

    def __init__(self, text=None, id=None, account=None, profile=None, policy=None, header_row=None):
        self.given = {"text": text, "id": id, "account": account, "profile": profile, "policy": policy,
                      "allow": None, "allowreason": None}
        self.header_row = header_row          # 1-based row of the header, or None to find it

    def locate(self, header) -> tuple[dict, Optional[str]]:
        """{role: cell index} for a header row, and the flag whose column is missing (or None).
        The text column is always in the mapping when the flag is None."""
        keys = [header_key(h) for h in header]
        found, missing = {}, None
        for role, names in _ROLE_NAMES.items():
            given = self.given.get(role)
            wanted = (header_key(given),) if given else names
            at = next((keys.index(w) for w in wanted if w and w in keys), None)
            if at is not None:
                found[role] = at
            elif given and missing is None:
                missing = _FLAGS.get(role, role)
        if "text" not in found and missing is None:
            missing = "text"
        return found, missing

    def no_text_column(self, where: str, missing: str) -> str:
        """Never lists the header: in a file with no header row it is the first post."""
        if missing == "text" and self.header_row:
            return (f"no text column in {where}: row {self.header_row} (given with --header-row) has no column "
                    f"named text, post, draft, message, content, copy, caption, body (or 'Post copy', 'Draft post' "
                    f"and the like); check the row number, or name the column with --column")
        if missing == "text":
            return (f"no text column in {where}: none of its first {HEADER_SCAN_ROWS} rows is a header with a "
                    f"column named text, post, draft, message, content, copy, caption, body (or 'Post copy', "
                    f"'Draft post' and the like); add a header row, give its row with --header-row N, "
                    f"or name the column with --column")
        if missing == "--column" or self.header_row:
            row = f"row {self.header_row} (--header-row)" if self.header_row else f"the first {HEADER_SCAN_ROWS} rows"
            return (f"no text column in {where}: {row} has no column named as given with {missing}; "
                    f"check the name (case, spaces and punctuation do not matter)")
        return (f"the column given with {missing} is not in the header of {where}; "
                f"check the name (case, spaces and punctuation do not matter)")


def _find_header(rows, columns: Columns):
    """(index of the header among `rows`, its mapping, missing flag): the forced row, or the first
    of the rows that holds a text column."""
    if columns.header_row:
        i = columns.header_row - 1
        if i >= len(rows):
            return i, {}, "--column" if columns.given["text"] else "text"
        found, missing = columns.locate(rows[i])
        return i, found, missing
    first_missing = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found, missing = columns.locate(row)
        if "text" in found:
            return i, found, missing
        first_missing = first_missing or missing
    return None, {}, first_missing or "text"


# ---- CSV ------------------------------------------------------------------------------------

_UTF8_SEQ = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_SINGLE_BYTE = {"cp1252": "Windows-1252", "windows-1252": "Windows-1252", "latin_1": "ISO-8859-1",
                "iso8859_15": "ISO-8859-15", "cp1250": "Windows-1250", "cp1251": "Windows-1251",
                "mac_roman": "Mac Roman"}
_CHUNK = 1 << 20                 # bytes read at a time while the encoding is found
_SAMPLE = 8 << 20                # bytes charset-normalizer looks at (the whole of a smaller file)
_BOM = b"\xef\xbb\xbf"


def _opener(data):
    """A function that opens the CSV's bytes afresh: `data` is a path or the bytes themselves."""
    if isinstance(data, (bytes, bytearray)):
        return lambda: io.BytesIO(data)
    return lambda: open(data, "rb")


def _chunks(fh, start: int = 0):
    fh.seek(start)
    while True:
        block = fh.read(_CHUNK)
        if not block:
            return
        yield block


def _decodes(fh, encoding: str, start: int = 0) -> bool:
    """Do the bytes from `start` on decode as `encoding` (read a chunk at a time)?"""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for block in _chunks(fh, start):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _has_utf8_sequence(fh, start: int) -> bool:
    """Is there a UTF-8 multi-byte character anywhere (a chunk's last bytes are kept for the next)?"""
    carry = b""
    for block in _chunks(fh, start):
        if _UTF8_SEQ.search(carry + block) is not None:
            return True
        carry = block[-3:]
    return False


def _single_byte_encoding(fh, start: int = 0) -> str:
    """The single-byte encoding of a file that is not UTF-8: charset-normalizer's choice among
    the encodings spreadsheets export, with Windows-1252 (Excel's "CSV" on a Western Windows)
    preferred when it reads the file too; without charset-normalizer, Windows-1252 or Latin-1."""
    cp1252_ok = _decodes(fh, "cp1252", start)
    fh.seek(start)
    sample = fh.read(_SAMPLE)
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(sample, cp_isolation=list(_SINGLE_BYTE)).best()
        guess = best.encoding if best is not None else None
    except Exception:                      # not installed, or it failed on this input
        guess = None
    if guess in ("cp1250", "cp1251") and not (cp1252_ok and guess == "cp1250"):
        return guess                        # a Central European / Cyrillic export
    if cp1252_ok:
        return "cp1252"
    return guess if guess in _SINGLE_BYTE else "latin_1"


class _Encoding:
    """How a CSV's bytes are read: from `start`, as `encoding` with `errors`; `label` names an
    encoding that is not UTF-8 (said once on standard error), `bom` says a UTF-8 BOM was there."""

    def __init__(self, encoding, errors="strict", start=0, label=None, bom=False):
        self.encoding, self.errors, self.start, self.label, self.bom = encoding, errors, start, label, bom


def _csv_encoding(open_bytes) -> _Encoding:
    """UTF-8 with or without a BOM; UTF-16 with its BOM; a file that is not UTF-8 anywhere in a
    single-byte encoding (detected); a UTF-8 file with a few bad bytes keeps them as lone
    surrogates ("surrogateescape") so that only the rows holding them are marked, not the whole
    file. Found in passes over the bytes, a chunk at a time: the file is never held whole."""
    with open_bytes() as fh:
        head = fh.read(4)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) and _decodes(fh, "utf-16"):
            return _Encoding("utf-16", label="UTF-16")
        bom = head.startswith(_BOM)
        start = 3 if bom else 0
        if _decodes(fh, "utf-8", start):
            return _Encoding("utf-8", start=start, bom=bom)
        if _has_utf8_sequence(fh, start):
            return _Encoding("utf-8", "surrogateescape", start=start, bom=bom)
        enc = _single_byte_encoding(fh, start)       # no UTF-8 character anywhere: a single-byte export
        return _Encoding(enc, "replace", start=start, label=_SINGLE_BYTE.get(enc, enc), bom=bom)


def _csv_text(data: bytes) -> tuple[str, Optional[str]]:
    """The CSV as text, and the name of its encoding when it is not UTF-8 (the whole file at once;
    the reader itself streams)."""
    enc = _csv_encoding(_opener(data))
    return data[enc.start:].decode(enc.encoding, errors=enc.errors), enc.label


def _bad_bytes(value: str) -> Optional[str]:
    """The first undecodable byte of a cell, as '0xE9', or None."""
    m = _ESCAPED.search(value)
    return f"0x{ord(m.group(0)) - 0xDC00:02X}" if m else None


class _Lines:
    """A CSV's physical lines (their ends kept), one at a time, for csv.reader; `taken` holds the
    lines handed out since it was last emptied (the lines of the row being read), and lines given
    back are handed out again first (after a row that cannot be parsed, the lines it swallowed are
    read on their own)."""

    def __init__(self, stream):
        self._stream = stream
        self._back = collections.deque()
        self.taken = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self._back.popleft() if self._back else next(self._stream)
        self.taken.append(line)
        return line

    def take(self) -> list:
        """The lines taken since the last call, and start again."""
        lines, self.taken = self.taken, []
        return lines

    def give_back(self, lines) -> None:
        self._back.extendleft(reversed(lines))


def _open_csv_text(data, enc: _Encoding):
    raw = _opener(data)()
    raw.seek(enc.start)
    return io.TextIOWrapper(raw, encoding=enc.encoding, errors=enc.errors, newline="")


def read_csv(data, source: str, column=None, notice=None) -> Iterator[Record]:
    """`data`: the file's path, or its bytes. `column` is a Columns, or the text column's name (or
    None)."""
    columns = column if isinstance(column, Columns) else Columns(text=column)
    enc = _csv_encoding(_opener(data))
    if enc.label and notice is not None:
        notice(f"{source}: read as {enc.label} (it is not UTF-8)")
    old_limit = csv.field_size_limit(_FIELD_LIMIT)
    stream = _open_csv_text(data, enc)
    try:
        yield from _read_csv_rows(_Lines(stream), source, columns, enc,
                                  None if isinstance(data, (bytes, bytearray)) else data)
    finally:
        stream.close()
        csv.field_size_limit(old_limit)


MAX_RESYNCS = 10_000      # bad quotes in one CSV before the rest of it is one error


def _csv_head(lines: _Lines, columns: Columns):
    """The first rows (up to the header search's reach), the lines of each, and the lines of a
    row after them that could not be parsed; None when not even the first row can be read."""
    want = max(HEADER_SCAN_ROWS, columns.header_row or 0)
    head, head_lines, broken = [], [], []
    try:
        for cells in csv.reader(lines, strict=True):
            head.append(cells)
            head_lines.append(lines.take())
            if len(head) >= want:
                break
    except csv.Error:
        if not head:
            return None
        broken = lines.take()
    return head, head_lines, broken


def _csv_table(source, path, enc, head, at, cols) -> Table:
    return Table("csv", source, path=path, header=head[at], header_row=at + 1, text_at=cols["text"],
                 id_at=cols.get("id"), preamble=head[:at], encoding=enc.label, bom=enc.bom)


def _read_csv_rows(lines: _Lines, source, columns: Columns, enc: _Encoding, path=None):
    """Rows of a CSV, each a Record. The file is parsed strictly, so that a quoted cell that is
    never closed (or has text after its closing quote) is found where it starts: that row becomes
    an error and reading goes on from the line after it, so it never swallows the rows after it.
    A quote inside a cell that is not quoted ("he said "hi") is part of the cell. Error messages
    give the file's own row numbers (title rows above the header counted). A row with no value in
    any cell is skipped, as a blank row of a sheet is."""
    first = _csv_head(lines, columns)
    if first is None:
        yield Record(source, error=f"{source}: the header row cannot be read as CSV (a quote is not closed)",
                     source=source, code="invalid_csv")
        return
    head, head_lines, broken = first
    if not head:
        yield Record(source, error=f"{source}: the file is empty: there is no post to screen", source=source,
                     code="empty")
        return
    at, cols, missing = _find_header(head, columns)
    if missing is not None:
        yield Record(source, error=columns.no_text_column(source, missing), source=source, code="no_text_column")
        return
    table = _csv_table(source, path, enc, head, at, cols)
    base = at + 1                          # the header's own row number; data row n is row base + n
    # the rows read after the header while it was looked for are read again, as data
    lines.give_back([line for row in head_lines[at + 1:] for line in row] + broken)
    n = 0
    resyncs = 0
    while True:
        try:
            for cells in csv.reader(lines, strict=True):
                n += 1
                lines.take()
                rec = _csv_record(cells, n, base + n, table, cols, source)
                if rec is not None:
                    yield rec
            return
        except csv.Error as exc:
            n += 1
            row = base + n
            bad = lines.take()                     # the lines of the row that cannot be parsed
            first_line = bad[0] if bad else ""
            if first_line and first_line.count('"') % 2 == 0:
                # the row's own line closes every quote it opens: text after a closing quote
                # ('"closed" late'), read as the lenient reader reads it
                rec = _csv_record(next(csv.reader([first_line]), []), n, row, table, cols, source)
                if rec is not None:
                    yield rec
                lines.give_back(bad[1:])
                continue
            rid = _first_cells_id(first_line, cols.get("id")) or str(n)
            where = InputRow(table, row, _lenient_cells(first_line))
            at_end = "end of data" in str(exc)
            resyncs += 1
            if at_end or resyncs > MAX_RESYNCS:
                more = at_end and len(bad) > 1
                msg = (f"row {row} is truncated: a quoted cell is never closed "
                       + ("(the rows after it are read on their own)" if more else "(the file looks cut off)")
                       if at_end else f"row {row} cannot be read as CSV (too many unclosed quotes)")
                yield Record(rid, error=msg, source=source, code="invalid_csv", row=where)
                if more:
                    lines.give_back(bad[1:])       # read what the open quote swallowed on its own
                    continue
                return
            yield Record(rid, error=f"row {row} has a quoted cell that is not closed properly (a quote is missing "
                                    f"or stray); the rows after it are read on their own", source=source,
                         code="invalid_csv", row=where)
            lines.give_back(bad[1:])


def _lenient_cells(line: str) -> Optional[list]:
    """The cells of a row's first line as a lenient reader sees them (for the copy of the row)."""
    try:
        return next(csv.reader([line.rstrip("\r\n")]), [])
    except csv.Error:
        return None


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


def _csv_record(cells, n, row, table: Table, cols, source) -> Optional[Record]:
    """Data row n (the file's row `row`) as a Record, or None for a row with nothing in it; `cols`
    maps roles to cell indexes."""
    if not any(c.strip() for c in cells):
        return None                                 # a blank row between posts
    fields = table.header
    at = InputRow(table, row, cells)
    cell = lambda role: cells[cols[role]] if role in cols and cols[role] < len(cells) else None
    rid = cell("id") or str(n)
    if _bad_bytes(rid):
        rid = str(n)
    rid = rid.strip() or str(n)
    value = cell("text")
    if value is None:
        return Record(rid, error=f"row {row} is truncated: it has no '{fields[cols['text']]}' cell",
                      source=source, code="invalid_csv", row=at)
    for number, c in enumerate(cells, start=1):
        bad = _bad_bytes(c)
        if bad:
            where = f"column {number}" if number <= len(fields) else "an extra cell"
            return Record(rid, error=f"row {row} is not UTF-8 (byte {bad} in {where}); save the file as UTF-8",
                          source=source, code="not_utf8", row=at)
    if not value.strip():
        return Record(rid, error=f"row {row} has an empty '{fields[cols['text']]}' cell", source=source,
                      code="empty", row=at)
    account = (cell("account") or "").strip() or None
    return Record(rid, value, account, cell("profile") or None,
                  policy=(cell("policy") or "").strip() or None, source=source, row=at,
                  allow=allow_cell(cell("allow"), cell("allowreason")))


# ---- XLSX -----------------------------------------------------------------------------------

XLSX_MAX_UNPACKED = 64 * 1024 * 1024       # bytes a workbook may unpack to (a zip bomb is refused)


def _xlsx_unpacked_size(path: Path) -> int:
    """The total uncompressed size the workbook's zip directory declares (read before unpacking)."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return sum(max(0, info.file_size) for info in zf.infolist())


def _open_workbook(path: Path, source: str):
    """(read-only workbook, None), or (None, an error record)."""
    try:
        import openpyxl
    except ImportError:
        raise InputOpenError(f"{source}: reading spreadsheets needs openpyxl (pip install 'socialscreen[xlsx]')")
    try:
        size = _xlsx_unpacked_size(path)
    except Exception as exc:                      # not a zip at all, or a broken directory
        return None, Record(source, error=f"{source}: not a readable .xlsx workbook ({exc.__class__.__name__})",
                            code="invalid_workbook")
    if size > XLSX_MAX_UNPACKED:
        return None, Record(source, error=f"{source}: the workbook unpacks to {size // (1024 * 1024)} MB, over the "
                                          f"limit of {XLSX_MAX_UNPACKED // (1024 * 1024)} MB; save the posts as CSV "
                                          f"or split the workbook", code="invalid_workbook")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True), None
    except Exception as exc:  # openpyxl raises many types for a bad file
        return None, Record(source, error=f"{source}: not a readable .xlsx workbook ({exc.__class__.__name__})",
                            code="invalid_workbook")


def _chosen_sheets(wb, source: str, sheet: Optional[str]):
    """(the worksheets to read, None), or ([], an error record)."""
    sheets = [w for w in wb.worksheets if hasattr(w, "iter_rows")]
    if not sheets:
        return [], Record(source, error=f"{source}: the workbook has no worksheet to read", code="invalid_workbook")
    if sheet is not None:
        chosen = ([w for w in sheets if w.title == sheet]
                  or [w for w in sheets if header_key(w.title) == header_key(sheet)])
        if not chosen:
            return [], Record(source, error=f"{source}: no sheet named as given with --sheet; its sheets are: "
                                            + ", ".join(repr(w.title) for w in sheets), code="invalid_workbook")
        sheets = chosen[:1]
    return sheets, None


class _SheetHead:
    """What the first rows of a sheet say: its header's index among them and the column of each
    role, or the flag whose column is missing."""

    def __init__(self, head, at, cols, missing):
        self.head, self.at, self.cols, self.missing = head, at, cols, missing


def _sheet_head(ws, columns: Columns) -> Optional[_SheetHead]:
    """The sheet's header, or None for an empty sheet (no posts and no error)."""
    rows = ws.iter_rows(min_row=1, values_only=True)
    head = []
    want = max(HEADER_SCAN_ROWS, columns.header_row or 0)
    for row in rows:
        head.append(["" if h is None else str(h) for h in row])
        if len(head) >= want:
            break
    at, cols, missing = _find_header(head, columns)
    if missing is not None:
        filled = lambda r: any(c is not None and str(c).strip() for c in r)
        if not any(filled(r) for r in head) and not any(filled(r) for r in rows):
            return None
    return _SheetHead(head, at, cols, missing)


def read_xlsx(path: Path, source: str, column=None, sheet: Optional[str] = None) -> Iterator[Record]:
    """Every worksheet in order (or only `sheet`), a row at a time: a first pass finds each
    sheet's header, a second streams its rows. `column` is a Columns, or the text column's name."""
    columns = column if isinstance(column, Columns) else Columns(text=column)
    wb, error = _open_workbook(path, source)
    if error is not None:
        yield error
        return
    try:
        sheets, error = _chosen_sheets(wb, source, sheet)
        if error is not None:
            yield error
            return
        several = len(sheets) > 1
        heads = [_sheet_head(ws, columns) for ws in sheets]
        failed = [h.missing for h in heads if h is not None and h.missing is not None]
        if failed and len(failed) == sum(1 for h in heads if h is not None):      # empty sheets aside
            # no sheet holds a text column: said once for the file
            yield Record(source, error=columns.no_text_column(source, failed[0]), source=source,
                         code="no_text_column")
            return
        for ws, h in zip(sheets, heads):
            if h is None:
                continue
            if h.missing is not None:
                where = f"sheet {ws.title!r} of {source}"
                yield Record(f"{ws.title}:{source}", error=columns.no_text_column(where, h.missing), source=source,
                             code="no_text_column")
                continue
            table = Table("xlsx", source, path=path, sheet=ws.title, header=h.head[h.at], header_row=h.at + 1,
                          text_at=h.cols["text"], id_at=h.cols.get("id"))
            yield from _xlsx_rows(ws.iter_rows(min_row=h.at + 2, values_only=True), h, table, source,
                                  f"sheet {ws.title!r} of {source}" if several else source,
                                  prefix=f"{ws.title}:" if several else "")
    finally:
        wb.close()


def _xlsx_rows(rows, h: _SheetHead, table: Table, source, where, prefix=""):
    """The data rows of a sheet (those below its header), each a Record; blank rows skipped."""
    cols = h.cols
    base = h.at + 1
    raw = lambda row, role: row[cols[role]] if role in cols and cols[role] < len(row) else None
    for n, row in enumerate(rows, start=1):
        rownum = base + n
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue                                # a blank row between posts
        at = InputRow(table, rownum, list(row))
        rid_cell = raw(row, "id")
        rid = str(rid_cell).strip() if rid_cell is not None and str(rid_cell).strip() else f"{prefix}{n}"
        value = raw(row, "text")
        if value is None or (isinstance(value, str) and not value.strip()):
            yield Record(rid, error=f"{where}: row {rownum} has an empty '{table.header[cols['text']]}' cell",
                         source=source, code="empty", row=at)
            continue
        account, profile, policy = raw(row, "account"), raw(row, "profile"), raw(row, "policy")
        yield Record(rid, str(value), str(account).strip() if account not in (None, "") else None,
                     str(profile) if profile not in (None, "") else None,
                     policy=str(policy).strip() if policy not in (None, "") else None, source=source, row=at,
                     allow=allow_cell(raw(row, "allow"), raw(row, "allowreason")))


def allow_cell(value, reason=None) -> Optional[list]:
    """The `allow` cell of a CSV row or sheet row: rule ids separated by commas, semicolons or
    spaces, each with the row's `allow reason` cell as its reason (when there is one)."""
    if value is None:
        return None
    ids = [x for x in re.split(r"[,;\s]+", str(value)) if x]
    if not ids:
        return None
    reason = str(reason).strip() if reason not in (None, "") else None
    return [{"rule": x, "reason": reason} if reason else x for x in ids]


def _plain_post(rid, data: bytes, source: str, name: str, path=None):
    """One post from a whole text file or stream; empty input is an error, not a pass."""
    try:
        text = _decode(data, source)
    except ValueError as exc:
        return Record(rid, error=str(exc), source=source, code="not_utf8")
    if not text.strip():
        return Record(rid, error=f"{name} is empty: there is no post to screen", source=source, code="empty")
    table = Table("text", source, path=path, header=["text"], text_at=0)
    return Record(rid, text, source=source, row=InputRow(table, 1, [text]))


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


STDIN_FORMATS = ("text", "jsonl", "json")


def read_inputs(paths, column: Optional[str] = None, stdin=None, *, id_column: Optional[str] = None,
                account_column: Optional[str] = None, profile_column: Optional[str] = None,
                header_row: Optional[int] = None, sheet: Optional[str] = None, stdin_format: str = "text",
                notice=None) -> Iterator[Record]:
    """Records from every input in order. Raises InputOpenError at once (when called, before any
    record is read or any output opened) for an input that does not exist; an input that exists
    but cannot be read becomes an error record in its place, when its turn comes (so the records
    read before it are screened and written).

    The column names (`column` for the text, `id_column`, ...) are matched without regard to
    case, spacing or punctuation; without them the common names are found. `header_row` forces
    the header row of a CSV or sheet (1-based) instead of finding it in the first rows; `sheet`
    reads one sheet of a workbook instead of every sheet. Standard input is read as
    `stdin_format`: one plain post (text, the default), JSON Lines, or JSON (one object, or an
    array of objects). `notice(message)` is told what is worth saying once about a file (the
    encoding of a CSV that is not UTF-8)."""
    if stdin_format not in STDIN_FORMATS:
        raise ValueError(f"stdin_format must be one of {', '.join(STDIN_FORMATS)}")
    if header_row is not None and header_row < 1:
        raise ValueError("header_row counts from 1")
    columns = Columns(text=column, id=id_column, account=account_column, profile=profile_column,
                      header_row=header_row)
    paths = list(paths) or ["-"]
    for p in paths:
        if p != "-" and not Path(p).is_file():
            raise InputOpenError(f"{display_name(p)}: no such file")
    return _read_all(paths, columns, stdin, sheet, stdin_format, notice)


def _read_all(paths, columns, stdin, sheet, stdin_format, notice) -> Iterator[Record]:
    for p in paths:
        yield from _guarded(_read_one(p, columns, stdin, sheet, stdin_format, notice),
                            "<stdin>" if p == "-" else display_name(p))


def read_json(data: bytes, source: str) -> Iterator[Record]:
    """A JSON document: one object (one record) or an array of objects (one record each)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        yield Record("1", error=f"{source} is not UTF-8 (byte {exc.start})", source=source, code="not_utf8")
        return
    if not text.strip():
        yield Record("1", error=f"{source} is empty: there is no post to screen", source=source, code="empty")
        return
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Record("1", error=f"{source} is not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno}); "
                                f"give one object or an array of objects, or use --stdin-format jsonl or text",
                     source=source, code="invalid_json")
        return
    except RecursionError:
        yield Record("1", error=f"{source} is nested too deeply to read", source=source, code="invalid_json")
        return
    if "\\u" in text and _has_surrogate(obj):
        obj = _replace_surrogates(obj)
    table = Table("json", source)
    if isinstance(obj, dict):
        yield _record_from_obj(obj, "1", source, table, 1)
    elif isinstance(obj, list):
        if not obj:
            yield Record("1", error=f"{source} is an empty array: there is no post to screen", source=source,
                         code="empty")
        for n, item in enumerate(obj, start=1):
            yield _record_from_obj(item, str(n), source, table, n)
    else:
        yield Record("1", error=f"{source} is JSON but neither an object nor an array of objects", source=source,
                     code="invalid_json")


def _stdin_stream(stdin):
    return stdin if stdin is not None else getattr(sys.stdin, "buffer", None)


def _stdin_jsonl(stdin) -> Iterator[Record]:
    """JSON Lines from standard input, a line at a time."""
    closed = Record("1", error="standard input is closed or cannot be read", source="<stdin>", code="unreadable")
    stream = _stdin_stream(stdin)
    if stream is None:
        yield closed
        return
    try:
        first = stream.readline()
    except (OSError, ValueError, AttributeError):
        yield closed
        return
    seen = False
    for rec in read_jsonl(itertools.chain([first], iter(stream.readline, b"")), "<stdin>"):
        seen = True
        yield rec
    if not seen:
        yield Record("1", error="standard input is empty: there is no post to screen", source="<stdin>", code="empty")


def _read_one(p, columns, stdin, sheet, stdin_format, notice) -> Iterator[Record]:
    if p == "-":
        if stdin_format == "jsonl":
            yield from _stdin_jsonl(stdin)
            return
        data = _stdin_bytes(stdin)
        if data is None:
            yield Record("1", error="standard input is closed or cannot be read", source="<stdin>", code="unreadable")
            return
        if stdin_format == "json":
            yield from read_json(data, "standard input")
        else:
            yield _plain_post("1", data, "<stdin>", "standard input")
        return
    path = Path(p)
    name = display_name(p)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        yield from read_xlsx(path, name, columns, sheet=sheet)
        return
    try:
        fh = open(path, "rb")
        try:
            fh.read(1)                      # a file that opens but cannot be read (/proc/self/mem)
            fh.seek(0)
        except OSError:
            fh.close()
            raise
    except OSError as exc:
        yield Record(name, error=f"{name}: cannot be read ({exc.strerror or exc.__class__.__name__})",
                     code="unreadable")
        return
    with fh:
        if suffix in (".jsonl", ".ndjson"):
            yield from read_jsonl(fh, name, path=path)             # a line at a time
            return
        if suffix != ".csv":
            yield _plain_post(display_name(path.name), fh.read(), name, name, path=path)
            return
    yield from read_csv(path, name, columns, notice=notice)


def input_tables(paths, column: Optional[str] = None, *, id_column: Optional[str] = None,
                 account_column: Optional[str] = None, profile_column: Optional[str] = None,
                 header_row: Optional[int] = None, sheet: Optional[str] = None) -> Iterator[Table]:
    """The tables of the input files, with their columns, found without screening anything (for
    the outputs that carry every input column and must write their header first): a CSV's header,
    each sheet's header, the keys of a JSON Lines file (every line is read), a text file's one
    'text' column. Standard input and files that cannot be read are left out."""
    columns = Columns(text=column, id=id_column, account=account_column, profile=profile_column,
                      header_row=header_row)
    for p in paths:
        if p == "-":
            continue
        path = Path(p)
        name = display_name(p)
        suffix = path.suffix.lower()
        try:
            if suffix == ".xlsx":
                wb, error = _open_workbook(path, name)
                if error is not None:
                    continue
                try:
                    sheets, error = _chosen_sheets(wb, name, sheet)
                    for ws in sheets:
                        h = _sheet_head(ws, columns)
                        if h is not None and h.missing is None:
                            yield Table("xlsx", name, path=path, sheet=ws.title, header=h.head[h.at],
                                        header_row=h.at + 1, text_at=h.cols["text"], id_at=h.cols.get("id"))
                finally:
                    wb.close()
            elif suffix in (".jsonl", ".ndjson"):
                table = Table("jsonl", name, path=path)
                with open(path, "rb") as fh:
                    for raw in fh:
                        if b"{" not in raw:
                            continue
                        try:
                            obj = json.loads(raw.decode("utf-8-sig", errors="replace"))
                        except (ValueError, RecursionError):
                            continue
                        if isinstance(obj, dict):
                            table.see(obj)
                yield table
            elif suffix == ".csv":
                enc = _csv_encoding(_opener(path))
                old_limit = csv.field_size_limit(_FIELD_LIMIT)
                try:
                    with _open_csv_text(path, enc) as stream:
                        first = _csv_head(_Lines(stream), columns)
                finally:
                    csv.field_size_limit(old_limit)
                if first is None or not first[0]:
                    continue
                head = first[0]
                at, cols, missing = _find_header(head, columns)
                if missing is None:
                    yield _csv_table(name, path, enc, head, at, cols)
            else:
                yield Table("text", name, path=path, header=["text"], text_at=0)
        except Exception:           # planning is best effort: the reader reports what is wrong in its turn
            continue
