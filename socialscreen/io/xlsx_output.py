"""`--format xlsx`: the CSV output's rows as a workbook a comms officer opens in Excel: a Summary
sheet first (what was screened, posts by verdict, findings by kind and by clause), then Results
(one row per input record, in input order: the id, every input column, the result columns), with
the header frozen and filterable, long cells wrapped and each verdict cell coloured.

The workbook is written as it goes, straight into its zip file: a row at a time, so memory stays
flat however many posts, and nothing touches a temporary file (openpyxl writes each sheet to a
temporary file first, which would put post text on disk). Every string is an inline string, never
a formula. A sheet that reaches Excel's 1,048,576 rows goes on in "Results (2)"; a cell over
Excel's 32,767 characters is cut, and says so.
"""
from __future__ import annotations

import datetime
import re
import zipfile
from collections import Counter
from xml.sax.saxutils import escape

from .html_report import LABELS
from .result_columns import RESULT_COLUMNS, ColumnPlan

MAX_ROWS = 1_048_576
MAX_CELL = 32_767
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

# cellXfs, in this order (the s= index of a cell)
S_DEFAULT, S_HEADER, S_WRAP, S_BLOCK, S_REVIEW, S_PASS, S_ERROR, S_DATE, S_DATETIME, S_TITLE = range(10)
VERDICT_STYLE = {"block": S_BLOCK, "review": S_REVIEW, "pass": S_PASS}
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{_MAIN}">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>
<fonts count="4"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font>
<font><b/><sz val="11"/><color rgb="FF9C0006"/><name val="Calibri"/></font><font><b/><sz val="14"/><name val="Calibri"/></font></fonts>
<fills count="7"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/></patternFill></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/></patternFill></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFFFEB9C"/></patternFill></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFC6EFCE"/></patternFill></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFD9D9D9"/></patternFill></fill></fills>
<borders count="2"><border/><border><bottom style="thin"><color rgb="FF808080"/></bottom></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="10">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
<xf numFmtId="0" fontId="2" fillId="3" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="0" fontId="1" fillId="4" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="0" fontId="0" fillId="5" borderId="0" xfId="0" applyFill="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="0" fontId="1" fillId="6" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1"><alignment vertical="top"/></xf>
<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""

_EPOCH = datetime.datetime(1899, 12, 30)
WIDTHS = {"spans": 40, "clauses": 60, "messages": 60, "fixes": 60, "error": 50, "verdict": 10, "categories": 26,
          "error_code": 16}


def column_letter(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def xml_text(value: str) -> str:
    """A string as XML text: characters XML cannot hold shown as escapes ('\\x01'), cut to what a
    cell holds."""
    value = _ILLEGAL.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100
                         else f"\\u{ord(m.group(0)):04x}", value)
    if len(value) > MAX_CELL:
        note = f"\u2026 [cut: {len(value):,} characters, over Excel's limit of {MAX_CELL:,}]"
        value = value[: MAX_CELL - len(note)] + note
    return escape(value)


def cell_xml(ref: str, value, style: int = S_DEFAULT) -> str:
    """One <c> element; strings are inline strings (never formulas)."""
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)) and abs(value) < 1e15 and value == value:
        return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'
    if isinstance(value, datetime.datetime):
        serial = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        st = S_DATE if value.time() == datetime.time(0) else S_DATETIME
        return f'<c r="{ref}" s="{st}"><v>{serial!r}</v></c>'
    if isinstance(value, datetime.date):
        serial = (datetime.datetime(value.year, value.month, value.day) - _EPOCH).days
        return f'<c r="{ref}" s="{S_DATE}"><v>{serial}</v></c>'
    if not isinstance(value, str):
        from .input_rows import cell_text
        value = cell_text(value)
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{xml_text(value)}</t></is></c>'


