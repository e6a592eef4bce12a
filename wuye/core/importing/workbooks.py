"""Workbooks the importer hands out: blank templates and error reports."""

from __future__ import annotations

import datetime
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from wuye.core.importing.values import display

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
REQUIRED_FONT = Font(bold=True, color="C00000")
EXAMPLE_FONT = Font(italic=True, color="808080")
ERROR_FILL = PatternFill("solid", fgColor="FDE2E1")


def template_workbook(spec) -> bytes:
    """The import's columns with Chinese headers, an example row, and a sheet of instructions.

    The example row is recognised and skipped on import, so a user may leave it in place.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = spec.sheet_title[:31]
    text_columns = {"phone", "id_number", "room", "code", "unit_code", "building", "entrance", "space"}
    for col, field in enumerate(spec.fields, start=1):
        cell = ws.cell(row=1, column=col, value=field.header)
        cell.fill = HEADER_FILL
        cell.font = REQUIRED_FONT if field.required else Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        if field.help:
            cell.comment = Comment(str(field.help), "Wuye")
        example = ws.cell(row=2, column=col, value=field.example if field.example != "" else None)
        example.font = EXAMPLE_FONT
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(
            10, len(field.header) * 2 + 4, len(str(field.example or "")) + 4
        )
        if field.name in text_columns:
            # Text format keeps leading zeros and every digit of phones and ID numbers.
            for row in range(2, 1002):
                ws.cell(row=row, column=col).number_format = "@"
    ws.freeze_panes = "A2"

    info = wb.create_sheet(_("Instructions")[:31])
    rows = [(_("Column"), _("Required"), _("Meaning"), _("Accepted values"), _("Example"))]
    for field in spec.fields:
        rows.append(
            (
                field.header,
                _("yes") if field.required else "",
                f"{field.label}. {field.help}" if field.help else str(field.label),
                "、".join(field.words),
                display(field.example),
            )
        )
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            cell = info.cell(row=r, column=c, value=value)
            if r == 1:
                cell.font = Font(bold=True)
                cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (16, 8, 60, 40, 20), strict=True):
        info.column_dimensions[letter].width = width
    notes = [
        _("The second row of the first sheet is an example: overwrite it or leave it, it is not imported."),
        _("Your own workbook works too: headers are matched by name, and you can correct the matching."),
    ]
    for offset, note in enumerate(notes, start=len(rows) + 2):
        info.cell(row=offset, column=1, value=note)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def error_report(table, header_row: int, problems: list[dict]) -> bytes:
    """The user's rows from the header down, with a problems column; rows with problems in red.

    The extra columns are ignored when the corrected file is uploaded again.
    """
    from wuye.core.importing.spec import format_problem

    by_row: dict[int, list[str]] = {}
    general = []
    for p in problems:
        if p.get("row"):
            text = f"{p['column']}: {p['message']}" if p.get("column") else p["message"]
            by_row.setdefault(p["row"], []).append(text)
        else:
            general.append(format_problem(p))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Problems")[:31])
    width = table.width
    header = list(table.rows[header_row - 1]) if 0 < header_row <= len(table.rows) else []
    header += [None] * (width - len(header))
    ws.append(
        [_cell(ws, v, bold=True) for v in header]
        + [_cell(ws, _("Row"), bold=True), _cell(ws, _("Problems"), bold=True)]
    )
    for number, row in enumerate(table.rows[header_row:], start=header_row + 1):
        if not any(v not in (None, "") for v in row) and number not in by_row:
            continue
        messages = by_row.get(number)
        values = list(row) + [None] * (width - len(row))
        fill = ERROR_FILL if messages else None
        ws.append([_cell(ws, v, fill=fill) for v in values] + [number, "；".join(messages or [])])
    if general:
        other = wb.create_sheet(_("Other problems")[:31])
        for message in general:
            other.append([message])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(ws, value, *, bold=False, fill=None):
    from openpyxl.cell import WriteOnlyCell

    if value is not None and not isinstance(value, int | float | str | datetime.date | datetime.datetime):
        value = str(value)
    cell = WriteOnlyCell(ws, value=value)
    if bold:
        cell.font = Font(bold=True)
    if fill is not None:
        cell.fill = fill
    if isinstance(value, datetime.datetime | datetime.date):
        cell.number_format = "yyyy-mm-dd"
    return cell
