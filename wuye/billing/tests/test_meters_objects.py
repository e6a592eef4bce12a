"""Generated CRUD tests (UI and API) for meters and meter readings, and their business steps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wuye.billing.models import Bill
from wuye.billing.models.meters import Meter, MeterReading
from wuye.billing.tests.factories import make_unit
from wuye.billing.tests.factories_meters import NOV, make_meter, read, water_standard
from wuye.core.testing.cases import ObjectTests
from wuye.core.testing.factories import seq


class TestMeterObject(ObjectTests):
    model = Meter
    api_path = "/api/v1/billing/meters/"

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "kind": "water",
            "number": f"T-{seq()}",
            "unit": make_unit(project).pk,
            "standard": water_standard(project).pk,
            "multiplier": "1",
            "digits": "6",
            "initial_value": "0",
            "is_active": "on",
        }

    def api_data(self, cast, project):
        data = self.form_data(cast, project)
        data["is_active"] = True
        return data


class TestMeterReadingObject(ObjectTests):
    model = MeterReading
    api_path = "/api/v1/billing/meter-readings/"

    def form_data(self, cast, project):
        return {
            "meter": make_meter(project).pk,
            "period": "2026-11",
            "reading_date": "2026-11-28",
            "value": "12.50",
        }

    def edit_data(self, cast, obj):
        return {"reading_date": "2026-11-29", "value": "13.00", "note": "复核"}

    def api_data(self, cast, project):
        data = self.form_data(cast, project)
        data["period"] = "2026-11-01"
        return data

    def api_edit_data(self, cast, obj):
        return {"period": "2026-11-01", "reading_date": "2026-11-29", "value": "14.00"}

    def marker(self, obj):
        return obj.meter.number


pytestmark = pytest.mark.django_db


def test_ui_lower_reading_shows_both_values(cast, client_for):
    meter = make_meter(cast.project_a)
    read(meter, NOV.replace(month=10), "500")
    response = client_for(cast.manager_a).post(
        "/billing/meter-readings/add/",
        {"meter": meter.pk, "period": "2026-11", "reading_date": "2026-11-28", "value": "480"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "480" in body and "500" in body
    assert not MeterReading.objects.filter(period=NOV).exists()


def test_api_confirm_plan_and_bill(cast, api_for):
    p = cast.project_a
    meter = make_meter(p, standard=water_standard(p))
    reading = read(meter, NOV, "10")
    api = api_for(cast.manager_a)
    response = api.post(f"/api/v1/billing/meter-readings/{reading.pk}/confirm/")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    plan = api.get("/api/v1/billing/meter-readings/bill/", {"project": p.pk, "period": "2026-11"}).json()
    assert plan["bills"] == 1 and plan["total"] == "35.00"
    response = api.post(
        "/api/v1/billing/meter-readings/bill/", {"project": p.pk, "period": "2026-11"}, format="json"
    )
    assert response.status_code == 201 and response.json()["created"] == 1
    assert Bill.objects.get(source="meter").amount == Decimal("35.00")
    # a billed reading cannot be changed through the API
    response = api.patch(f"/api/v1/billing/meter-readings/{reading.pk}/", {"value": "11"}, format="json")
    assert response.status_code == 400


def test_api_bill_refuses_other_project_and_cashier(cast, api_for):
    p = cast.project_a
    response = api_for(cast.manager_a).post(
        "/api/v1/billing/meter-readings/bill/",
        {"project": cast.project_b.pk, "period": "2026-11"},
        format="json",
    )
    assert response.status_code == 400
    response = api_for(cast.cashier_a).post(
        "/api/v1/billing/meter-readings/bill/", {"project": p.pk, "period": "2026-11"}, format="json"
    )
    assert response.status_code == 403


def test_ui_transitions(cast, client_for):
    reading = read(make_meter(cast.project_a), NOV, "10")
    client = client_for(cast.manager_a)
    assert client.get(f"/billing/meter-readings/{reading.pk}/confirm/").status_code == 405
    response = client.post(f"/billing/meter-readings/{reading.pk}/confirm/")
    assert response.status_code == 302
    reading.refresh_from_db()
    assert reading.status == "confirmed"
    client.post(f"/billing/meter-readings/{reading.pk}/unconfirm/")
    reading.refresh_from_db()
    assert reading.status == "draft"
    # the cashier may view readings but not confirm them
    assert (
        client_for(cast.cashier_a).post(f"/billing/meter-readings/{reading.pk}/confirm/").status_code == 403
    )
