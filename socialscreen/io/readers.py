"""Turn input files into posts, in order: each record becomes a `Post`, or a `RecordError`
in its place when it cannot be read: nothing is silently dropped."""
from __future__ import annotations

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

_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)     # set around each CSV read, never process-wide

_ESCAPED = re.compile("[\udc80-\udcff]")          # bytes kept by "surrogateescape"
_SURROGATE = re.compile("[\ud800-\udfff]")        # a lone surrogate (a JSON "\\ud800" escape)


class InputOpenError(Exception):
    """An input cannot be opened at all (exit status 2)."""


def Record(rid, text=None, account=None, profile=None, attachments=None, policy=None, error=None, source="",
           allow=None):
    """A Post, or a RecordError (an `error` given, or fields that are not valid)."""
    if error is not None:
        return RecordError(str(rid), error)
    try:
        return Post.build(text, id=rid, account=account, profile=profile, attachments=attachments, policy=policy,
                          allow=allow)
    except ScreenInputError as exc:
        return RecordError(str(rid), f"{source or 'input'}: {exc}", exc.code)      # never the record's values


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
    return Record(rid, text, account, profile, attachments, policy=policy, source=source, allow=obj.get("allow"))


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


def _single_byte_encoding(data: bytes) -> str:
    """The single-byte encoding of a file that is not UTF-8: charset-normalizer's choice among
    the encodings spreadsheets export, with Windows-1252 (Excel's "CSV" on a Western Windows)
    preferred when it reads the file too; without charset-normalizer, Windows-1252 or Latin-1."""
    cp1252_ok = True
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        cp1252_ok = False
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data, cp_isolation=list(_SINGLE_BYTE)).best()
        guess = best.encoding if best is not None else None
    except Exception:                      # not installed, or it failed on this input
        guess = None
    if guess in ("cp1250", "cp1251") and not (cp1252_ok and guess == "cp1250"):
        return guess                        # a Central European / Cyrillic export
    if cp1252_ok:
        return "cp1252"
    return guess if guess in _SINGLE_BYTE else "latin_1"


def _csv_text(data: bytes) -> tuple[str, Optional[str]]:
    """The CSV as text, and the name of its encoding when it is not UTF-8. UTF-8 with or without
    a BOM; UTF-16 with its BOM; a file that is not UTF-8 anywhere in a single-byte encoding
    (detected); a UTF-8 file with a few bad bytes keeps them as lone surrogates
    ("surrogateescape") so that only the rows holding them are marked, not the whole file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    if _UTF8_SEQ.search(data) is None:      # no UTF-8 character anywhere: a single-byte export
        enc = _single_byte_encoding(data)
        return data.decode(enc, errors="replace"), _SINGLE_BYTE.get(enc, enc)
    return data.decode("utf-8", errors="surrogateescape"), None


def _bad_bytes(value: str) -> Optional[str]:
    """The first undecodable byte of a cell, as '0xE9', or None."""
    m = _ESCAPED.search(value)
    return f"0x{ord(m.group(0)) - 0xDC00:02X}" if m else None


def read_csv(data: bytes, source: str, column=None, notice=None) -> Iterator[Record]:
    """`column` is a Columns, or the text column's name (or None)."""
    columns = column if isinstance(column, Columns) else Columns(text=column)
    text, encoding = _csv_text(data)
    if encoding and notice is not None:
        notice(f"{source}: read as {encoding} (it is not UTF-8)")
    old_limit = csv.field_size_limit(_FIELD_LIMIT)
    try:
        yield from _read_csv_rows(text, source, columns)
    finally:
        csv.field_size_limit(old_limit)


MAX_RESYNCS = 10_000      # bad quotes in one CSV before the rest of it is one error


