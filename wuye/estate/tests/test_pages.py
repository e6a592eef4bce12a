"""Project overview figures, dashboard widget, building/unit detail pages and their panels."""

from decimal import Decimal

from wuye.core.dashboard import widgets_for
from wuye.core.testing.factories import make_user
from wuye.core.testing.queries import assert_constant_queries
from wuye.estate.tests.factories import (
    make_building,
    make_entrance,
    make_parking_lot,
    make_parking_space,
    make_unit,
)


def populate(project, prefix=""):
    b1 = make_building(project, number=f"{prefix}1", name="")
    b2 = make_building(project, number=f"{prefix}2", name="")
    make_unit(building=b1, room_number="101", floor=1, status="occupied", building_area="100.50")
    make_unit(building=b1, room_number="102", floor=1, status="occupied", building_area="80.00")
    make_unit(building=b2, room_number="101", floor=1, status="vacant", usage="shop", building_area="50.25")
    lot = make_parking_lot(project)
    make_parking_space(lot=lot, status="sold")
    make_parking_space(lot=lot, status="available")
    make_parking_space(lot=lot, status="available")


def by_value(figures):
    return {i["value"]: i for i in figures["items"]}


def test_project_overview_figures(cast, client_for):
    populate(cast.project_a)
    populate(cast.project_b)  # never counted for project A
    response = client_for(cast.manager_a).get(f"/estate/projects/{cast.project_a.pk}/")
    archive = response.context["archive"]
    assert archive["buildings"] == 2
    assert archive["units"]["total"] == 3
    assert archive["units"]["area"] == Decimal("230.75")
    status = by_value(archive["units"])
    assert status["occupied"]["count"] == 2 and status["occupied"]["area"] == Decimal("180.50")
    assert status["vacant"]["count"] == 1 and status["unsold"]["count"] == 0
    usage = by_value(archive["usage"])
    assert usage["residential"]["count"] == 2 and usage["shop"]["area"] == Decimal("50.25")
    spaces = by_value(archive["spaces"])
    assert archive["spaces"]["total"] == 3 and spaces["available"]["count"] == 2
    assert archive["lots"] == 1
    body = response.content.decode()
    assert 'data-testid="archive-figures"' in body and "230.75" in body


def test_project_overview_query_count_does_not_grow(cast, client_for):
    client = client_for(cast.manager_a)
    populate(cast.project_a)
    url = f"/estate/projects/{cast.project_a.pk}/"
    client.get(url)
    assert_constant_queries(
        lambda: client.get(url), lambda: populate(cast.project_a, prefix="9"), label="overview"
    )


def test_project_overview_hides_figures_the_user_cannot_see(cast, client_for):
    from wuye.accounts.models import Membership, Role

    role = Role.objects.create(name="只看项目", slug="project-only")
    from django.contrib.auth.models import Permission

    role.permissions.add(Permission.objects.get(codename="view_project"))
    user = make_user()
    Membership.objects.create(user=user, role=role, project=cast.project_a)
    populate(cast.project_a)
    archive = client_for(user).get(f"/estate/projects/{cast.project_a.pk}/").context["archive"]
    assert archive == {}


def test_dashboard_widget_counts_units_of_the_current_project(cast, rf):
    populate(cast.project_a)
    populate(cast.project_b)
    request = rf.get("/")
    request.user = cast.ops_admin
    request.project = cast.project_a
    (widget,) = [w for w in widgets_for(request) if w.get("key") == "estate-units"]
    assert widget["value"] == 3
    assert "2" in widget["note"] and widget["url"].endswith(f"?project={cast.project_a.pk}")
    request.project = None
    (widget,) = [w for w in widgets_for(request) if w.get("key") == "estate-units"]
    assert widget["value"] == 6
    request.user = cast.manager_a
    (widget,) = [w for w in widgets_for(request) if w.get("key") == "estate-units"]
    assert widget["value"] == 3


def test_home_page_shows_the_widget(cast, client_for):
    populate(cast.project_a)
    body = client_for(cast.manager_a).get("/").content.decode()
    assert 'href="/estate/units/"' in body


def test_building_detail_counts_units_and_lists_entrances(cast, client_for):
    building = make_building(cast.project_a, number="8", name="")
    e1 = make_entrance(building=building, number="1", name="")
    make_entrance(building=building, number="2", name="")
    make_unit(building=building, entrance=e1, code="8-1-101", room_number="101", floor=1, status="occupied")
    make_unit(building=building, entrance=e1, code="8-1-102", room_number="102", floor=1, status="vacant")
    response = client_for(cast.manager_a).get(f"/estate/buildings/{building.pk}/")
    status = by_value(response.context["unit_figures"])
    assert status["occupied"]["count"] == 1 and response.context["unit_figures"]["total"] == 2
    panels = {p["key"]: p for p in response.context["panels"]}
    assert panels["entrances"]["count"] == 2
    assert (
        "1单元" in panels["entrances"]["html"]
        and f"/estate/buildings/{building.pk}/grid/" in panels["entrances"]["html"]
    )


def test_unit_detail_shows_fields_badge_and_parking_panel(cast, client_for):
    building = make_building(cast.project_a, number="9", name="")
    entrance = make_entrance(building=building, number="2", name="")
    unit = make_unit(
        building=building,
        entrance=entrance,
        code="9-2-1201",
        room_number="1201",
        floor=12,
        status="rented",
        building_area="120.00",
        inner_area="98.50",
        layout="3室2厅2卫",
    )
    space = make_parking_space(cast.project_a, code="B1-009", unit=unit)
    make_parking_space(cast.project_b, code="B1-010")
    response = client_for(cast.manager_a).get(f"/estate/units/{unit.pk}/")
    body = response.content.decode()
    assert 'data-testid="unit-status"' in body and "bg-blue-lt" in body  # rented
    for text in ("9栋2单元", "98.50", "3室2厅2卫", f"/estate/buildings/{building.pk}/grid/#unit-{unit.pk}"):
        assert text in body
    assert unit.sort_code not in body  # internal columns stay off the page
    panels = {p["key"]: p for p in response.context["panels"]}
    assert panels["parking"]["count"] == 1
    assert space.get_absolute_url() in panels["parking"]["html"]
    assert f"/estate/units/{unit.pk}/status/" in body


def test_unit_detail_hides_status_action_from_readers(cast, client_for):
    unit = make_unit(cast.project_a)
    body = client_for(cast.cashier_a).get(f"/estate/units/{unit.pk}/").content.decode()
    assert f"/estate/units/{unit.pk}/status/" not in body


def test_parking_lot_detail_counts_spaces(cast, client_for):
    lot = make_parking_lot(cast.project_a)
    make_parking_space(lot=lot, status="sold")
    make_parking_space(lot=lot, status="rented")
    response = client_for(cast.manager_a).get(f"/estate/parking-lots/{lot.pk}/")
    assert response.context["space_figures"]["total"] == 2
    listed = client_for(cast.manager_a).get("/estate/parking-lots/").context["table"].rows
    assert [r.record.space_count for r in listed] == [2]


def test_navigation_lists_the_archive_screens(cast, client_for):
    body = client_for(cast.manager_a).get("/").content.decode()
    for url in ("/estate/buildings/", "/estate/units/", "/estate/parking-lots/", "/estate/parking-spaces/"):
        assert f'href="{url}"' in body
