import datetime
import io
from decimal import Decimal

import pytest

from wuye.core.importing import values as v
from wuye.core.importing.headers import auto_mapping, find_header_row, normalize_header
from wuye.core.importing.spec import get_spec


@pytest.mark.parametrize(
    "cell, expected",
    [
        (13812341234, "13812341234"),
        (13812341234.0, "13812341234"),
        ("138 1234 1234", "13812341234"),
        ("1.3812341234E+10", "13812341234"),
        ("+86 13812341234", "13812341234"),
        ("１３８１２３４１２３４", "13812341234"),
        ("\xa013812341234\u3000", "13812341234"),
        ("021-12345678", "021-12345678"),
    ],
)
def test_phones_survive_what_excel_does_to_them(cell, expected):
    assert v.to_phone(cell)[0] == expected


def test_several_phones_in_one_cell_keep_the_others():
    assert v.to_phone("13812341234/13912341234") == ("13812341234", ["13912341234"])
    assert v.to_phone("13812341234 13912341234") == ("13812341234", ["13912341234"])


def test_a_phone_that_lost_digits_in_scientific_notation_is_refused():
    with pytest.raises(v.CellError, match="scientific notation"):
        v.to_phone("1.38123E+10")
    with pytest.raises(v.CellError):
        v.to_phone("unknown")


def test_id_numbers_stored_as_numbers():
    assert v.to_id_number(110101199003071234) == "110101199003071234"
    assert v.to_id_number(" 11010119900307123x ") == "11010119900307123X"
    with pytest.raises(v.CellError, match="15 digits"):
        v.to_id_number(1.10101199003071e17)


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("89.5㎡", "89.50"),
        ("89.50平方米", "89.50"),
        ("89.5 m²", "89.50"),
        ("89.5(㎡)", "89.50"),
        ("１２０．５", "120.50"),
        (" 1,234.5 ", "1234.50"),
        (89.49999999, "89.50"),
        (120, "120.00"),
    ],
)
def test_areas(cell, expected):
    assert v.to_decimal(cell) == Decimal(expected)


def test_not_a_number():
    with pytest.raises(v.CellError, match="Expected a number"):
        v.to_decimal("大约90")


@pytest.mark.parametrize(
    "cell",
    [
        45413,
        45413.0,
        "45413",
        "2024/5/1",
        "2024-05-01",
        "2024.5.1",
        "2024年5月1日",
        "20240501",
        20240501,
        datetime.datetime(2024, 5, 1),
        "2024-05-01 00:00:00",
        "２０２４／５／１",
    ],
)
def test_dates(cell):
    assert v.to_date(cell) == datetime.date(2024, 5, 1)


def test_impossible_dates():
    with pytest.raises(v.CellError, match="not a real date"):
        v.to_date("2024-02-30")
    with pytest.raises(v.CellError, match="Expected a date"):
        v.to_date("下个月")


@pytest.mark.parametrize(
    "cell, expected", [("是", True), ("否", False), ("Y", True), ("n", False), (1, True), ("√", True)]
)
def test_booleans(cell, expected):
    assert v.to_bool(cell) is expected


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("3", "3"),
        (3.0, "3"),
        ("03", "3"),
        ("3栋", "3"),
        ("3号楼", "3"),
        ("3#", "3"),
        ("三栋", "3"),
        ("十二幢", "12"),
        ("A座", "A"),
        ("１２", "12"),
    ],
)
def test_building_numbers(cell, expected):
    assert v.to_building_number(cell) == expected


def test_rooms_entrances_and_floors():
    assert v.to_room_number(1201) == "1201"
    assert v.to_room_number(1201.0) == "1201"
    assert v.to_room_number("１２０１室") == "1201"
    assert v.to_entrance_number("二单元") == "2"
    assert v.floor_from_room("1201") == 12 and v.floor_from_room("301") == 3
    assert v.floor_from_room("B101") == -1 and v.floor_from_room("12") is None
    assert v.to_floor("地下1层") == -1 and v.to_floor("12层") == 12 and v.to_floor("B2") == -2


