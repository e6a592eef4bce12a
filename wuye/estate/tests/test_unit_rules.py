"""Unit and building forms: validation on the right field, dropdowns of the user's projects only,
the conventional code, and the unit list's filters (including those that reach residents)."""

import datetime

import pytest
from django.utils import translation

from wuye.core.testing.factories import make_user
from wuye.core.testing.queries import assert_constant_queries
from wuye.estate.models import Building, Unit
from wuye.estate.tests.factories import make_building, make_entrance, make_unit


def unit_data(building, **overrides):
    data = {
        "project": building.project_id,
        "building": building.pk,
        "entrance": "",
        "room_number": "1201",
        "code": "",
        "floor": "12",
        "building_area": "89.50",
        "inner_area": "",
        "usage": "residential",
        "layout": "",
        "status": "unsold",
        "delivery_date": "",
        "note": "",
    }
    data.update(overrides)
    return data


def post_errors(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 200, "the form should have been refused"
    return response.context["form"].errors


@pytest.fixture
def building(cast):
    return make_building(cast.project_a, number="3", name="", floors_above=18, floors_below=2)


def test_code_defaults_to_building_entrance_room(cast, client_for, building):
    entrance = make_entrance(building=building, number="2", name="")
    client = client_for(cast.manager_a)
    response = client.post("/estate/units/add/", unit_data(building, entrance=entrance.pk))
    assert response.status_code == 302
    unit = Unit.objects.get(project=cast.project_a, room_number="1201")
    assert unit.code == "3-2-1201" and unit.search_code == "321201"
    assert unit.sort_code == "000003.000002.001201"
    assert unit.created_by == cast.manager_a


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"building_area": "0"}, "building_area", "The building area must be positive."),
        ({"inner_area": "95.00"}, "inner_area", "The inner area cannot exceed the building area."),
        ({"inner_area": "-1"}, "inner_area", "The inner area must be positive."),
        ({"floor": "19"}, "floor", "Floor 19 is outside building 3栋 (-2 to 18)."),
        ({"floor": "0"}, "floor", "Floor 0 is outside building 3栋 (-2 to 18)."),
        ({"floor": "-3"}, "floor", "Floor -3 is outside building 3栋 (-2 to 18)."),
    ],
)
def test_unit_validation_errors_sit_on_their_field(cast, client_for, building, overrides, field, message):
    with translation.override("en"):
        errors = post_errors(
            client_for(cast.manager_a), "/estate/units/add/", unit_data(building, **overrides)
        )
    assert errors[field] == [message]
    assert not Unit.objects.filter(project=cast.project_a).exists()


def test_duplicate_code_shows_on_the_code_field_in_chinese(cast, client_for, building):
    make_unit(building=building, room_number="1201", floor=12, code="3-1201")
    client = client_for(cast.manager_a)
    client.cookies["django_language"] = "en"
    errors = post_errors(client, "/estate/units/add/", unit_data(building))
    assert errors["code"] == ["A unit with this code already exists in the project."]
    assert "__all__" not in errors
    # The same code in another project is fine.
    other = make_building(cast.project_b, number="3", name="")
    assert make_unit(building=other, room_number="1201", floor=12, code="3-1201").pk


def test_duplicate_building_number_and_entrance_number_show_on_number(cast, client_for, building):
    client = client_for(cast.manager_a)
    with translation.override("en"):
        errors = post_errors(
            client,
            "/estate/buildings/add/",
            {"project": cast.project_a.pk, "number": "3", "building_type": "high_rise", "floors_above": "6"},
        )
        assert errors["number"] == ["A building with this number already exists in the project."]
        make_entrance(building=building, number="1")
        errors = post_errors(
            client,
            "/estate/entrances/add/",
            {"project": cast.project_a.pk, "building": building.pk, "number": "1"},
        )
        assert errors["number"] == ["This building already has an entrance with this number."]


def test_api_reports_the_same_errors_by_field(cast, api_for, building):
    make_unit(building=building, room_number="1201", floor=12, code="3-1201")
    client = api_for(cast.manager_a)
    response = client.post(
        "/api/v1/estate/units/",
        {k: v for k, v in unit_data(building, code="3-1201", inner_area="95", floor="40").items() if v != ""},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"code", "inner_area", "floor"}


def test_entrance_of_another_building_is_refused(cast, client_for, building):
    other = make_building(cast.project_a, number="5", name="")
    entrance = make_entrance(building=other, number="1")
    errors = post_errors(
        client_for(cast.manager_a), "/estate/units/add/", unit_data(building, entrance=entrance.pk)
    )
    assert "entrance" in errors


