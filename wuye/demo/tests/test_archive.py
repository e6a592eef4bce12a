"""The demo archive: deterministic, idempotent, valid by the models' own rules, and fast."""

import datetime
import io
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from wuye.core.crypto import lookup_hash
from wuye.core.privacy import mask_id
from wuye.demo.archive import CITIES, USCC_CHARS, USCC_WEIGHTS, build_archive, fast_initials, plan_buildings
from wuye.estate.models import Building, ParkingLot, ParkingSpace, Project, Unit
from wuye.residents.models import Occupancy, Ownership, Person, Vehicle, pinyin_initials
from wuye.residents.validators import (
    birth_date_from_resident_id,
    gender_from_resident_id,
    validate_plate,
    validate_resident_id,
)

MODELS = (Building, Unit, Person, Ownership, Occupancy, ParkingLot, ParkingSpace, Vehicle)


def demo(*args):
    call_command("demo", *args, stdout=io.StringIO())


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def archive(db):
    """Two projects of 200 units each (seed 5), built once per test."""
    demo("--projects", "2", "--units", "200", "--seed", "5")
    return Project.objects.get(code="P001")


def snapshot(project):
    units = list(
        Unit.objects.filter(project=project)
        .order_by("code")
        .values_list("code", "floor", "building_area", "inner_area", "layout", "status", "usage")
    )
    people = sorted(
        Person.objects.filter(project=project).values_list("name", "phone", "id_number_hash", "birth_date")
    )
    owners = sorted(
        Ownership.objects.filter(project=project).values_list("unit__code", "person__name", "share")
    )
    plates = sorted(Vehicle.objects.filter(project=project).values_list("plate", "person__name"))
    return units, people, owners, plates


@pytest.mark.django_db
def test_same_seed_gives_the_same_archive_and_another_seed_another():
    demo("--projects", "1", "--units", "0")
    project = Project.objects.get(code="P001")
    with transaction.atomic():
        build_archive(project, units=150, seed=9)
        first = snapshot(project)
        transaction.set_rollback(True)
    assert not Unit.objects.exists()
    build_archive(project, units=150, seed=9)
    assert snapshot(project) == first
    assert len(first[0]) == 150
    with transaction.atomic():
        Project.objects.create(code="P009", name="另一个", city="上海")
    other = Project.objects.get(code="P009")
    build_archive(other, units=150, seed=10)
    assert [row[0] for row in snapshot(other)[1]] != [row[0] for row in first[1]]


@pytest.mark.django_db
def test_running_again_adds_nothing_even_with_other_sizes(archive):
    before = counts()
    assert before["Unit"] == 400
    demo("--projects", "2", "--units", "200", "--seed", "5")
    assert counts() == before
    demo("--projects", "2", "--units", "300", "--seed", "6")  # a project with units is left alone
    assert counts() == before
    demo("--projects", "3", "--units", "50", "--seed", "5")  # but a new project gets its archive
    assert Unit.objects.filter(project__code="P003").count() == 50


def test_plans_hold_exactly_the_requested_units_and_plausible_buildings():
    import random

    for total in (1, 11, 12, 150, 199, 600, 5000):
        plans = plan_buildings(random.Random(total), total)
        assert sum(len(p.units) for p in plans) == total
    plans = plan_buildings(random.Random(1), 5000)
    kinds = Counter(p.building_type for p in plans)
    assert set(kinds) == {"high_rise", "mid_high", "multi_storey", "villa", "commercial"}
    for plan in plans:
        floors = {u.floor for u in plan.units}
        assert max(floors) <= plan.floors_above
        if plan.building_type == "high_rise":
            assert 18 <= plan.floors_above <= 33 and plan.elevators == 2 * len(plan.entrances)
            assert len(plan.entrances) in (2, 3)
        elif plan.building_type == "mid_high":
            assert 11 <= plan.floors_above <= 17
        elif plan.building_type == "multi_storey":
            assert plan.floors_above == 6 and plan.elevators == 0
        elif plan.building_type == "commercial":
            assert {u.usage for u in plan.units if u.floor == 1} == {"shop"}
    assert any(p.newest for p in plans)


@pytest.mark.django_db
def test_units_look_real(archive):
    units = list(Unit.objects.filter(project=archive).select_related("building", "entrance"))
    assert len(units) == 200
    for unit in units:
        assert unit.code == f"{unit.building.number}-{unit.entrance.number}-{unit.room_number}"
        assert re.fullmatch(r"\d+-\d+-\d{3,4}", unit.code)
        assert unit.room_number.startswith(str(unit.floor)) and len(unit.room_number) - 2 == len(
            str(unit.floor)
        )
        if unit.usage == "residential" and unit.building.building_type != "villa":
            assert Decimal(60) <= unit.building_area <= Decimal(180)
            assert re.fullmatch(r"\d室\d厅\d卫", unit.layout)
        ratio = unit.inner_area / unit.building_area
        assert Decimal("0.749") <= ratio <= Decimal("0.851")
    statuses = Counter(u.status for u in units)
    assert statuses.most_common(1)[0][0] == "occupied"
    assert {"vacant", "rented", "occupied"} <= set(statuses)
    assert statuses["unsold"] + statuses["sold_undelivered"] > 0
    newest = max(Building.objects.filter(project=archive), key=lambda b: b.completion_date)
    assert newest.units.filter(status__in=["unsold", "sold_undelivered"]).exists()
    archive.refresh_from_db()
    assert archive.managed_area == sum(u.building_area for u in units)


