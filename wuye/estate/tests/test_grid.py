"""The building grid (楼盘表): layout, colours, links, scoping and a size-independent query count."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wuye.estate.grid import build_grid, room_position
from wuye.estate.tests.factories import make_building, make_entrance, make_unit

STATUSES = ["unsold", "sold_undelivered", "vacant", "occupied", "renovating", "rented"]


def make_tower(project, number, floors, per_entrance, entrances=2):
    building = make_building(project, number=number, name="", floors_above=floors, floors_below=1)
    n = 0
    for e in range(1, entrances + 1):
        entrance = make_entrance(building=building, number=str(e), name="")
        for floor in range(1, floors + 1):
            for pos in range(1, per_entrance + 1):
                room = f"{floor}{pos:02d}"
                make_unit(
                    building=building,
                    entrance=entrance,
                    room_number=room,
                    floor=floor,
                    code=f"{number}-{e}-{room}",
                    status=STATUSES[n % len(STATUSES)],
                )
                n += 1
    return building


def grid_queries(client, building):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/estate/buildings/{building.pk}/grid/")
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_query_count_does_not_grow_with_the_building(cast, client_for):
    small = make_tower(cast.project_a, "1", floors=3, per_entrance=2)
    big = make_tower(cast.project_a, "2", floors=33, per_entrance=2)  # 33 floors x 4 units, 2 entrances
    client = client_for(cast.manager_a)
    grid_queries(client, small)  # warm caches (content types, session)
    small_count, _ = grid_queries(client, small)
    big_count, response = grid_queries(client, big)
    assert big_count == small_count
    assert response.context["grid"]["total"] == 33 * 4
    assert len(response.context["grid"]["rows"]) == 34  # 33 floors and the basement


def test_grid_layout_floors_entrances_positions(cast, client_for):
    building = make_tower(cast.project_a, "3", floors=3, per_entrance=2)
    response = client_for(cast.manager_a).get(f"/estate/buildings/{building.pk}/grid/")
    grid = response.context["grid"]
    assert [row["floor"] for row in grid["rows"]] == [3, 2, 1, -1]
    assert [row["label"] for row in grid["rows"]] == ["3F", "2F", "1F", "B1"]
    assert [g["label"] for g in grid["groups"]] == ["1单元", "2单元"]
    assert [g["positions"] for g in grid["groups"]] == [["01", "02"], ["01", "02"]]
    top = grid["rows"][0]["cells"]
    assert [[u.code for u in c["units"]] for c in top] == [["3-1-301"], ["3-1-302"], ["3-2-301"], ["3-2-302"]]
    assert [c["group_start"] for c in top] == [False, False, True, False]
    assert all(not c["units"] for c in grid["rows"][-1]["cells"])  # nothing in the basement
    legend = {item["value"]: item["count"] for item in grid["legend"]}
    assert sum(legend.values()) == 12 and legend["unsold"] == 2


def test_cells_are_coloured_links_with_room_and_area(cast, client_for):
    building = make_building(cast.project_a, number="5", name="", floors_above=2)
    unit = make_unit(
        building=building, room_number="201", floor=2, code="5-201", status="occupied", building_area="120.35"
    )
    body = client_for(cast.manager_a).get(f"/estate/buildings/{building.pk}/grid/").content.decode()
    cell = body[body.index(f'id="unit-{unit.pk}"') - 3 :]
    cell = cell[: cell.index("</a>")]
    assert f'href="{unit.get_absolute_url()}"' in cell
    assert "bg-green-lt" in cell  # occupied
    assert ">201<" in cell and "120.35" in cell
    assert 'data-testid="legend-occupied"' in body


def test_units_without_entrance_and_on_undeclared_floors_are_shown(cast, client_for):
    building = make_building(cast.project_a, number="6", name="", floors_above=5)
    make_unit(building=building, room_number="501", floor=5, code="6-501")
    stray = make_unit(building=building, room_number="101", floor=1, code="6-101")
    building.floors_above = 4  # data changed behind the form's back: the unit still has a row
    building.save()
    grid = client_for(cast.manager_a).get(f"/estate/buildings/{building.pk}/grid/").context["grid"]
    assert grid["rows"][0]["floor"] == 5
    assert not grid["has_entrances"]
    assert any(stray.pk in [u.pk for u in c["units"]] for row in grid["rows"] for c in row["cells"])


def test_other_projects_building_grid_is_404(cast, client_for):
    theirs = make_building(cast.project_b, number="1")
    assert client_for(cast.manager_a).get(f"/estate/buildings/{theirs.pk}/grid/").status_code == 404
    assert client_for(cast.staff_b).get(f"/estate/buildings/{theirs.pk}/grid/").status_code == 200
    assert client_for(None).get(f"/estate/buildings/{theirs.pk}/grid/").status_code == 302


def test_grid_is_linked_from_building_detail_and_list(cast, client_for):
    building = make_building(cast.project_a, number="7")
    client = client_for(cast.manager_a)
    url = f'href="/estate/buildings/{building.pk}/grid/"'
    assert url in client.get("/estate/buildings/").content.decode()
    assert url in client.get(f"/estate/buildings/{building.pk}/").content.decode()


def test_room_position():
    assert room_position("1201", 12) == "01"
    assert room_position("901", 9) == "01"
    assert room_position("101", 1) == "01"
    assert room_position("1", 1) == "1"
    assert room_position("B101", -1) == "B101"
    assert room_position("A", 3) == "A"


def test_build_grid_sorts_positions_naturally(settings):
    settings.LANGUAGE_CODE = "en"

    class B:
        def floor_range(self):
            return [1]

    class U:
        def __init__(self, room):
            self.pk = room
            self.code = f"1-{room}"
            self.room_number = room
            self.floor = 1
            self.entrance_id = None
            self.status = "vacant"
            self.usage = "residential"
            self.layout = ""
            self.vacancy_registered = False
            self.building_area = 1

    grid = build_grid(B(), [U("110"), U("102"), U("101")], [])
    assert grid["groups"][0]["positions"] == ["01", "02", "10"]
    cell = grid["rows"][0]["cells"][0]["units"][0]
    assert cell.url == "/estate/units/101/" and cell.title == "1-101 · Delivered, vacant · Residential"
