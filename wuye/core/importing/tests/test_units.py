"""The units import: a messy sheet, the dry run, all-or-nothing commit, re-import, the developer."""

import io
import time

import pytest
from openpyxl import Workbook

from wuye.core.importing.tests.sheets import workbook_bytes
from wuye.estate.models import Building, Entrance, Unit
from wuye.residents.models import Ownership, Person

HEADER = [
    "序号",
    "楼栋号",
    "单元",
    "房号",
    "建筑面积(㎡)",
    "套内面积",
    "用途",
    "房屋状态",
    "交付日期",
    "备用列",
]


def units_sheet(area_1202="89.50平方米"):
    rows = [
        HEADER,
        [1, "3栋", 1, 1201, "89.5㎡", "70.2", "住宅", "自住", 45413, "x"],
        [2, None, 1, "1202", area_1202, None, "住宅", "未售", None, None],
        [3, None, "2", "１３０１", 120, None, "住宅", "已售未交付", "2024/5/1", None],
        [4, None, "2", "101", " 45.5 ", None, "商铺", "出租", "2024年5月1日", None],
        [5, 10, None, "B101", "12", None, "储藏室", "空置", "20240501", None],
    ]
    # a title and a blank row above the header (header on row 3); 3栋 merged over four rows
    return workbook_bytes(rows, title_rows=[["锦绣花园房屋清单"], []], merges=["B4:B7"])


@pytest.mark.django_db
def test_dry_run_counts_and_writes_nothing(cast, run):
    out = run("units", units_sheet(), project=cast.project_a, actor=cast.manager_a)
    assert out.problems == [] and not out.committed
    assert out.rows == 5
    assert out.counts["buildings_created"] == 2
    assert out.counts["entrances_created"] == 2
    assert out.counts["units_created"] == 5
    assert out.counts["developer_ownerships"] == 2  # 未售 and 已售未交付, nobody owns them yet
    assert not Unit.objects.exists() and not Building.objects.exists() and not Person.objects.exists()


@pytest.mark.django_db
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_written(cast, run):
    out = run("units", units_sheet(area_1202="-5"), project=cast.project_a, actor=cast.manager_a, commit=True)
    assert not out.committed
    assert [(p.row, p.column, p.value) for p in out.problems] == [(5, "建筑面积(㎡)", "-5")]
    assert "positive" in out.problems[0].message
    assert "Row 5" in str(out.problems[0]) and "建筑面积(㎡)" in str(out.problems[0])
    assert not Unit.objects.exists() and not Building.objects.exists() and not Ownership.objects.exists()


@pytest.mark.django_db
def test_commit_writes_everything_and_a_second_run_changes_nothing(cast, run):
    out = run("units", units_sheet(), project=cast.project_a, actor=cast.manager_a, commit=True)
    assert out.committed and out.problems == []
    units = {
        u.code: u for u in Unit.objects.filter(project=cast.project_a).select_related("building", "entrance")
    }
    assert sorted(units) == ["10-B101", "3-1-1201", "3-1-1202", "3-2-101", "3-2-1301"]
    u = units["3-1-1201"]
    assert (u.floor, str(u.building_area), str(u.inner_area), u.usage, u.status) == (
        12,
        "89.50",
        "70.20",
        "residential",
        "occupied",
    )
    assert (
        str(u.delivery_date) == "2024-05-01" and u.search_code == "311201" and u.created_by == cast.manager_a
    )
    assert units["3-2-101"].usage == "shop" and units["3-2-101"].status == "rented"
    assert units["10-B101"].floor == -1 and units["10-B101"].entrance is None
    three = Building.objects.get(project=cast.project_a, number="3")
    assert (three.floors_above, three.floors_below, three.building_type) == (13, 0, "high_rise")
    assert Building.objects.get(number="10").floors_below == 1
    assert set(Entrance.objects.values_list("number", flat=True)) == {"1", "2"}
    developer = Person.objects.get(project=cast.project_a, is_developer=True)
    assert developer.kind == "organization" and developer.name == "项目甲开发商"
    assert set(Ownership.objects.values_list("unit__code", "person__is_developer", "share")) == {
        ("3-1-1202", True, 100),
        ("3-2-1301", True, 100),
    }

    again = run("units", units_sheet(), project=cast.project_a, actor=cast.manager_a, commit=True)
    assert again.problems == []
    assert again.counts["units_created"] == 0 and again.counts["units_unchanged"] == 5
    assert again.counts["developer_ownerships"] == 0 and again.counts["buildings_created"] == 0
    assert Unit.objects.count() == 5 and Building.objects.count() == 2 and Ownership.objects.count() == 2
    assert Person.objects.filter(is_developer=True).count() == 1