def test_shrinking_a_building_below_its_units_is_refused(cast, client_for, building):
    make_unit(building=building, room_number="1801", floor=18, code="3-1801")
    make_unit(building=building, room_number="B201", floor=-2, code="3-B201")
    data = {
        "project": cast.project_a.pk,
        "number": "3",
        "building_type": "high_rise",
        "floors_above": "17",
        "floors_below": "1",
        "elevator_count": "0",
    }
    errors = post_errors(client_for(cast.manager_a), f"/estate/buildings/{building.pk}/edit/", data)
    assert "3-1801" in errors["floors_above"][0]
    assert "3-B201" in errors["floors_below"][0]
    building.refresh_from_db()
    assert building.floors_above == 18


def test_dropdowns_offer_only_the_users_projects(cast, client_for, building):
    theirs = make_building(cast.project_b, number="9", name="乙楼")
    make_entrance(building=theirs, number="1", name="乙门")
    form = client_for(cast.manager_a).get("/estate/units/add/").context["form"]
    assert list(form.fields["building"].queryset) == [building]
    assert list(form.fields["project"].queryset) == [cast.project_a]
    assert not form.fields["entrance"].queryset.filter(building=theirs).exists()
    # Posting project B's building is refused like an unknown choice.
    errors = post_errors(client_for(cast.manager_a), "/estate/units/add/", unit_data(theirs))
    assert "building" in errors and "project" in errors
    assert not Unit.objects.exists()


def test_dropdowns_follow_the_current_project_for_an_all_projects_user(cast, client_for, building):
    other = make_building(cast.project_b, number="9", name="乙楼")
    client = client_for(cast.ops_admin)
    form = client.get("/estate/units/add/").context["form"]
    assert set(form.fields["building"].queryset) == {building, other}
    assert form.fields["building"].label_from_instance(other) == "PB · 乙楼"
    client.post("/switch-project/", {"project": cast.project_b.pk})
    form = client.get("/estate/units/add/").context["form"]
    assert list(form.fields["building"].queryset) == [other]


def test_parking_space_form_links_a_unit_by_code(cast, client_for, building):
    from wuye.estate.tests.factories import make_parking_lot

    unit = make_unit(building=building, room_number="1201", floor=12, code="3-1201")
    theirs = make_unit(
        building=make_building(cast.project_b, number="3"), room_number="1202", floor=12, code="3-1202"
    )
    lot = make_parking_lot(cast.project_a)
    data = {"project": cast.project_a.pk, "lot": lot.pk, "code": "B1-001", "kind": "owned", "status": "sold"}
    client = client_for(cast.manager_a)
    errors = post_errors(client, "/estate/parking-spaces/add/", {**data, "unit_code": theirs.code})
    assert "unit_code" in errors
    response = client.post("/estate/parking-spaces/add/", {**data, "unit_code": "3-1201"})
    assert response.status_code == 302
    space = lot.spaces.get()
    assert space.unit == unit
    edit = client.get(f"/estate/parking-spaces/{space.pk}/edit/").context["form"]
    assert edit.initial["unit_code"] == "3-1201"


# -- unit list filters -------------------------------------------------------------------------


@pytest.fixture
def people(cast, building):
    from wuye.residents.models import Occupancy, Ownership, Person, Vehicle

    entrance = make_entrance(building=building, number="1", name="")
    units = {
        code: make_unit(building=building, entrance=entrance, room_number=room, floor=floor, code=code)
        for code, room, floor in (("3-1-501", "501", 5), ("3-1-502", "502", 5), ("3-1-1201", "1201", 12))
    }
    p = cast.project_a
    zhang = Person.objects.create(project=p, name="张伟", phone="13812345678")
    wife = Person.objects.create(project=p, name="李娜", phone="13912345678")
    seller = Person.objects.create(project=p, name="王强", phone="13700001111")
    tenant = Person.objects.create(project=p, name="赵敏", phone="18655556666")
    # co-owners of 501: the unit must be listed once, not once per matching owner
    Ownership.objects.create(project=p, unit=units["3-1-501"], person=zhang, share=50)
    Ownership.objects.create(project=p, unit=units["3-1-501"], person=wife, share=50)
    # 502 was sold by 王强 (ended ownership): he is not a current owner
    Ownership.objects.create(
        project=p, unit=units["3-1-502"], person=seller, end_date=datetime.date(2020, 1, 1)
    )
    Ownership.objects.create(project=p, unit=units["3-1-1201"], person=zhang)
    Occupancy.objects.create(project=p, unit=units["3-1-502"], person=tenant, kind="tenant")
    Vehicle.objects.create(project=p, plate="沪A12345", person=zhang)
    Vehicle.objects.create(project=p, plate="沪B67890", person=tenant)
    return units