@pytest.mark.django_db
def test_the_developer_owns_the_unsold_and_undelivered_units(archive):
    developer = Person.objects.get(project=archive, is_developer=True)
    assert developer.kind == "organization" and developer.id_type == "credit_code"
    code = developer.id_number
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    assert USCC_CHARS[(31 - total % 31) % 31] == code[17]
    developer_units = set(Ownership.objects.filter(person=developer).values_list("unit_id", flat=True))
    unsold = set(
        Unit.objects.filter(project=archive, status__in=["unsold", "sold_undelivered"]).values_list(
            "id", flat=True
        )
    )
    assert developer_units == unsold and unsold
    assert not Ownership.objects.filter(unit_id__in=unsold).exclude(person=developer).exists()


@pytest.mark.django_db
def test_every_unit_has_owners_whose_shares_add_to_100_with_one_representative(archive):
    shares, representatives = defaultdict(Decimal), Counter()
    for unit_id, share, representative in Ownership.objects.filter(project=archive).values_list(
        "unit_id", "share", "is_representative"
    ):
        shares[unit_id] += share
        representatives[unit_id] += representative
    assert set(shares) == set(Unit.objects.filter(project=archive).values_list("id", flat=True))
    assert set(shares.values()) == {Decimal(100)}
    assert set(representatives.values()) == {1}
    per_unit = Counter(Ownership.objects.filter(project=archive).values_list("unit_id", flat=True))
    co_owned = sum(1 for n in per_unit.values() if n == 2)
    assert 0 < co_owned < 0.2 * len(per_unit)
    holders = Ownership.objects.filter(project=archive, person__is_developer=False).values("person")
    assert holders.annotate(n=Count("id")).filter(n__gt=1).exists()  # some own two units


@pytest.mark.django_db
def test_people_have_valid_ids_phones_and_initials(archive):
    people = list(Person.objects.filter(project=archive, is_developer=False))
    with_id = [p for p in people if p.id_type == "resident_id" and p.id_number]
    assert 0.4 * len(people) < len(with_id) < len(people)  # many, but not all, have an ID number
    for person in with_id:
        validate_resident_id(person.id_number)
        assert person.id_number_hash == lookup_hash(person.id_number)
        assert person.id_number_masked == mask_id(person.id_number)
        assert person.birth_date == birth_date_from_resident_id(person.id_number)
        assert person.gender == gender_from_resident_id(person.id_number)
    assert len({p.id_number for p in with_id}) == len(with_id)
    for person in people:
        assert person.name_initials == pinyin_initials(person.name)
        if person.phone:
            assert person.phone_tail == person.phone[-4:]
            if person.kind == "individual":
                assert re.fullmatch(r"1[3-9]\d{9}", person.phone)
    relations = Counter(Occupancy.objects.filter(project=archive).values_list("kind", "relationship"))
    assert {("household", "spouse"), ("household", "child"), ("tenant", "self")} <= set(relations)
    rented = Unit.objects.filter(project=archive, status="rented")
    for unit in rented:  # every rented unit has a tenant whose lease runs into 2027 at least
        assert unit.occupancies.filter(kind="tenant", end_date__gte=datetime.date(2027, 1, 1)).exists()


def test_fast_initials_match_pinyin_initials():
    for name in [
        "张伟",
        "李长江",
        "王重阳",
        "曾子墨",
        "单田芳",
        "解放",
        "欧阳娜娜",
        "上海锦绣花园置业有限公司",
    ]:
        assert fast_initials(name) == pinyin_initials(name)


@pytest.mark.django_db
def test_vehicles_have_valid_plates_and_some_park_on_spaces(archive):
    vehicles = list(Vehicle.objects.filter(project=archive).select_related("parking_space"))
    assert vehicles
    for vehicle in vehicles:
        validate_plate(vehicle.plate)
        assert vehicle.is_new_energy == (len(vehicle.plate) == 8)
    assert any(v.is_new_energy for v in vehicles)
    local = CITIES[archive.city].province
    assert sum(v.plate[0] == local for v in vehicles) > 0.6 * len(vehicles)
    parked = [v for v in vehicles if v.parking_space_id]
    assert parked and all(v.parking_space.project_id == archive.pk for v in parked)
    kinds = Counter(ParkingSpace.objects.filter(project=archive).values_list("kind", flat=True))
    assert set(kinds) == {"owned", "rented", "public_temporary"}
    assert not ParkingSpace.objects.filter(project=archive, kind="owned", unit=None).exists()


@pytest.mark.django_db
def test_rows_pass_full_clean_and_saving_them_changes_nothing(archive):
    """Rows inserted without save() carry what save() and the validators would give them."""
    for model in MODELS:
        for obj in model.objects.filter(project=archive).order_by("?")[:40]:
            obj.full_clean()
            before = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
            with transaction.atomic():
                obj.save()
                transaction.set_rollback(True)
            after = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
            before.pop("updated_at"), after.pop("updated_at")
            assert after == before, model.__name__


@pytest.mark.django_db
def test_a_small_run_works():
    # Speed is measured by benchmarks/archive_scale.py, not asserted here; this checks a small run works.
    demo("--projects", "2", "--units", "200", "--seed", "1")
    assert Unit.objects.count() == 400
