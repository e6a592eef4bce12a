"""Generated CRUD, API, scoping and query-count tests for the archive objects."""

from wuye.core.testing.cases import ObjectTests
from wuye.core.testing.factories import seq
from wuye.estate.models import Building, Entrance, ParkingLot, ParkingSpace, Unit
from wuye.estate.tests.factories import make_building, make_parking_lot


class ArchiveObjectTests(ObjectTests):
    def marker(self, obj):
        # The object's label as a whole cell or link text: ">3-1201<" is not found inside ">13-1201<".
        return f">{obj}<"

    def export_marker(self, obj):
        return str(obj)


class TestBuildingObject(ArchiveObjectTests):
    model = Building
    api_path = "/api/v1/estate/buildings/"

    def form_data(self, cast, project):
        n = seq()
        return {
            "project": project.pk,
            "number": f"{n}",
            "name": f"新楼{n}号",
            "building_type": "high_rise",
            "floors_above": "20",
            "floors_below": "2",
            "elevator_count": "2",
            "completion_date": "2020-06-30",
            "note": "",
        }


class TestEntranceObject(ArchiveObjectTests):
    model = Entrance
    api_path = "/api/v1/estate/entrances/"

    def form_data(self, cast, project):
        n = seq()
        return {
            "project": project.pk,
            "building": make_building(project).pk,
            "number": "1",
            "name": f"东门{n}号",
        }


class TestUnitObject(ArchiveObjectTests):
    model = Unit
    api_path = "/api/v1/estate/units/"

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "building": make_building(project).pk,
            "entrance": "",
            "room_number": "1201",
            "code": "",
            "floor": "12",
            "building_area": "89.50",
            "inner_area": "70.25",
            "usage": "residential",
            "layout": "3室2厅2卫",
            "status": "vacant",
            "delivery_date": "2021-01-15",
            "note": "",
        }

    def api_data(self, cast, project):
        data = super().api_data(cast, project)
        data["code"] = f"A{seq()}-1201"
        return data


class TestParkingLotObject(ArchiveObjectTests):
    model = ParkingLot
    api_path = "/api/v1/estate/parking-lots/"

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "name": f"地面车场{seq()}",
            "kind": "ground",
            "location": "北门",
            "note": "",
        }


class TestParkingSpaceObject(ArchiveObjectTests):
    model = ParkingSpace
    api_path = "/api/v1/estate/parking-spaces/"

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "lot": make_parking_lot(project).pk,
            "code": f"B2-{seq():04d}",
            "kind": "owned",
            "area": "12.50",
            "status": "available",
            "unit_code": "",
            "note": "",
        }