def listed(client, **params):
    response = client.get("/estate/units/", params)
    assert response.status_code == 200
    return [row.record.code for row in response.context["table"].rows]


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"owner": "张"}, ["3-1-501", "3-1-1201"]),
        ({"owner": "李娜"}, ["3-1-501"]),
        ({"owner": "王强"}, []),  # ended ownership
        ({"phone_tail": "5678"}, ["3-1-501", "3-1-1201"]),  # two owners of 501 share the tail
        ({"phone_tail": "6666"}, ["3-1-502"]),  # a tenant's phone
        ({"phone_tail": "1111"}, []),  # the former owner's
        ({"plate": "沪a123"}, ["3-1-501", "3-1-1201"]),
        ({"plate": "B67890"}, ["3-1-502"]),  # the tenant's car
        ({"owner": "张", "floor_min": "6"}, ["3-1-1201"]),
        ({"floor_min": "5", "floor_max": "5"}, ["3-1-501", "3-1-502"]),
    ],
)
def test_unit_list_filters_through_people(cast, client_for, people, params, expected):
    assert listed(client_for(cast.manager_a), **params) == expected


def test_people_filters_are_hidden_from_staff_who_cannot_see_people(cast, client_for, people):
    gardener = make_user(role_slug="cleaning-greening", project=cast.project_a)
    response = client_for(gardener).get("/estate/units/", {"owner": "张"})
    assert "owner" not in response.context["filter_form"].fields
    # the parameter is ignored rather than used to probe who owns what
    assert len(response.context["table"].rows) == 3


def test_unit_list_status_usage_building_filters(cast, client_for, building):
    other = make_building(cast.project_a, number="4", name="")
    make_unit(building=building, code="3-101", room_number="101", floor=1, status="occupied")
    make_unit(building=building, code="3-102", room_number="102", floor=1, status="vacant", usage="shop")
    make_unit(building=other, code="4-101", room_number="101", floor=1, status="occupied")
    client = client_for(cast.manager_a)
    assert listed(client, status="occupied") == ["3-101", "4-101"]
    assert listed(client, usage="shop") == ["3-102"]
    assert listed(client, building=other.pk) == ["4-101"]
    assert listed(client, building=building.pk, status="occupied") == ["3-101"]


def test_unit_list_sorts_codes_naturally(cast, client_for):
    b2 = make_building(cast.project_a, number="2", name="")
    b10 = make_building(cast.project_a, number="10", name="")
    for building, room, floor in ((b10, "101", 1), (b2, "1201", 12), (b2, "901", 9), (b2, "101", 1)):
        make_unit(building=building, room_number=room, floor=floor, code=f"{building.number}-{room}")
    assert listed(client_for(cast.manager_a)) == ["2-101", "2-901", "2-1201", "10-101"]


def test_filtered_unit_list_keeps_a_constant_query_count(cast, client_for, people, building):
    client = client_for(cast.manager_a)
    params = {"owner": "张", "phone_tail": "5678", "plate": "沪A", "q": "3-1"}

    def grow():
        from wuye.residents.models import Ownership, Person, Vehicle

        for i in range(4):
            unit = make_unit(building=building, room_number=f"6{i:02d}", floor=6, code=f"3-1-6{i:02d}")
            person = Person.objects.create(project=cast.project_a, name=f"张{i}", phone="13800005678")
            Ownership.objects.create(project=cast.project_a, unit=unit, person=person)
            Vehicle.objects.create(project=cast.project_a, plate=f"沪A5432{i}", person=person)

    assert_constant_queries(lambda: client.get("/estate/units/", params), grow, label="filtered unit list")
    assert len(listed(client, **params)) == 6


def test_building_count_of_units_in_list(cast, client_for, building):
    for i in range(3):
        make_unit(building=building, room_number=f"10{i}", floor=1, code=f"3-10{i}")
    response = client_for(cast.manager_a).get("/estate/buildings/")
    row = next(r for r in response.context["table"].rows if r.record.pk == building.pk)
    assert row.record.unit_count == 3
    assert f'href="/estate/buildings/{building.pk}/grid/"' in response.content.decode()
    assert Building.objects.count() == 1
