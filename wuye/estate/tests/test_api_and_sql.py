"""The estate API (nested names, filters, constant queries) and the SQL the unit list sends:
at 100,000 units the page must read an index in order and count without joins."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wuye.core.testing.queries import assert_constant_queries
from wuye.estate.tests.factories import make_building, make_entrance, make_parking_space, make_unit


def test_unit_api_has_nested_names_and_constant_queries(cast, api_for):
    building = make_building(cast.project_a, number="3", name="")
    entrance = make_entrance(building=building, number="2", name="")
    make_unit(building=building, entrance=entrance, room_number="1201", floor=12, code="3-2-1201")
    make_unit(building=building, room_number="1301", floor=13, code="3-1301")
    client = api_for(cast.manager_a)
    rows = client.get("/api/v1/estate/units/").json()["results"]
    assert [(r["code"], r["building_number"], r["entrance_number"]) for r in rows] == [
        ("3-2-1201", "3", "2"),
        ("3-1301", "3", None),
    ]
    assert rows[0]["status_display"] and rows[0]["display"] == "3-2-1201"

    def grow():
        for _ in range(4):
            b = make_building(cast.project_a)
            e = make_entrance(building=b)
            make_unit(building=b, entrance=e)
            make_parking_space(cast.project_a, unit=make_unit(building=b))

    assert_constant_queries(lambda: client.get("/api/v1/estate/units/"), grow, label="unit API")
    assert_constant_queries(lambda: client.get("/api/v1/estate/entrances/"), grow, label="entrance API")
    assert_constant_queries(lambda: client.get("/api/v1/estate/parking-spaces/"), grow, label="space API")


def test_unit_api_filters_are_the_list_filters(cast, api_for):
    building = make_building(cast.project_a, number="3", name="")
    entrance = make_entrance(building=building, number="2", name="")
    target = make_unit(
        building=building, entrance=entrance, room_number="1201", floor=12, code="3-2-1201", status="vacant"
    )
    make_unit(building=building, room_number="1202", floor=12, code="3-1202", status="occupied")
    client = api_for(cast.manager_a)

    def ids(**params):
        response = client.get("/api/v1/estate/units/", params)
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    assert ids(q="３栋２单元１２０１") == [target.pk]
    assert ids(status="vacant") == [target.pk]
    assert ids(entrance=entrance.pk) == [target.pk]
    assert ids(floor_min=12, floor_max=12, status="occupied") != [target.pk]
    theirs = make_building(cast.project_b)
    assert client.get("/api/v1/estate/units/", {"building": theirs.pk}).status_code == 400


def test_parking_space_api_filters_by_unit_id(cast, api_for):
    unit = make_unit(cast.project_a, code="5-101")
    space = make_parking_space(cast.project_a, unit=unit)
    make_parking_space(cast.project_a)
    rows = api_for(cast.manager_a).get("/api/v1/estate/parking-spaces/", {"unit": unit.pk}).json()["results"]
    assert [(r["id"], r["unit_code"]) for r in rows] == [(space.pk, "5-101")]


def list_sql(client, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/estate/units/", params or {})
    assert response.status_code == 200
    sqls = [q["sql"] for q in ctx.captured_queries if 'FROM "estate_unit"' in q["sql"]]
    count = next(s for s in sqls if "COUNT(" in s)
    page = next((s for s in sqls if "COUNT(" not in s and "LIMIT" in s), "")
    return count, page


def test_unit_list_orders_by_indexed_unit_columns_and_counts_without_joins(cast, client_for):
    make_unit(cast.project_a)
    count, page = list_sql(client_for(cast.manager_a))
    order_by = page[page.index("ORDER BY") :]
    assert order_by.startswith(
        'ORDER BY "estate_unit"."project_id" ASC, "estate_unit"."sort_code" ASC, "estate_unit"."id" ASC'
    )
    assert "JOIN" not in count and "DISTINCT" not in count


def test_people_filters_use_subqueries_not_distinct(cast, client_for):
    from wuye.residents.models import Ownership, Person, Vehicle

    unit = make_unit(cast.project_a)
    person = Person.objects.create(project=cast.project_a, name="张三", phone="13800001234")
    Ownership.objects.create(project=cast.project_a, unit=unit, person=person)
    Vehicle.objects.create(project=cast.project_a, plate="沪A00001", person=person)
    count, page = list_sql(client_for(cast.manager_a), {"owner": "张", "phone_tail": "1234", "plate": "沪A"})
    assert page and "DISTINCT" not in count and "DISTINCT" not in page
    outer = count.split("(SELECT")[0]
    assert "JOIN" not in outer  # the joins to people live inside the IN (...) subqueries


def test_unit_model_has_the_list_indexes():
    from wuye.estate.models import Unit

    indexes = {tuple(i.fields) for i in Unit._meta.indexes}
    assert ("project", "sort_code", "id") in indexes
    assert ("status", "project", "sort_code", "id") in indexes  # status filter, in list order
    assert ("search_code", "project") in indexes  # a whole unit code, in one project or all
    assert ("project", "status") not in indexes
    assert ("room_number",) in indexes and ("code",) in indexes
