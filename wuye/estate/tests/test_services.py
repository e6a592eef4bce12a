"""Unit status and vacancy services, and the screens and API that go through them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from wuye.core.models import AuditEvent
from wuye.estate import services
from wuye.estate.models import Unit
from wuye.estate.tests.factories import make_unit


def events(unit, action=None):
    qs = AuditEvent.objects.filter(object_id=str(unit.pk), content_type__model="unit")
    return list(qs.filter(action=action) if action else qs)


def test_set_unit_status_records_an_audit_event(cast):
    unit = make_unit(cast.project_a, status="sold_undelivered")
    result = services.set_unit_status(actor=cast.manager_a, unit=unit, status="vacant", note="交房")
    assert result is unit and unit.status == "vacant"
    assert Unit.objects.get(pk=unit.pk).status == "vacant"
    (event,) = events(unit, "estate.unit.status")
    assert event.actor == cast.manager_a and event.project == cast.project_a
    assert event.data["from"] == "sold_undelivered" and event.data["to"] == "vacant"
    assert event.message == "交房"


def test_same_status_changes_and_records_nothing(cast):
    unit = make_unit(cast.project_a, status="vacant")
    services.set_unit_status(actor=cast.manager_a, unit=unit, status="vacant")
    assert events(unit) == []


def test_unknown_status_is_refused(cast):
    unit = make_unit(cast.project_a)
    with pytest.raises(ValidationError):
        services.set_unit_status(actor=cast.manager_a, unit=unit, status="haunted")
    assert Unit.objects.get(pk=unit.pk).status == "unsold"


def test_vacancy_registration_and_moving_in_ends_it(cast):
    unit = make_unit(cast.project_a, status="vacant", delivery_date=datetime.date(2024, 1, 1))
    services.register_vacancy(actor=cast.manager_a, unit=unit, since=datetime.date(2024, 3, 1))
    stored = Unit.objects.get(pk=unit.pk)
    assert stored.vacancy_registered and stored.vacancy_registered_on == datetime.date(2024, 3, 1)
    assert len(events(unit, "estate.unit.vacancy_registered")) == 1
    services.set_unit_status(actor=cast.manager_a, unit=unit, status="occupied")
    stored = Unit.objects.get(pk=unit.pk)
    assert not stored.vacancy_registered and stored.vacancy_registered_on is None
    assert events(unit, "estate.unit.status")[0].data["vacancy_ended"] is True


@pytest.mark.parametrize("status", ["occupied", "rented", "renovating", "unsold", "sold_undelivered"])
def test_only_delivered_vacant_units_can_register_vacancy(cast, status):
    unit = make_unit(cast.project_a, status=status)
    with pytest.raises(ValidationError) as info:
        services.register_vacancy(actor=cast.manager_a, unit=unit)
    assert "vacancy_registered" in info.value.message_dict
    assert not Unit.objects.get(pk=unit.pk).vacancy_registered
    assert events(unit) == []


def test_vacancy_cannot_start_before_delivery(cast):
    unit = make_unit(cast.project_a, status="vacant", delivery_date=datetime.date(2024, 6, 1))
    with pytest.raises(ValidationError):
        services.register_vacancy(actor=cast.manager_a, unit=unit, since=datetime.date(2024, 5, 1))


def test_end_vacancy(cast):
    unit = make_unit(cast.project_a, status="vacant")
    services.register_vacancy(actor=cast.manager_a, unit=unit)
    services.end_vacancy(actor=cast.manager_a, unit=unit)
    assert not Unit.objects.get(pk=unit.pk).vacancy_registered
    assert len(events(unit, "estate.unit.vacancy_ended")) == 1
    services.end_vacancy(actor=cast.manager_a, unit=unit)  # nothing to end: nothing recorded
    assert len(events(unit, "estate.unit.vacancy_ended")) == 1


def test_status_page_changes_status_and_registers_vacancy(cast, client_for):
    unit = make_unit(cast.project_a, status="sold_undelivered")
    client = client_for(cast.manager_a)
    url = f"/estate/units/{unit.pk}/status/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "status": "vacant",
            "vacancy_registered": "on",
            "vacancy_registered_on": "2025-01-01",
            "note": "交房",
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.status == "vacant" and unit.vacancy_registered
    assert {e.action for e in events(unit)} == {"estate.unit.status", "estate.unit.vacancy_registered"}


def test_status_page_refuses_vacancy_for_an_occupied_unit(cast, client_for):
    unit = make_unit(cast.project_a, status="vacant")
    response = client_for(cast.manager_a).post(
        f"/estate/units/{unit.pk}/status/", {"status": "occupied", "vacancy_registered": "on"}
    )
    assert response.status_code == 200
    assert "vacancy_registered" in response.context["form"].errors
    unit.refresh_from_db()
    assert unit.status == "vacant" and events(unit) == []


def test_status_page_needs_change_permission_and_scope(cast, client_for):
    mine = make_unit(cast.project_a)
    theirs = make_unit(cast.project_b)
    assert (
        client_for(cast.cashier_a).post(f"/estate/units/{mine.pk}/status/", {"status": "vacant"}).status_code
        == 403
    )
    client = client_for(cast.manager_a)
    assert client.get(f"/estate/units/{theirs.pk}/status/").status_code == 404
    assert client.post(f"/estate/units/{theirs.pk}/status/", {"status": "vacant"}).status_code == 404
    assert Unit.objects.get(pk=theirs.pk).status == "unsold"


def test_edit_form_status_change_is_audited(cast, client_for):
    unit = make_unit(cast.project_a, status="vacant")
    data = {
        "project": unit.project_id,
        "building": unit.building_id,
        "entrance": "",
        "room_number": unit.room_number,
        "code": unit.code,
        "floor": unit.floor,
        "building_area": "90.00",
        "usage": "residential",
        "status": "rented",
    }
    assert client_for(cast.manager_a).post(f"/estate/units/{unit.pk}/edit/", data).status_code == 302
    unit.refresh_from_db()
    assert unit.status == "rented" and str(unit.building_area) == "90.00"
    (event,) = events(unit, "estate.unit.status")
    assert event.data == {**event.data, "from": "vacant", "to": "rented"}


def test_api_status_change_is_audited(cast, api_for):
    unit = make_unit(cast.project_a, status="vacant")
    response = api_for(cast.manager_a).patch(
        f"/api/v1/estate/units/{unit.pk}/", {"status": "occupied", "layout": "2室1厅"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "occupied"
    unit.refresh_from_db()
    assert unit.status == "occupied" and unit.layout == "2室1厅"
    (event,) = events(unit, "estate.unit.status")
    assert event.actor == cast.manager_a and event.data["from"] == "vacant"
    # vacancy fields are read-only in the API: the service decides them
    response = api_for(cast.manager_a).patch(
        f"/api/v1/estate/units/{unit.pk}/", {"vacancy_registered": True}, format="json"
    )
    assert response.status_code == 200
    assert not Unit.objects.get(pk=unit.pk).vacancy_registered