def test_choices_name_the_accepted_words():
    words = {"住宅": "residential", "商铺": "shop"}
    assert v.to_choice(" 住 宅 ", words) == "residential"
    assert v.to_choice("shop", words, choices=[("shop", "Shop")]) == "shop"
    with pytest.raises(v.CellError, match="住宅、商铺"):
        v.to_choice("别墅区", words)


def test_shares():
    assert v.to_percent("50%") == Decimal("50.00")
    assert v.to_percent(0.5) == Decimal("50.00")
    assert v.to_percent("1/3") == Decimal("33.33")
    assert v.to_percent(60) == Decimal("60.00")


def test_header_normalisation():
    assert (
        normalize_header("建筑面积（㎡）")
        == normalize_header("建筑面积")
        == normalize_header("* 建筑面积(m2)")
    )
    assert normalize_header("房　号") == "房号"
    assert normalize_header("联系电话:") == "联系电话"
    assert normalize_header("业主姓名(必填)") == "业主姓名"


def test_header_row_is_found_below_a_title_and_synonyms_are_matched():
    spec = get_spec("owners")
    rows = [
        ["2024年业主花名册"],
        [],
        [
            "序号",
            "楼宇",
            "单元号",
            "房屋编号",
            "产权面积（㎡）",
            "使用面积",
            "客户名称",
            "联系方式",
            "身份证",
            "车位",
        ],
        [1, 3, 2, 1201, 89.5, 70, "张三", 13812341234, "110101199003071234", "B-1"],
    ]
    assert find_header_row(rows, spec.fields) == 2
    mapping = auto_mapping(rows[2], spec.fields)
    assert mapping == {
        1: "building",
        2: "entrance",
        3: "room",
        4: "building_area",
        5: "inner_area",
        6: "name",
        7: "phone",
        8: "id_number",
    }  # 序号 and 车位 are not owner fields: ignored


@pytest.mark.parametrize(
    "header, field",
    [
        ("楼号", "building"),
        ("楼栋号", "building"),
        ("单元", "entrance"),
        ("房号", "room"),
        ("房间", "room"),
        ("房间号", "room"),
        ("房屋号", "room"),
        ("业主", "name"),
        ("业主名称", "name"),
        ("姓名", "name"),
        ("手机", "phone"),
        ("手机号", "phone"),
        ("电话", "phone"),
        ("建筑面积", "building_area"),
        ("面积", "building_area"),
        ("套内面积", "inner_area"),
        ("证件号", "id_number"),
        ("身份证号", "id_number"),
        ("证件号码", "id_number"),
        ("入住日期", "delivery_date"),
        ("交付日期", "delivery_date"),
    ],
)
def test_owner_synonyms(header, field):
    assert auto_mapping([header], get_spec("owners").fields) == {0: field}


@pytest.mark.parametrize(
    "header, field",
    [("车牌", "plate"), ("车牌号", "plate"), ("车牌号码", "plate"), ("车位", "space"), ("车位号", "space")],
)
def test_vehicle_synonyms(header, field):
    assert auto_mapping([header], get_spec("vehicles").fields) == {0: field}


def test_an_old_xls_file_reads_like_the_same_xlsx():
    """Numbers, text, full-width digits, date serials, floats and merged cells come out the same."""
    from wuye.core.importing.reading import read_table
    from wuye.core.importing.tests.sheets import owners_workbook, owners_xls

    xlsx = read_table(io.BytesIO(owners_workbook()), filename="a.xlsx")
    xls = read_table(io.BytesIO(owners_xls()), filename="a.xls")
    assert xls.sheet == xlsx.sheet == "房屋信息"
    assert xls.rows == xlsx.rows
    assert xls.rows[4][1] == "1"  # the merged building cell filled down


@pytest.mark.django_db
def test_an_old_xls_owner_roster_imports(cast, run):
    from wuye.core.importing.tests.sheets import owners_xls

    out = run(
        "owners", owners_xls(), project=cast.project_a, actor=cast.manager_a, commit=True, filename="x.xls"
    )
    assert out.problems == [] and out.committed and out.counts["ownerships_created"] == 5
