"""Bulk assignment and price changes: history kept, never two current standards of one item."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from wuye.billing.models import Bill, FeeAssignment, FeeStandard
from wuye.billing.services import run_billing
from wuye.billing.services.assignments import (
    Selection,
    do_bulk_assign,
    do_replace_standard,
    preview_bulk_assignment,
    preview_replace_standard,
    start_bulk_assign,
)
from wuye.billing.tests.factories import assign, make_unit, property_fee
from wuye.core.models import AuditEvent, Job

JAN = datetime.date(2026, 1, 1)
JUL = datetime.date(2026, 7, 1)


def building_of(unit):
    return unit.building


def current(unit, on):
    return list(
        FeeAssignment.objects.filter(unit=unit, start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .values_list("standard__name", flat=True)
    )


@pytest.fixture
def estate(cast):
    """Project A: building 1 with 4 units (one shop), building 2 with 1 unit."""
    from wuye.estate.models import Building

    p = cast.project_a
    units = [make_unit(p) for _ in range(4)]
    units[3].usage = "shop"
    units[3].save()
    other = Building.objects.create(project=p, number="2", floors_above=10)
    lone = make_unit(p)
    lone.building = other
    lone.save()
    return p, units, lone


@pytest.mark.django_db
def test_bulk_assign_to_a_building_ends_the_other_standard_the_day_before(cast, estate):
    p, units, lone = estate
    old = property_fee(p, price="2.00")
    assign(old, units[0], start=JAN)
    new = property_fee(p, price="2.50")
    assign(new, units[1], start=JAN)  # already has it: unchanged
    selection = Selection(project=p, building_id=units[0].building_id)
    preview = preview_bulk_assignment(standard=new, selection=selection, start_date=JUL)
    assert preview == {"targets": 4, "new": 2, "replaced": 1, "unchanged": 1, "conflicts": 0, "billed": 0}
    result = do_bulk_assign(actor=cast.manager_a, standard=new, selection=selection, start_date=JUL)
    assert result["created"] == 3 and result["ended"] == 1
    ended = FeeAssignment.objects.get(unit=units[0], standard=old)
    assert ended.end_date == datetime.date(2026, 6, 30)  # kept, ended the day before
    assert current(units[0], datetime.date(2026, 6, 30)) == [old.name]
    for unit in units:
        assert current(unit, JUL) == [new.name]
    assert current(lone, JUL) == []  # another building
    assert AuditEvent.objects.filter(action="billing.assignment.bulk").count() == 1
    # running it again changes nothing
    again = do_bulk_assign(actor=cast.manager_a, standard=new, selection=selection, start_date=JUL)
    assert again["created"] == 0 and again["unchanged"] == 4


@pytest.mark.django_db
def test_bulk_assign_by_usage_and_status(cast, estate):
    p, units, lone = estate
    standard = property_fee(p, price="5.00")
    shops = Selection(project=p, usage="shop")
    assert preview_bulk_assignment(standard=standard, selection=shops, start_date=JAN)["targets"] == 1
    units[1].status = "vacant"
    units[1].save()
    vacant = Selection(project=p, statuses=("vacant", "unsold"))
    result = do_bulk_assign(actor=None, standard=standard, selection=vacant, start_date=JAN)
    assert result["created"] == 1 and current(units[1], JAN) == [standard.name]


@pytest.mark.django_db
def test_bulk_assign_refuses_billed_periods_and_skips_later_assignments(cast, estate):
    p, units, _lone = estate
    old = property_fee(p, price="2.00")
    assign(old, units[0], start=JAN)
    run_billing(actor=None, project=p, period=datetime.date(2026, 7, 1))  # July is billed
    new = property_fee(p, price="2.50")
    selection = Selection(project=p, building_id=units[0].building_id)
    assert preview_bulk_assignment(standard=new, selection=selection, start_date=JUL)["billed"] == 1
    with pytest.raises(ValidationError):
        do_bulk_assign(actor=None, standard=new, selection=selection, start_date=JUL)
    assert FeeAssignment.objects.filter(standard=new).count() == 0
    # from August the billed July stays with the old price; no double billing
    aug = datetime.date(2026, 8, 1)
    do_bulk_assign(actor=None, standard=new, selection=selection, start_date=aug)
    run_billing(actor=None, project=p, period=aug)
    assert Bill.objects.filter(unit=units[0]).count() == 2
    assert Bill.objects.get(unit=units[0], period_start=aug).unit_price == Decimal("2.50")
    # an assignment of the item starting after the date: that unit is skipped, counted as a conflict
    third = property_fee(p, price="3.00")
    preview = preview_bulk_assignment(standard=third, selection=selection, start_date=JUL)
    assert preview["conflicts"] == 4 and preview["new"] == 0


@pytest.mark.django_db
def test_bulk_assign_checks_standard_dates_kind_and_permission(cast, estate):
    p, units, _lone = estate
    standard = property_fee(p, price="2.00", effective_from=JUL)
    selection = Selection(project=p)
    with pytest.raises(ValidationError):
        preview_bulk_assignment(standard=standard, selection=selection, start_date=JAN)
    with pytest.raises(PermissionDenied):
        do_bulk_assign(actor=cast.cashier_a, standard=standard, selection=selection, start_date=JUL)
    with pytest.raises(PermissionDenied):
        do_bulk_assign(actor=cast.staff_b, standard=standard, selection=selection, start_date=JUL)
    with pytest.raises(ValidationError):  # an area standard on parking spaces
        from wuye.estate.tests.factories import make_parking_lot

        lot = make_parking_lot(p)
        preview_bulk_assignment(
            standard=standard, selection=Selection(project=p, lot_id=lot.pk), start_date=JUL
        )


@pytest.mark.django_db
def test_parking_spaces_of_a_lot(cast):
    from wuye.billing.models import FeeItem
    from wuye.estate.tests.factories import make_parking_lot, make_parking_space

    p = cast.project_a
    lot = make_parking_lot(p)
    spaces = [make_parking_space(p, lot=lot) for _ in range(3)]
    make_parking_space(p)  # another lot
    item = FeeItem.objects.create(project=p, name="车位管理费", category="parking", tax_rate="0.09")
    standard = FeeStandard.objects.create(
        project=p, item=item, name="车位月费", method="fixed_space", unit_price="150", effective_from=JAN
    )
    result = do_bulk_assign(
        actor=cast.manager_a, standard=standard, selection=Selection(project=p, lot_id=lot.pk), start_date=JAN
    )
    assert result["created"] == 3
    assert set(FeeAssignment.objects.filter(standard=standard).values_list("parking_space", flat=True)) == {
        s.pk for s in spaces
    }


@pytest.mark.django_db
def test_large_bulk_assignment_runs_as_a_job(cast, estate, settings, django_capture_on_commit_callbacks):
    settings.WUYE_BULK_ASSIGN_INLINE_LIMIT = 2
    p, units, _lone = estate
    standard = property_fee(p, price="2.00")
    with django_capture_on_commit_callbacks(execute=True):
        job = start_bulk_assign(
            actor=cast.manager_a, standard=standard, selection=Selection(project=p), start_date=JAN
        )
    assert isinstance(job, Job)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.result["created"] == 5
    assert FeeAssignment.objects.filter(standard=standard).count() == 5


@pytest.mark.django_db
def test_change_the_price_from_a_date(cast, estate):
    p, units, _lone = estate
    old = property_fee(p, price="2.00")
    for unit in units[:3]:
        assign(old, unit, start=JAN)
    assign(old, units[3], start=datetime.date(2026, 9, 1))  # starts after the change: moved
    FeeAssignment.objects.filter(unit=units[2]).update(end_date=datetime.date(2026, 12, 31))
    preview = preview_replace_standard(old=old, effective_from=JUL)
    assert preview == {"assignments": 4, "ended": 3, "moved": 1, "billed": 0}
    new, result = do_replace_standard(actor=cast.manager_a, old=old, effective_from=JUL, unit_price="2.30")
    assert result == {"standard": new.pk, "ended": 3, "created": 3, "moved": 1}
    old.refresh_from_db()
    assert old.effective_to == datetime.date(2026, 6, 30)
    assert new.unit_price == Decimal("2.30") and new.item_id == old.item_id and new.method == old.method
    assert new.effective_from == JUL
    for unit in units:
        assert current(unit, JUL if unit != units[3] else datetime.date(2026, 9, 1)) == [new.name]
    assert current(units[0], datetime.date(2026, 6, 30)) == [old.name]
    assert FeeAssignment.objects.get(unit=units[2], standard=new).end_date == datetime.date(2026, 12, 31)
    # billing June and July: June at the old price, July at the new one
    run_billing(actor=None, project=p, period=datetime.date(2026, 6, 1))
    run_billing(actor=None, project=p, period=JUL)
    june = Bill.objects.get(unit=units[0], period_start=datetime.date(2026, 6, 1))
    july = Bill.objects.get(unit=units[0], period_start=JUL)
    assert (june.unit_price, july.unit_price) == (Decimal("2.00"), Decimal("2.30"))


@pytest.mark.django_db
def test_change_the_price_refuses_billed_periods_and_bad_dates(cast, estate):
    p, units, _lone = estate
    old = property_fee(p, price="2.00", effective_from=JAN)
    assign(old, units[0], start=JAN)
    run_billing(actor=None, project=p, period=JUL)
    with pytest.raises(ValidationError):
        do_replace_standard(actor=None, old=old, effective_from=JUL, unit_price="2.30")
    with pytest.raises(ValidationError):
        do_replace_standard(actor=None, old=old, effective_from=JAN, unit_price="2.30")
    with pytest.raises(PermissionDenied):
        do_replace_standard(
            actor=cast.cashier_a, old=old, effective_from=datetime.date(2026, 8, 1), unit_price="2"
        )
    assert FeeStandard.objects.filter(item=old.item).count() == 1


@pytest.mark.django_db
def test_bulk_and_price_change_screens(cast, client_for, estate):
    p, units, _lone = estate
    standard = property_fee(p, price="2.60")
    client = client_for(cast.manager_a)
    data = {
        "standard": standard.pk,
        "start_date": "2026-01-01",
        "target": "units",
        "building": units[0].building_id,
        "usage": "",
    }
    page = client.post("/billing/fee-assignments/bulk/", {**data, "preview": "1"}).content.decode()
    assert 'data-testid="bulk-preview"' in page and 'data-testid="bulk-apply"' in page
    assert FeeAssignment.objects.count() == 0
    response = client.post("/billing/fee-assignments/bulk/", {**data, "apply": "1"})
    assert response.status_code == 302
    assert FeeAssignment.objects.filter(standard=standard).count() == 4
    # change the price on the standard's page
    url = f"/billing/fee-standards/{standard.pk}/change-price/"
    form = {"unit_price": "2.90", "effective_from": "2026-07-01", "name": "物业费2026下半年"}
    page = client.post(url, {**form, "preview": "1"}).content.decode()
    assert 'data-testid="replace-preview"' in page
    response = client.post(url, {**form, "apply": "1"})
    new = FeeStandard.objects.get(name="物业费2026下半年")
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert FeeAssignment.objects.filter(standard=new).count() == 4


@pytest.mark.django_db
def test_bulk_and_price_change_api(cast, api_for, estate):
    p, units, _lone = estate
    standard = property_fee(p, price="2.60")
    api = api_for(cast.manager_a)
    body = {"standard": standard.pk, "start_date": "2026-01-01", "building": units[0].building_id}
    response = api.post("/api/v1/billing/bulk-assignments/preview/", body, format="json")
    assert response.status_code == 200 and response.json()["new"] == 4
    response = api.post("/api/v1/billing/bulk-assignments/apply/", body, format="json")
    assert response.status_code == 200 and response.json()["created"] == 4
    # another project's standard does not exist for this user; a cashier may not
    theirs = property_fee(cast.project_b)
    response = api.post(
        "/api/v1/billing/bulk-assignments/preview/", {**body, "standard": theirs.pk}, format="json"
    )
    assert response.status_code == 404
    response = api_for(cast.cashier_a).post("/api/v1/billing/bulk-assignments/apply/", body, format="json")
    assert response.status_code == 403
    url = f"/api/v1/billing/fee-standards/{standard.pk}/change-price/"
    response = api.post(
        url, {"effective_from": "2026-07-01", "unit_price": "3.10", "dry_run": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["ended"] == 4
    response = api.post(url, {"effective_from": "2026-07-01", "unit_price": "3.10"}, format="json")
    assert response.status_code == 201 and response.json()["unit_price"] == "3.1000"
    response = api.post(url, {"effective_from": "2026-07-01", "unit_price": "3.20"}, format="json")
    assert response.status_code == 400  # the old standard already ended on 2026-06-30
