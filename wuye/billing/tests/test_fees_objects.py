"""Generated CRUD tests of the fee setup screens and API, plus the manage_standards rule."""

from __future__ import annotations

import datetime

import pytest

from wuye.billing.models import Bill, BillingSchedule, FeeAssignment, FeeItem, FeeStandard, LateFeeRule
from wuye.billing.tests.factories import assign, make_unit, property_fee
from wuye.core.testing.cases import ObjectTests
from wuye.core.testing.factories import make_user, seq


def item_of(project, name="物业服务费"):
    item, _created = FeeItem.objects.get_or_create(
        project=project, name=name, defaults={"category": "property_fee", "tax_rate": "0.06"}
    )
    return item


class TestFeeItemObject(ObjectTests):
    model = FeeItem
    api_path = "/api/v1/billing/fee-items/"

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "name": "停车管理费",
            "category": "parking",
            "tax_rate": "0.09",
            "is_active": "on",
            "sort_order": 20,
            "note": "",
        }


class TestLateFeeRuleObject(ObjectTests):
    model = LateFeeRule
    api_path = "/api/v1/billing/late-fee-rules/"

    def make(self, cast, project, **kwargs):
        return LateFeeRule.objects.create(project=project, name=f"违约金{seq()}")

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "name": "合同违约金",
            "daily_rate": "0.0005",
            "grace_days": 10,
            "cap_ratio": "0.3",
        }


class TestFeeStandardObject(ObjectTests):
    model = FeeStandard
    api_path = "/api/v1/billing/fee-standards/"

    def make(self, cast, project, **kwargs):
        return property_fee(project, price=f"2.{seq():04d}")

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "item": item_of(project).pk,
            "name": "高层住宅物业费",
            "method": "building_area",
            "unit_price": "2.80",
            "cycle": "monthly",
            "due_day": 15,
            "effective_from": "2026-01-01",
            "prorate": "on",
            "vacancy_after_months": 6,
        }

    def api_data(self, cast, project):
        data = self.form_data(cast, project)
        data["prorate"] = True
        return data


class TestFeeAssignmentObject(ObjectTests):
    model = FeeAssignment
    api_path = "/api/v1/billing/fee-assignments/"

    def marker(self, obj):
        return obj.unit.code

    def form_data(self, cast, project):
        return {
            "project": project.pk,
            "standard": property_fee(project, price="2.20").pk,
            "unit_code": make_unit(project).code,
            "space_code": "",
            "start_date": "2026-01-01",
        }

    def api_data(self, cast, project):
        return {
            "project": project.pk,
            "standard": property_fee(project, price="2.20").pk,
            "unit": make_unit(project).pk,
            "start_date": "2026-01-01",
        }


class TestBillingScheduleObject(ObjectTests):
    model = BillingSchedule
    api_path = "/api/v1/billing/schedules/"

    def marker(self, obj):
        return obj.project.name

    def form_data(self, cast, project):
        return {"project": project.pk, "day_of_month": 5, "is_enabled": "on"}

    def api_data(self, cast, project):
        return {"project": project.pk, "day_of_month": 5, "is_enabled": True, "items": []}


class TestBillObject(ObjectTests):
    model = Bill
    api_path = "/api/v1/billing/bills/"
    ui_actions = ("list", "detail", "changelog", "export")
    api_actions = ("list", "retrieve")

    def marker(self, obj):
        return obj.unit.code  # bill numbers restart in every project; unit codes here do not


# -- billing.manage_standards ------------------------------------------------------------------------
@pytest.fixture
def no_manage_editor(cast):
    """A user who may add/change standards and assignments but lacks billing.manage_standards."""
    from django.contrib.auth.models import Permission

    from wuye.accounts.models import Membership, Role

    role = Role.objects.create(name="无管理权", slug="no-manage")
    perms = Permission.objects.filter(
        content_type__app_label="billing",
        codename__in=[
            "view_feestandard",
            "add_feestandard",
            "change_feestandard",
            "delete_feestandard",
            "view_feeassignment",
            "add_feeassignment",
            "change_feeassignment",
            "delete_feeassignment",
            "view_feeitem",
        ],
    )
    role.permissions.set(perms)
    user = make_user()
    Membership.objects.create(user=user, role=role, project=cast.project_a)
    return user


@pytest.mark.django_db
def test_standards_need_manage_permission_in_the_ui(cast, client_for, no_manage_editor):
    standard = property_fee(cast.project_a)
    client = client_for(no_manage_editor)
    assert client.get("/billing/fee-standards/").status_code == 200
    assert client.get(f"/billing/fee-standards/{standard.pk}/").status_code == 200
    assert client.get("/billing/fee-standards/add/").status_code == 403
    assert client.get(f"/billing/fee-standards/{standard.pk}/edit/").status_code == 403
    assert client.post(f"/billing/fee-standards/{standard.pk}/delete/").status_code == 403
    assert client.get(f"/billing/fee-standards/{standard.pk}/change-price/").status_code == 403
    assert client.get("/billing/fee-assignments/bulk/").status_code == 403
    assert FeeStandard.objects.filter(pk=standard.pk).exists()
    # another project's standard is simply not there
    theirs = property_fee(cast.project_b)
    assert client.get(f"/billing/fee-standards/{theirs.pk}/edit/").status_code == 404


