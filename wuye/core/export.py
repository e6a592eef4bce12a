"""Excel export of list tables: inline for small lists, as a Job for large ones."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from urllib.parse import parse_qsl

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def rows_to_xlsx(rows, title: str = "Sheet1") -> bytes:
    """``rows``: an iterable whose first item is the header. Values are written as they render."""
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = title[:31] or "Sheet1"
    widths: dict[int, int] = {}
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, datetime.datetime) and value.tzinfo is not None:
                value = timezone.localtime(value).replace(tzinfo=None)
            elif value is not None and not isinstance(value, int | float | str | Decimal | datetime.date):
                value = str(value)
            cell = ws.cell(row=r, column=c, value=value)
            if r == 1:
                cell.font = Font(bold=True)
            widths[c] = max(widths.get(c, 0), min(60, len(str(value or "")) * 2 + 2))
    for c, width in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = max(8, width)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table_to_xlsx(table, title: str) -> bytes:
    return rows_to_xlsx(table.as_values(), title=title)


def export_filename(model) -> str:
    return f"{model._meta.model_name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def export_list_job(ctx, *, path: str, query: str, user_id: int, project_id: int | None):
    """Job body: rebuild the list view's filtered table for that user and write the workbook."""
    from django.contrib.auth import get_user_model
    from django.http import QueryDict
    from django.test import RequestFactory
    from django.urls import resolve

    from wuye.core.middleware import load_project

    user = get_user_model().objects.get(pk=user_id)
    params = QueryDict(mutable=True)
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in ("export", "page"):
            params.appendlist(key, value)
    request = RequestFactory().get(path, params)
    request.user = user
    request.session = {}
    request.project = load_project(user, project_id)
    match = resolve(path)
    view = match.func.view_class(**getattr(match.func, "view_initkwargs", {}))
    view.setup(request, *match.args, **match.kwargs)
    ctx.progress(10, 100, "querying")
    table = view.build_table(paginate=False)
    ctx.progress(50, 100, "writing")
    content = table_to_xlsx(table, str(view.model._meta.verbose_name_plural))
    ctx.save_output(export_filename(view.model), content)
    return {"rows": len(table.rows)}
