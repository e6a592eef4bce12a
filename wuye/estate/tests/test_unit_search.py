"""Unit-code parsing and search: the list's ``q``, the global search box and the parking filter."""

import pytest

from wuye.core.search import autodiscover, search_all
from wuye.estate.search import UnitCodeQuery, parse_unit_query
from wuye.estate.tests.factories import make_building, make_entrance, make_parking_space, make_unit


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("3-2-1201", ("3", "2", "1201")),
        ("3栋2单元1201", ("3", "2", "1201")),
        ("3栋2单元1201室", ("3", "2", "1201")),
        ("3号楼2单元1201", ("3", "2", "1201")),
        ("3幢2单元1201", ("3", "2", "1201")),
        ("3#2-1201", ("3", "2", "1201")),
        ("3-1201", ("3", "", "1201")),
        ("3#1201", ("3", "", "1201")),
        ("1201", ("", "", "1201")),
        ("1201室", ("", "", "1201")),
        ("３－２－１２０１", ("3", "2", "1201")),
        ("３栋２单元１２０１", ("3", "2", "1201")),
        (" 3 - 2 - 1201 ", ("3", "2", "1201")),
        ("3—2—1201", ("3", "2", "1201")),
        ("3 2 1201", ("3", "2", "1201")),
        ("A座1201", ("A", "", "1201")),
        ("b2-1-101", ("B2", "1", "101")),
        ("3栋", ("3", "", "")),
        ("3栋2单元", ("3", "2", "")),
        ("2单元1201", ("", "2", "1201")),
    ],
)
def test_parse_unit_query(typed, expected):
    assert parse_unit_query(typed) == UnitCodeQuery(*expected)


@pytest.mark.parametrize("typed", ["", "   ", "张三", "3-2-1201-5", "沪A·12345"])
def test_parse_rejects_what_is_not_a_unit_code(typed):
    assert parse_unit_query(typed) is None


@pytest.fixture
def estate(cast):
    """Project A: building 3 with entrances 1 and 2, building 32 without entrances, building 13."""
    b3 = make_building(cast.project_a, number="3", name="", floors_above=33)
    e1 = make_entrance(building=b3, number="1", name="")
    e2 = make_entrance(building=b3, number="2", name="")
    units = {
        "3-2-1201": make_unit(building=b3, entrance=e2, room_number="1201", floor=12, code="3-2-1201"),
        "3-1-1201": make_unit(building=b3, entrance=e1, room_number="1201", floor=12, code="3-1-1201"),
        "3-2-901": make_unit(building=b3, entrance=e2, room_number="901", floor=9, code="3-2-901"),
    }
    b32 = make_building(cast.project_a, number="32", name="", floors_above=20)
    # 32-1201 compacts to 321201 like 3-2-1201: it must not answer a search for 3-2-1201.
    units["32-1201"] = make_unit(building=b32, room_number="1201", floor=12, code="32-1201")
    b13 = make_building(cast.project_a, number="13", name="", floors_above=20)
    units["13-1201"] = make_unit(building=b13, room_number="1201", floor=12, code="13-1201")
    # project B has the same code: never found by project A's staff
    bb = make_building(cast.project_b, number="3", name="", floors_above=33)
    eb = make_entrance(building=bb, number="2", name="")
    units["B:3-2-1201"] = make_unit(building=bb, entrance=eb, room_number="1201", floor=12, code="3-2-1201")
    return units


def codes_listed(client, q):
    response = client.get("/estate/units/", {"q": q})
    assert response.status_code == 200
    return {row.record.code for row in response.context["table"].rows}, response


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("3-2-1201", {"3-2-1201"}),
        ("3栋2单元1201", {"3-2-1201"}),
        ("3#2-1201", {"3-2-1201"}),
        ("３－２－１２０１", {"3-2-1201"}),
        ("3-1201", {"3-2-1201", "3-1-1201"}),
        ("3栋", {"3-2-1201", "3-1-1201", "3-2-901"}),
        ("1201", {"3-2-1201", "3-1-1201", "32-1201", "13-1201"}),
        ("321201", {"3-2-1201", "32-1201"}),  # typed without separators: both codes compact to it
        ("901", {"3-2-901"}),
        ("3-2-12", {"3-2-1201"}),  # still typing: codes starting with it
    ],
)
def test_unit_list_q_understands_unit_codes(cast, client_for, estate, typed, expected):
    codes, _response = codes_listed(client_for(cast.manager_a), typed)
    assert codes == expected


def test_unit_whose_entrance_is_only_in_its_code_is_found(cast, client_for):
    building = make_building(cast.project_a, number="7", name="")
    make_unit(building=building, room_number="1201", floor=12, code="7-2-1201")  # no Entrance row
    codes, _ = codes_listed(client_for(cast.manager_a), "7栋2单元1201")
    assert codes == {"7-2-1201"}


def test_global_search_finds_units_buildings_and_spaces_in_scope(cast, estate):
    autodiscover()
    space = make_parking_space(cast.project_a, code="B1-088")
    make_parking_space(cast.project_b, code="B1-089")
    groups = {str(g["label"]): g for g in search_all(cast.manager_a, None, "3栋2单元1201")}
    assert [r["text"] for r in groups["Units"]["results"]] == ["3-2-1201"]
    assert groups["Units"]["results"][0]["object"].project == cast.project_a
    groups = {str(g["label"]): g for g in search_all(cast.manager_a, None, "B1-08")}
    assert [r["object"] for r in groups["Parking spaces"]["results"]] == [space]
    groups = {str(g["label"]): g for g in search_all(cast.manager_a, None, "32")}
    assert "Buildings" in groups
    assert all(r["object"].project == cast.project_a for r in groups["Buildings"]["results"])


def test_global_search_page_for_a_unit_code(cast, client_for, estate):
    autodiscover()
    body = client_for(cast.manager_a).get("/search/", {"q": "3-2-1201"}).content.decode()
    assert f'href="{estate["3-2-1201"].get_absolute_url()}"' in body
    assert f'href="{estate["B:3-2-1201"].get_absolute_url()}"' not in body


def test_parking_space_filter_by_unit_code(cast, client_for, estate):
    linked = make_parking_space(cast.project_a, code="B1-100", unit=estate["3-2-1201"])
    make_parking_space(cast.project_a, code="B1-101", unit=estate["3-1-1201"])
    response = client_for(cast.manager_a).get("/estate/parking-spaces/", {"unit_code": "3栋2单元1201"})
    assert [row.record for row in response.context["table"].rows] == [linked]


def test_unit_code_search_sends_no_like_on_sqlite(cast, client_for, estate):
    """LIKE is case-insensitive on SQLite and never uses an index: prefixes are ranges there, and a
    whole code is one equality on the (search_code, project) index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query shape")
    with CaptureQueriesContext(connection) as ctx:
        codes, _response = codes_listed(client_for(cast.manager_a), "3-2-1201")
    assert codes == {"3-2-1201"}
    sqls = [q["sql"] for q in ctx.captured_queries if 'FROM "estate_unit"' in q["sql"]]
    assert sqls and not any(" LIKE " in sql for sql in sqls)
    assert any("\"search_code\" = '321201'" in sql for sql in sqls)