@pytest.mark.django_db
def test_changed_values_update_existing_units(cast, run):
    run("units", units_sheet(), project=cast.project_a, actor=cast.manager_a, commit=True)
    out = run("units", units_sheet(area_1202="91"), project=cast.project_a, actor=cast.manager_a, commit=True)
    assert out.counts["units_updated"] == 1 and out.counts["units_unchanged"] == 4
    assert str(Unit.objects.get(code="3-1-1202").building_area) == "91.00"


@pytest.mark.django_db
def test_codes_come_from_a_code_column_or_are_built(cast, run):
    rows = [["房屋编码", "面积"], ["5-2-1201", 90], ["6栋1单元301室", 80], ["7-101", 70]]
    out = run("units", workbook_bytes(rows), project=cast.project_a, actor=cast.manager_a, commit=True)
    assert out.problems == []
    got = set(
        Unit.objects.values_list("code", "building__number", "entrance__number", "room_number", "floor")
    )
    assert got == {
        ("5-2-1201", "5", "2", "1201", 12),
        ("6栋1单元301室", "6", "1", "301", 3),
        ("7-101", "7", None, "101", 1),
    }


@pytest.mark.django_db
def test_every_problem_of_a_sheet_is_listed(cast, run):
    rows = [
        ["楼栋", "房号", "面积", "用途", "交付日期"],
        [1, 101, "abc", "住宅", None],
        [1, 101, 80, "别墅区", "2024-02-30"],
        [1, "12", 80, None, None],
        [None, None, None, None, "2024-01-01"],
    ]
    out = run("units", workbook_bytes(rows), project=cast.project_a, actor=cast.manager_a, commit=True)
    found = [(p.row, p.column) for p in out.problems]
    assert (2, "面积") in found  # not a number
    assert (3, "用途") in found and (3, "交付日期") in found  # unknown word, impossible date
    assert (3, "房号") in found  # 1-101 twice
    assert (4, "房号") in found  # no floor in "12"
    assert (5, "房号") in found  # the unit is missing (building carried down, room empty)
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_the_project_of_another_import_is_untouched(cast, run):
    run("units", units_sheet(), project=cast.project_a, actor=cast.manager_a, commit=True)
    out = run("units", units_sheet(), project=cast.project_b, actor=cast.staff_b, commit=True)
    assert out.counts["units_created"] == 5
    assert Unit.objects.filter(project=cast.project_b).count() == 5


@pytest.mark.django_db
def test_two_thousand_rows(cast, run):
    wb = Workbook()
    ws = wb.active
    ws.append(["楼栋", "单元", "房号", "建筑面积", "状态"])
    for i in range(2000):
        building, rest = divmod(i, 200)
        entrance, rest = divmod(rest, 100)
        floor, room = divmod(rest, 4)
        ws.append(
            [
                building + 1,
                entrance + 1,
                f"{floor + 1}{room + 1:02d}",
                89.5 + room,
                "自住" if i % 3 else "未售",
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    started = time.monotonic()
    out = run("units", buf.getvalue(), project=cast.project_a, actor=cast.manager_a, commit=True)
    elapsed = time.monotonic() - started
    assert out.problems == [] and out.committed
    assert Unit.objects.filter(project=cast.project_a).count() == 2000
    assert out.counts["developer_ownerships"] == 667
    assert elapsed < 15, elapsed


@pytest.mark.django_db
def test_blank_building_and_entrance_cells_take_the_value_above(cast, run):
    rows = [
        ["楼栋", "单元", "房号", "面积"],
        [1, 1, 101, 90],
        [None, None, 102, 90],
        [None, 2, 101, 90],
        [2, None, 101, 90],  # a new building: the entrance above does not carry over
    ]
    out = run("units", workbook_bytes(rows), project=cast.project_a, actor=cast.manager_a, commit=True)
    assert out.problems == []
    assert sorted(Unit.objects.values_list("code", flat=True)) == ["1-1-101", "1-1-102", "1-2-101", "2-101"]


@pytest.mark.django_db
def test_a_unit_listed_twice_is_reported_on_the_second_row(cast, run):
    rows = [HEADER, [1, 3, 1, 1201, 89.5], [2, 3, 1, 1202, 89.5], [3, "3栋", "1", "1201", 90]]
    out = run("units", workbook_bytes(rows), project=cast.project_a, actor=cast.manager_a, commit=True)
    assert [(p.row, p.column) for p in out.problems] == [(4, "房号")]
    assert "3-1-1201" in out.problems[0].message and "2" in out.problems[0].message
    assert not out.committed and not Unit.objects.exists()