def _read_csv_rows(text, source, columns: Columns):
    """Rows of a CSV, each a Record. The file is parsed strictly, so that a quoted cell that is
    never closed (or has text after its closing quote) is found where it starts: that row becomes
    an error and reading goes on from the line after it, so it never swallows the rows after it.
    A quote inside a cell that is not quoted ("he said "hi") is part of the cell. Error messages
    give the file's own row numbers (title rows above the header counted)."""
    lines = list(io.StringIO(text, newline=""))
    header_reader = csv.reader(lines, strict=True)
    head, ends = [], []                    # the first rows, and the lines consumed after each
    want = max(HEADER_SCAN_ROWS, columns.header_row or 0)
    try:
        for cells in header_reader:
            head.append(cells)
            ends.append(header_reader.line_num)
            if len(head) >= want:
                break
    except csv.Error:
        if not head:
            yield Record(source, error=f"{source}: the header row cannot be read as CSV (a quote is not closed)",
                         source=source)
            return
    if not head:
        yield Record(source, error=f"{source}: the file is empty: there is no post to screen", source=source)
        return
    at, cols, missing = _find_header(head, columns)
    if missing is not None:
        yield Record(source, error=columns.no_text_column(source, missing), source=source)
        return
    fields = head[at]
    base = at + 1                          # the header's own row number; data row n is row base + n
    n = 0
    line = ends[at]                        # physical lines consumed so far
    resyncs = 0
    while True:
        reader = csv.reader(lines[line:], strict=True)
        started = 0                                # lines consumed when the current row began
        try:
            for cells in reader:
                n += 1
                started = reader.line_num
                yield _csv_record(cells, n, base + n, fields, cols, source)
            return
        except csv.Error as exc:
            n += 1
            row = base + n
            bad = line + started                   # index of the first line of the bad row
            first = lines[bad] if bad < len(lines) else ""
            if first and first.count('"') % 2 == 0:
                # the row's own line closes every quote it opens: text after a closing quote
                # ('"closed" late'), read as the lenient reader reads it
                yield _csv_record(next(csv.reader([first]), []), n, row, fields, cols, source)
                line = bad + 1
                continue
            rid = _first_cells_id(first, cols.get("id")) or str(n)
            at_end = "end of data" in str(exc)
            resyncs += 1
            if at_end or resyncs > MAX_RESYNCS:
                more = at_end and bad + 1 < len(lines)
                msg = (f"row {row} is truncated: a quoted cell is never closed "
                       + ("(the rows after it are read on their own)" if more else "(the file looks cut off)")
                       if at_end else f"row {row} cannot be read as CSV (too many unclosed quotes)")
                yield Record(rid, error=msg, source=source)
                if at_end and bad + 1 < len(lines):
                    line = bad + 1                 # read what the open quote swallowed on its own
                    continue
                return
            yield Record(rid, error=f"row {row} has a quoted cell that is not closed properly (a quote is missing "
                                    f"or stray); the rows after it are read on their own", source=source)
            line = bad + 1


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


def _csv_record(cells, n, row, fields, cols, source) -> Record:
    """Data row n (the file's row `row`) as a Record; `cols` maps roles to cell indexes."""
    cell = lambda role: cells[cols[role]] if role in cols and cols[role] < len(cells) else None
    rid = cell("id") or str(n)
    if _bad_bytes(rid):
        rid = str(n)
    rid = rid.strip() or str(n)
    value = cell("text")
    if value is None:
        return Record(rid, error=f"row {row} is truncated: it has no '{fields[cols['text']].strip()}' cell",
                      source=source)
    for number, c in enumerate(cells, start=1):
        bad = _bad_bytes(c)
        if bad:
            where = f"column {number}" if number <= len(fields) else "an extra cell"
            return Record(rid, error=f"row {row} is not UTF-8 (byte {bad} in {where}); save the file as UTF-8",
                          source=source)
    account = (cell("account") or "").strip() or None
    return Record(rid, value, account, cell("profile") or None,
                  policy=(cell("policy") or "").strip() or None, source=source,
                  allow=allow_cell(cell("allow"), cell("allowreason")))


# ---- XLSX -----------------------------------------------------------------------------------

XLSX_MAX_UNPACKED = 64 * 1024 * 1024       # bytes a workbook may unpack to (a zip bomb is refused)


def _xlsx_unpacked_size(path: Path) -> int:
    """The total uncompressed size the workbook's zip directory declares (read before unpacking)."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return sum(max(0, info.file_size) for info in zf.infolist())


def read_xlsx(path: Path, source: str, column=None, sheet: Optional[str] = None) -> Iterator[Record]:
    """Every worksheet in order (or only `sheet`). `column` is a Columns, or the text column's name."""
    columns = column if isinstance(column, Columns) else Columns(text=column)
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
        sheets = [w for w in wb.worksheets if hasattr(w, "iter_rows")]
        if not sheets:
            yield Record(source, error=f"{source}: the workbook has no worksheet to read")
            return
        if sheet is not None:
            chosen = ([w for w in sheets if w.title == sheet]
                      or [w for w in sheets if header_key(w.title) == header_key(sheet)])
            if not chosen:
                yield Record(source, error=f"{source}: no sheet named as given with --sheet; its sheets are: "
                                           + ", ".join(repr(w.title) for w in sheets))
                return
            sheets = chosen[:1]
        several = len(sheets) > 1
        read = []
        for ws in sheets:
            where = f"sheet {ws.title!r} of {source}" if several else source
            read.append(list(_xlsx_rows(ws.iter_rows(min_row=1, values_only=True), source, where, columns,
                                        prefix=f"{ws.title}:" if several else "")))
        failed = [recs[0].missing for recs in read if len(recs) == 1 and isinstance(recs[0], _NoHeader)]
        if failed and len(failed) == sum(1 for recs in read if recs):      # empty sheets aside
            # no sheet holds a text column: said once for the file
            yield Record(source, error=columns.no_text_column(source, failed[0]), source=source)
            return
        for i, recs in enumerate(read):
            if len(recs) == 1 and isinstance(recs[0], _NoHeader):
                where = f"sheet {sheets[i].title!r} of {source}"
                recs = [Record(f"{sheets[i].title}:{source}", error=columns.no_text_column(where, recs[0].missing),
                               source=source)]
            yield from recs
    finally:
        wb.close()