class _Sheet:
    """A worksheet written row by row into the zip."""

    def __init__(self, zf: zipfile.ZipFile, number: int, name: str, widths, freeze: bool):
        self.number, self.name, self.rows, self.width = number, name, 0, len(widths)
        self.stream = zf.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True)
        self.filter = freeze
        pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft"/>') if freeze else ""
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
        self._write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
                    f'xmlns:r="{_REL}"><sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
                    f'<sheetFormatPr defaultRowHeight="15"/>' + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")

    def _write(self, s: str):
        self.stream.write(s.encode("utf-8"))

    def row(self, values, styles=None):
        self.rows += 1
        r = self.rows
        cells = "".join(cell_xml(f"{column_letter(i)}{r}", v, styles[i] if styles else S_DEFAULT)
                        for i, v in enumerate(values))
        self._write(f'<row r="{r}">{cells}</row>')

    def close(self):
        tail = "</sheetData>"
        if self.filter and self.rows and self.width:
            tail += f'<autoFilter ref="A1:{column_letter(self.width - 1)}{self.rows}"/>'
        self._write(tail + '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                    "</worksheet>")
        self.stream.close()


class XlsxWriter:
    """Writes (record, result) pairs as a workbook to `out` (a path, or a binary stream)."""

    wants_post = True

    def __init__(self, out, plan: ColumnPlan, *, meta=None):
        self.plan, self.meta = plan, dict(meta or {})
        self.zf = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self.sheets = []                       # (number, name, rows, filtered)
        self.counts = Counter()
        self.categories = Counter()
        self.clauses = Counter()
        self.current = None
        self._widths = ([14] if plan.with_id else []) + [50 if h in plan.text_columns else 16 for h in plan.inputs] \
            + ([30] if plan.other else []) + [WIDTHS.get(c, 16) for c in RESULT_COLUMNS]
        self._wrap = ([S_DEFAULT] if plan.with_id else []) + [S_WRAP if h in plan.text_columns else S_DEFAULT for h in plan.inputs] \
            + ([S_WRAP] if plan.other else []) + [S_WRAP if c in ("spans", "clauses", "messages", "fixes", "error")
                                                  else S_DEFAULT for c in RESULT_COLUMNS]
        self._verdict_at = len(plan.header) - len(RESULT_COLUMNS)
        self._new_results_sheet()

    def _new_results_sheet(self):
        if self.current is not None:
            self.current.close()
            self.sheets.append((self.current.number, self.current.name, self.current.rows, True))
        n = sum(1 for s in self.sheets if s[1].startswith("Results")) + 1
        self.current = _Sheet(self.zf, len(self.sheets) + 2, "Results" if n == 1 else f"Results ({n})",
                              self._widths, freeze=True)
        self.current.row(self.plan.header, [S_HEADER] * len(self.plan.header))

    def write(self, rec, post=None):
        if self.current.rows >= MAX_ROWS:
            self._new_results_sheet()
        values = self.plan.row(post, rec)
        styles = list(self._wrap)
        if rec.get("error"):
            self.counts["error"] += 1
            styles[self._verdict_at] = S_ERROR
        else:
            self.counts[rec["verdict"]] += 1
            styles[self._verdict_at] = VERDICT_STYLE.get(rec["verdict"], S_DEFAULT)
            for f in rec.get("findings", ()):
                self.categories[f["category"]] += 1
                for c in f["clauses"]:
                    self.clauses[(c["policy"], c["id"], c["title"])] += 1
        self.current.row(values, styles)

    def close(self):
        self.current.close()
        self.sheets.append((self.current.number, self.current.name, self.current.rows, True))
        self._summary()
        self._package()
        self.zf.close()

    # -- the Summary sheet and the package parts ----------------------------------------
    def _summary(self):
        s = _Sheet(self.zf, 1, "Summary", [34, 12, 60], freeze=False)
        total = sum(self.counts.values())
        s.row(["socialscreen report"], [S_TITLE])
        when = self.meta.get("date") or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        for label, value in (("Screened", self.meta.get("inputs", "")), ("Policy", ", ".join(self.meta.get("packs", []))),
                             ("Date", when), ("Posts", total)):
            s.row([label, value], [S_HEADER, S_DEFAULT])
        s.row([])
        s.row(["Verdict", "Posts", "What it means"], [S_HEADER] * 3)
        for v, words, st in (("block", "Do not publish", S_BLOCK), ("review", "Check before publishing", S_REVIEW),
                             ("pass", "Fine to publish", S_PASS), ("error", "Could not be screened", S_ERROR)):
            if v != "error" or self.counts.get("error"):
                s.row([v, self.counts.get(v, 0), words], [st, S_DEFAULT, S_DEFAULT])
        if self.categories:
            s.row([])
            s.row(["Problem", "Findings", "Category"], [S_HEADER] * 3)
            for cat, n in self.categories.most_common():
                s.row([LABELS.get(cat, cat), n, cat])
            s.row([])
            s.row(["Clause", "Findings", "Title"], [S_HEADER] * 3)
            for (pol, cid, title), n in self.clauses.most_common():
                s.row([f"{pol} {cid}", n, title], [S_DEFAULT, S_DEFAULT, S_WRAP])
        s.row([])
        s.row(["Each post is on the Results sheet, in input order, with its problems, the policy's words and "
               "what to do."], [S_DEFAULT])
        s.close()
        self.sheets.insert(0, (1, "Summary", s.rows, False))

    def _package(self):
        sheets = sorted(self.sheets)                        # Summary first, then Results, Results (2), ...
        names = "".join(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>' for n, name, _, _ in sheets)
        filters = "".join(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                          f"'{escape(name)}'!$A$1:${column_letter(len(self.plan.header) - 1)}${max(rows, 1)}"
                          f"</definedName>" for i, (n, name, rows, filtered) in enumerate(sheets) if filtered)
        self.zf.writestr("xl/workbook.xml",
                         f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
                         f'xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/></bookViews>'
                         f"<sheets>{names}</sheets>" + (f"<definedNames>{filters}</definedNames>" if filters else "")
                         + "</workbook>")
        rels = "".join(f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                       for n, _, _, _ in sheets)
        rels += f'<Relationship Id="rIdStyles" Type="{_REL}/styles" Target="styles.xml"/>'
        self.zf.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                                       f'<Relationships xmlns="{_PKG}">{rels}</Relationships>')
        self.zf.writestr("xl/styles.xml", STYLES)
        self.zf.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
                                        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
                            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for n, _, _, _ in sheets)
        self.zf.writestr("[Content_Types].xml",
                         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
                         'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
                         '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                         'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
                         '"/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                         f'styles+xml"/>{overrides}</Types>')
