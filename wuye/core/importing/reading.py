"""Reading the user's workbook (.xlsx/.xlsm, old .xls, or .csv) into plain rows of cell values.

Merged cells are filled with the value of their top-left cell, so a building number merged over
twenty rows reads as twenty rows with that number. Fully empty rows are kept (row numbers must
match what the user sees in Excel) and skipped later.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv")


class ReadError(ValueError):
    """The file cannot be read at all; ``str(exc)`` is the message for the user."""


@dataclass
class Table:
    sheet_names: list[str]
    sheet: str
    rows: list[list] = field(default_factory=list)  # rows[0] is Excel row 1

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def read_table(source, *, filename: str = "", sheet: str | None = None, max_rows: int | None = None) -> Table:
    """``source``: a path or a binary file object. ``max_rows`` reads only the top (for mapping)."""
    name = str(filename or getattr(source, "name", "") or source).lower()
    if name.endswith(".csv"):
        return _read_csv(source, max_rows)
    if name.endswith(".xls"):
        return _read_xls(source, sheet, max_rows)
    if not name.endswith((".xlsx", ".xlsm")):
        raise ReadError(_("Upload an Excel workbook (.xlsx or .xls) or a CSV file."))
    return _read_xlsx(source, sheet, max_rows)


def _open_bytes(source) -> bytes:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fh:
            return fh.read()
    if isinstance(source, bytes):
        return source
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()


def _read_xlsx(source, sheet, max_rows) -> Table:
    data = _open_bytes(source)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ReadError(_("The file is not a readable Excel workbook.")) from None
    try:
        names = [ws.title for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        if not names:
            raise ReadError(_("The workbook has no visible sheet."))
        if sheet and sheet not in names:
            raise ReadError(_("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet})
        ws = wb[sheet or _first_filled(wb, names)]
        rows = []
        for values in ws.iter_rows(values_only=True, max_row=max_rows):
            rows.append(list(values))
        _fill_merged(rows, _merged_ranges(ws))
        _trim(rows)
        return Table(sheet_names=names, sheet=ws.title, rows=rows)
    finally:
        wb.close()


def _read_xls(source, sheet, max_rows) -> Table:
    """Excel 97-2003 workbooks (what many older property systems export), through xlrd.

    Cells come out as openpyxl gives them: dates as ``datetime``, whole numbers as ``int``, empty
    cells as None; merged ranges are filled like in .xlsx files.
    """
    import xlrd

    data = _open_bytes(source)
    try:
        wb = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception:
        raise ReadError(_("The file is not a readable Excel workbook.")) from None
    try:
        sheets = [wb.sheet_by_index(i) for i in range(wb.nsheets)]
        visible = [ws for ws in sheets if not getattr(ws, "visibility", 0)]
        if not visible:
            raise ReadError(_("The workbook has no visible sheet."))
        names = [ws.name for ws in visible]
        if sheet and sheet not in names:
            raise ReadError(_("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet})
        if sheet:
            ws = visible[names.index(sheet)]
        else:
            ws = next((w for w in visible if _xls_has_data(w)), visible[0])

        def value(cell):
            if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                return None
            if cell.ctype == xlrd.XL_CELL_DATE:
                return xlrd.xldate.xldate_as_datetime(cell.value, wb.datemode)
            if cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
                return int(cell.value)
            if cell.ctype == xlrd.XL_CELL_BOOLEAN:
                return bool(cell.value)
            if cell.ctype == xlrd.XL_CELL_ERROR:
                return None
            return cell.value

        count = ws.nrows if not max_rows else min(ws.nrows, max_rows)
        rows = [[value(c) for c in ws.row(r)] for r in range(count)]
        # xlrd's merged ranges are (first row, last row + 1, first col, last col + 1), 0-based
        ranges = [(c1 + 1, r1 + 1, c2, r2) for r1, r2, c1, c2 in ws.merged_cells]
        _fill_merged(rows, ranges)
        _trim(rows)
        return Table(sheet_names=names, sheet=ws.name, rows=rows)
    finally:
        wb.release_resources()


def _xls_has_data(ws) -> bool:
    return any(any(v not in (None, "") for v in ws.row_values(r)) for r in range(min(ws.nrows, 20)))


def _first_filled(wb, names) -> str:
    """The first sheet with anything in its first rows (templates and exports put data first)."""
    for name in names:
        for row in wb[name].iter_rows(values_only=True, max_row=20):
            if any(v not in (None, "") for v in row):
                return name
    return names[0]


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"')


def _merged_ranges(ws) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a read-only sheet (openpyxl only parses them in normal mode)."""
    get_source = getattr(ws, "_get_source", None)
    if get_source is None:
        return [range_boundaries(str(r)) for r in getattr(ws, "merged_cells", {}).ranges]
    with get_source() as src:
        xml = src.read()
    return [range_boundaries(ref.decode()) for ref in _MERGE.findall(xml)]


def _fill_merged(rows, ranges):
    for min_col, min_row, max_col, max_row in ranges:
        if min_row > len(rows):
            continue
        top = rows[min_row - 1]
        value = top[min_col - 1] if min_col - 1 < len(top) else None
        for r in range(min_row, min(max_row, len(rows)) + 1):
            row = rows[r - 1]
            for c in range(min_col, max_col + 1):
                while len(row) < c:
                    row.append(None)
                if (r, c) != (min_row, min_col):
                    row[c - 1] = value


def _trim(rows):
    """Drop empty trailing cells and rows (sheets often claim thousands of formatted blank rows)."""
    for row in rows:
        while row and (row[-1] is None or (isinstance(row[-1], str) and not row[-1].strip())):
            row.pop()
    while rows and not rows[-1]:
        rows.pop()


def _read_csv(source, max_rows) -> Table:
    data = _open_bytes(source)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReadError(_("The CSV file is neither UTF-8 nor GBK encoded."))
    rows = []
    for index, row in enumerate(csv.reader(io.StringIO(text))):
        if max_rows and index >= max_rows:
            break
        rows.append([cell if cell.strip() else None for cell in row])
    _trim(rows)
    return Table(sheet_names=["CSV"], sheet="CSV", rows=rows)


def header_texts(row: list) -> list[str]:
    """Header cells as the user wrote them (only whitespace tidied), for messages and the mapping page."""
    out = []
    for value in row:
        text = "" if value is None else str(value)
        out.append(" ".join(text.split()))
    return out