@pytest.mark.django_db
def test_standards_need_manage_permission_in_the_api(cast, api_for, no_manage_editor):
    standard = property_fee(cast.project_a)
    api = api_for(no_manage_editor)
    assert api.get("/api/v1/billing/fee-standards/").status_code == 200
    data = {
        "project": cast.project_a.pk,
        "item": standard.item_id,
        "name": "x",
        "method": "fixed_unit",
        "unit_price": "10",
        "effective_from": "2026-01-01",
    }
    assert api.post("/api/v1/billing/fee-standards/", data, format="json").status_code == 403
    assert (
        api.patch(f"/api/v1/billing/fee-standards/{standard.pk}/", {"name": "y"}, format="json").status_code
        == 403
    )
    assert api.delete(f"/api/v1/billing/fee-standards/{standard.pk}/").status_code == 403
    unit = make_unit(cast.project_a)
    assignment = {
        "project": cast.project_a.pk,
        "standard": standard.pk,
        "unit": unit.pk,
        "start_date": "2026-01-01",
    }
    assert api.post("/api/v1/billing/fee-assignments/", assignment, format="json").status_code == 403
    standard.refresh_from_db()
    assert standard.name != "y"


@pytest.mark.django_db
def test_tiers_are_edited_as_rows_and_validated(cast, client_for):
    client = client_for(cast.manager_a)
    p = cast.project_a
    data = {
        "project": p.pk,
        "item": item_of(p, "水费").pk,
        "name": "阶梯水价",
        "method": "metered",
        "unit_price": "3.50",
        "cycle": "monthly",
        "due_day": 15,
        "effective_from": "2026-01-01",
        "vacancy_after_months": 6,
        "tier_up_to_0": "10",
        "tier_price_0": "3.50",
        "tier_up_to_1": "",
        "tier_price_1": "4.20",
    }
    response = client.post("/billing/fee-standards/add/", data)
    assert response.status_code == 302, response.content[:2000]
    standard = FeeStandard.objects.get(name="阶梯水价")
    assert standard.tiers == [{"up_to": "10", "price": "3.50"}, {"up_to": None, "price": "4.20"}]
    page = client.get(f"/billing/fee-standards/{standard.pk}/edit/").content.decode()
    assert 'name="tier_price_1"' in page and 'value="4.20"' in page

    # a closed last tier, decreasing limits, or tiers on an area method are refused with a message
    for bad in (
        {"tier_up_to_1": "20"},
        {"tier_up_to_0": "10", "tier_up_to_1": "5", "tier_price_2": "5", "tier_up_to_2": ""},
        {"method": "building_area"},
    ):
        response = client.post(f"/billing/fee-standards/{standard.pk}/edit/", {**data, **bad})
        assert response.status_code == 200, bad
        assert "invalid-feedback" in response.content.decode(), bad


@pytest.mark.django_db
def test_price_fields_are_fixed_once_a_standard_has_bills(cast, client_for):
    from wuye.billing.services import run_billing

    p = cast.project_a
    standard = property_fee(p, price="2.00")
    assign(standard, make_unit(p))
    run_billing(actor=None, project=p, period=datetime.date(2026, 11, 1))
    client = client_for(cast.manager_a)
    data = {
        "project": p.pk,
        "item": standard.item_id,
        "name": standard.name,
        "method": "building_area",
        "unit_price": "9.99",
        "cycle": "monthly",
        "due_day": 20,
        "effective_from": "2020-01-01",
        "vacancy_after_months": 6,
    }
    response = client.post(f"/billing/fee-standards/{standard.pk}/edit/", data)
    assert response.status_code == 200
    assert "Change the price" in response.content.decode()
    data["unit_price"] = "2.00"
    assert client.post(f"/billing/fee-standards/{standard.pk}/edit/", data).status_code == 302
    standard.refresh_from_db()
    assert standard.due_day == 20 and str(standard.unit_price) == "2.0000"


@pytest.mark.django_db
def test_a_unit_cannot_get_two_standards_of_one_item_by_hand(cast, client_for, api_for):
    p = cast.project_a
    unit = make_unit(p)
    old = property_fee(p, price="2.00")
    assign(old, unit, start=datetime.date(2026, 1, 1))
    new = property_fee(p, price="2.50")
    form = {"project": p.pk, "standard": new.pk, "unit_code": unit.code, "start_date": "2026-06-01"}
    response = client_for(cast.manager_a).post("/billing/fee-assignments/add/", form)
    assert response.status_code == 200 and "bulk assignment" in response.content.decode()
    api = {"project": p.pk, "standard": new.pk, "unit": unit.pk, "start_date": "2026-06-01"}
    response = api_for(cast.manager_a).post("/api/v1/billing/fee-assignments/", api, format="json")
    assert response.status_code == 400 and "start_date" in response.json()
    assert FeeAssignment.objects.filter(unit=unit).count() == 1
    # once the old one ends, the new one fits after it
    FeeAssignment.objects.filter(unit=unit).update(end_date=datetime.date(2026, 5, 31))
    assert client_for(cast.manager_a).post("/billing/fee-assignments/add/", form).status_code == 302
    # a parking-space code instead of a unit code, and an unknown code
    form2 = {**form, "unit_code": "9-9-9999"}
    response = client_for(cast.manager_a).post("/billing/fee-assignments/add/", form2)
    assert response.status_code == 200 and "There is no unit" in response.content.decode()
