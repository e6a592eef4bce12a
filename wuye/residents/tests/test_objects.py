"""Generated CRUD, export, API, scoping and query-count tests for the four resident records."""

from wuye.core.testing.cases import ObjectTests
from wuye.core.testing.factories import seq
from wuye.residents.models import Occupancy, Ownership, Person, Vehicle
from wuye.residents.tests.factories import make_person, make_unit, resident_id


class TestPersonObject(ObjectTests):
    model = Person
    api_path = "/api/v1/residents/people/"

    def form_data(self, cast, project):
        n = seq()
        return {
            "project": project.pk,
            "kind": "individual",
            "name": f"测试业主{n}",
            "phone": f"1380000{n % 10000:04d}",
            "id_type": "resident_id",
            "id_number": resident_id(n),
            "gender": "",
            "birth_date": "",
            "is_developer": "",
            "note": "",
        }


class TestOwnershipObject(ObjectTests):
    model = Ownership
    api_path = "/api/v1/residents/ownerships/"

    def form_data(self, cast, project):
        return {
            "unit": make_unit(project).pk,
            "person": make_person(project).pk,
            "share": "100",
            "is_representative": "on",
            "certificate_number": "沪(2020)浦字第000123号",
            "start_date": "2020-05-01",
            "end_date": "",
            "note": "",
        }

    def marker(self, obj):
        return obj.person.name


class TestOccupancyObject(ObjectTests):
    model = Occupancy
    api_path = "/api/v1/residents/occupancies/"

    def form_data(self, cast, project):
        return {
            "unit": make_unit(project).pk,
            "person": make_person(project).pk,
            "kind": "household",
            "relationship": "spouse",
            "is_payer": "",
            "start_date": "2021-01-01",
            "end_date": "",
            "note": "",
        }

    def marker(self, obj):
        return obj.person.name


class TestVehicleObject(ObjectTests):
    model = Vehicle
    api_path = "/api/v1/residents/vehicles/"

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "plate": f"浙B{seq() % 100000:05d}",
            "vehicle_type": "car",
            "brand": "比亚迪",
            "color": "",
            "person": "",
            "parking_space": "",
            "note": "",
        }

    def marker(self, obj):
        return obj.plate
