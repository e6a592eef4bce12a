"""Messy workbooks like the ones old systems export, built with openpyxl for the tests."""

from __future__ import annotations

import io

from openpyxl import Workbook

from wuye.residents.validators import resident_id_check_digit


def resident_id(n: int, birth: str = "19850615") -> str:
    first17 = f"110101{birth}{n % 1000:03d}"
    return first17 + resident_id_check_digit(first17)


def workbook_bytes(rows, *, title_rows=(), merges=(), sheet="房屋信息", extra_sheets=()) -> bytes:
    """``rows`` start with the header; ``title_rows`` come above it (so the header is lower down)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in title_rows:
        ws.append(list(row))
    for row in rows:
        ws.append(list(row))
    for ref in merges:
        ws.merge_cells(ref)
    for name, extra in extra_sheets:
        other = wb.create_sheet(name)
        for row in extra:
            other.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


#: The owner roster of a project as an old system exports it: a title and a blank row above the
#: header (so the header is on row 3), its own Chinese headers, numbers as text and text as
#: numbers, areas with units, full-width digits, date serials and date strings, phones as numbers
#: and floats, a merged building cell, co-owners on two rows, and extra columns.
OWNER_HEADER = [
    "序号",
    "楼号",
    "单元",
    "房间号",
    "建筑面积（㎡）",
    "套内面积",
    "房屋状态",
    "交房日期",
    "业主姓名",
    "联系电话",
    "身份证号",
    "备用",
]


def owner_rows(bad: bool = False):
    rows = [
        OWNER_HEADER,
        [1, "1", 1, 101, "89.5㎡", 70.2, "自住", 45000, "张三", 13812341234, resident_id(1), "x"],
        [
            2,
            None,
            1,
            "102",
            "89.50平方米",
            None,
            "出租",
            "2024/5/1",
            "李四",
            1.3812341235e10,
            resident_id(2),
            None,
        ],
        [
            3,
            None,
            "2",
            "２０１",
            " 120 ",
            None,
            "已交付未入住",
            "2024年5月1日",
            "王五",
            "13812341236",
            None,
            None,
        ],
        [
            4,
            None,
            2,
            201,
            "120",
            None,
            "已交付未入住",
            "20240501",
            "赵六",
            "13812341237",
            resident_id(4),
            None,
        ],
        [5, 2, 1, 1201, "-5" if bad else "98", None, "已售未交付", None, "孙七", "13812341238", None, None],
    ]
    return rows


def owners_workbook(bad: bool = False) -> bytes:
    return workbook_bytes(
        owner_rows(bad),
        title_rows=[["锦绣花园业主花名册（导出）"], []],
        merges=["B4:B7"],
    )


def xls_bytes(rows, *, title_rows=(), merges=(), sheet="房屋信息") -> bytes:
    """The same workbook as :func:`workbook_bytes`, saved in the old Excel 97-2003 format (.xls)."""
    import datetime

    import xlwt
    from openpyxl.utils import range_boundaries

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(sheet, cell_overwrite_ok=True)
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate([*title_rows, *rows]):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime.date):
                ws.write(r, c, value, date_style)
            else:
                ws.write(r, c, value)
    for ref in merges:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        ws.merge(min_row - 1, max_row - 1, min_col - 1, max_col - 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def owners_xls(bad: bool = False) -> bytes:
    return xls_bytes(owner_rows(bad), title_rows=[["锦绣花园业主花名册（导出）"], []], merges=["B4:B7"])