class _NoHeader:
    """A sheet with no text column (the reader says so once, for the file or for the sheet)."""

    def __init__(self, missing):
        self.missing = missing


def _xlsx_rows(rows, source, where, columns: Columns, prefix=""):
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
            return                                  # an empty sheet holds no posts and no error
        yield _NoHeader(missing)
        return
    fields = head[at]
    base = at + 1
    rest = itertools.chain(head[at + 1:], rows)
    raw = lambda row, role: row[cols[role]] if role in cols and cols[role] < len(row) else None
    for n, row in enumerate(rest, start=1):
        rownum = base + n
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue                                # a blank row between posts
        rid_cell = raw(row, "id")
        rid = str(rid_cell).strip() if rid_cell is not None and str(rid_cell).strip() else f"{prefix}{n}"
        value = raw(row, "text")
        if value is None or (isinstance(value, str) and not value.strip()):
            yield Record(rid, error=f"{where}: row {rownum} has an empty '{fields[cols['text']].strip()}' cell",
                         source=source)
            continue
        account, profile, policy = raw(row, "account"), raw(row, "profile"), raw(row, "policy")
        yield Record(rid, str(value), str(account).strip() if account not in (None, "") else None,
                     str(profile) if profile not in (None, "") else None,
                     policy=str(policy).strip() if policy not in (None, "") else None, source=source,
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


STDIN_FORMATS = ("text", "jsonl", "json")


def read_inputs(paths, column: Optional[str] = None, stdin=None, *, id_column: Optional[str] = None,
                account_column: Optional[str] = None, profile_column: Optional[str] = None,
                header_row: Optional[int] = None, sheet: Optional[str] = None, stdin_format: str = "text",
                notice=None) -> Iterator[Record]:
    """Records from every input in order. Raises InputOpenError at once for an input that does
    not exist; an input that exists but cannot be read becomes an error record in its place,
    when its turn comes (so the records read before it are screened and written).

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
        yield Record("1", error=f"{source} is not UTF-8 (byte {exc.start})", source=source)
        return
    if not text.strip():
        yield Record("1", error=f"{source} is empty: there is no post to screen", source=source)
        return
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Record("1", error=f"{source} is not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno}); "
                                f"give one object or an array of objects, or use --stdin-format jsonl or text",
                     source=source)
        return
    except RecursionError:
        yield Record("1", error=f"{source} is nested too deeply to read", source=source)
        return
    if "\\u" in text and _has_surrogate(obj):
        obj = _replace_surrogates(obj)
    if isinstance(obj, dict):
        yield _record_from_obj(obj, "1", source)
    elif isinstance(obj, list):
        if not obj:
            yield Record("1", error=f"{source} is an empty array: there is no post to screen", source=source)
        for n, item in enumerate(obj, start=1):
            yield _record_from_obj(item, str(n), source)
    else:
        yield Record("1", error=f"{source} is JSON but neither an object nor an array of objects", source=source)


def _read_one(p, columns, stdin, sheet, stdin_format, notice) -> Iterator[Record]:
    if p == "-":
        data = _stdin_bytes(stdin)
        if data is None:
            yield Record("1", error="standard input is closed or cannot be read", source="<stdin>")
            return
        if stdin_format == "jsonl":
            if not data.strip():
                yield Record("1", error="standard input is empty: there is no post to screen", source="<stdin>")
            else:
                yield from read_jsonl(data, "<stdin>")
        elif stdin_format == "json":
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
        data = path.read_bytes()
    except OSError as exc:
        yield Record(name, error=f"{name}: cannot be read ({exc.strerror or exc.__class__.__name__})")
        return
    if suffix in (".jsonl", ".ndjson"):
        yield from read_jsonl(data, name)
    elif suffix == ".csv":
        yield from read_csv(data, name, columns, notice=notice)
    else:
        yield _plain_post(display_name(path.name), data, name, name)
