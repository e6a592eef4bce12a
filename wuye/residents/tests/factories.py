"""Factories for people, ownerships, occupancies and vehicles (and a unit to hang them on)."""

from __future__ import annotations

import datetime

from wuye.core.testing.factories import REGISTRY, make_project, register, seq
from wuye.estate.models import Building, Unit
from wuye.residents.models import Occupancy, Ownership, Person, Vehicle
from wuye.residents.validators import resident_id_check_digit

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"]


def resident_id(n: int | None = None, birth: datetime.date = datetime.date(1985, 6, 15)) -> str:
    """A valid 18-character resident ID (checksum included) for a Beijing Dongcheng birth."""
    n = seq() if n is None else n
    first17 = f"110101{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + resident_id_check_digit(first17)


def phone_number(n: int | None = None) -> str:
    n = seq() if n is None else n
    return f"139{n % 100000000:08d}"


def make_unit(project=None, **kwargs) -> Unit:
    """A unit in a new building of ``project`` (the estate factories may offer richer ones)."""
    project = project or make_project()
    n = seq()
    building = kwargs.pop("building", None) or Building.objects.create(
        project=project, number=f"R{n}", name=f"{n}栋", floors_above=18
    )
    floor = kwargs.pop("floor", 12)
    defaults = {
        "code": f"{building.number}-1-{floor}01-{n}",
        "room_number": f"{floor}01",
        "floor": floor,
        "building_area": "89.50",
        "status": "vacant",
    }
    defaults.update(kwargs)
    return Unit.objects.create(project=project, building=building, **defaults)


if Unit not in REGISTRY:  # the estate app registers its own once it has one
    register(Unit)(make_unit)


@register(Person)
def make_person(project=None, **kwargs) -> Person:
    project = project or make_project()
    n = seq()
    defaults = {
        "name": SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)] + str(n),
        "phone": phone_number(n),
        "id_number": resident_id(n),
    }
    defaults.update(kwargs)
    return Person.objects.create(project=project, **defaults)


@register(Ownership)
def make_ownership(project=None, **kwargs) -> Ownership:
    project = project or make_project()
    unit = kwargs.pop("unit", None) or make_unit(project)
    person = kwargs.pop("person", None) or make_person(project)
    defaults = {"share": 100, "is_representative": True, "start_date": datetime.date(2020, 5, 1)}
    defaults.update(kwargs)
    return Ownership.objects.create(project=project, unit=unit, person=person, **defaults)


@register(Occupancy)
def make_occupancy(project=None, **kwargs) -> Occupancy:
    project = project or make_project()
    unit = kwargs.pop("unit", None) or make_unit(project)
    person = kwargs.pop("person", None) or make_person(project)
    defaults = {"kind": "household", "relationship": "self", "start_date": datetime.date(2021, 3, 1)}
    defaults.update(kwargs)
    return Occupancy.objects.create(project=project, unit=unit, person=person, **defaults)


@register(Vehicle)
def make_vehicle(project=None, **kwargs) -> Vehicle:
    project = project or make_project()
    n = seq()
    defaults = {"plate": f"沪A{n % 100000:05d}", "brand": "大众", "color": "白"}
    if "person" not in kwargs:
        defaults["person"] = make_person(project)
    defaults.update(kwargs)
    return Vehicle.objects.create(project=project, **defaults)
