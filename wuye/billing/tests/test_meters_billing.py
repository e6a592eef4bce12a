"""Bills from meter readings: household meters with tiers, public meters split 公摊, re-runs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from wuye.billing.models import Bill, BillingRun
from wuye.billing.models.meters import MeterReading
from wuye.billing.services import do_void_bill
from wuye.billing.services.meters import (
    bill_meter_readings,
    metered_amount,
    plan_meter_billing,
    reopen_reading,
    split_amount,
    tier_lines,
)
from wuye.billing.tests.factories import assign, make_owner, make_unit
from wuye.billing.tests.factories_meters import DEC, NOV, make_meter, read, shared_standard, water_standard
from wuye.core.models import AuditEvent

pytestmark = pytest.mark.django_db
TIERS = [{"up_to": "10", "price": "3.00"}, {"up_to": "20", "price": "4.00"}, {"up_to": None, "price": "6.00"}]


def test_tiers_price_each_stretch():
    exact, lines = tier_lines(Decimal("25"), Decimal("3"), TIERS)
    assert exact == Decimal("100")  # 10 x 3 + 10 x 4 + 5 x 6
    assert [line["quantity"] for line in lines] == ["10", "10", "5"]
    assert metered_amount(Decimal("7.333"), Decimal("3"), TIERS) == Decimal("22.00")
    assert metered_amount(Decimal("3.3333"), Decimal("1.005")) == Decimal("3.35")


def test_split_adds_up_and_gives_residue_to_largest_remainders():
    shares = split_amount(Decimal("100.00"), [("a", Decimal(1)), ("b", Decimal(1)), ("c", Decimal(1))])
    assert [a for _k, _e, a in shares] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    shares = split_amount(Decimal("10.00"), [("a", Decimal("89.5")), ("b", Decimal("126.8"))])
    assert sum(a for _k, _e, a in shares) == Decimal("10.00")


def test_household_meter_bill(cast):
    p = cast.project_a
    unit = make_unit(p)
    owner = make_owner(unit)
    meter = make_meter(p, unit=unit, standard=water_standard(p, tiers=TIERS), initial_value=Decimal("100"))
    reading = read(meter, NOV, "125", confirm=True)
    run = bill_meter_readings(actor=cast.manager_a, project=p, period=NOV)
    bill = Bill.objects.get(run=run)
    assert bill.amount == Decimal("100.00")
    assert bill.quantity == Decimal("25") and bill.unit == unit and bill.payer == owner
    assert bill.source == "meter" and bill.dedup_key == f"m{reading.pk}:u{unit.pk}"
    assert bill.tax_rate == Decimal("0.03")
    assert bill.period_start == NOV and bill.due_date == DEC.replace(day=15)
    assert len(bill.calc["tiers"]) == 3 and bill.calc["previous"] == "100.00"
    reading.refresh_from_db()
    assert reading.status == "billed" and list(reading.bills.all()) == [bill]
    assert AuditEvent.objects.filter(action="billing.bill.meter", object_id=str(reading.pk)).exists()
    assert run.total_amount == Decimal("100.00") and run.summary["source"] == "meter"


def test_rerun_creates_nothing_twice(cast):
    p = cast.project_a
    meter = make_meter(p, standard=water_standard(p))
    read(meter, NOV, "10", confirm=True)
    bill_meter_readings(actor=None, project=p, period=NOV)
    again = bill_meter_readings(actor=None, project=p, period=NOV)
    assert again.created_count == 0
    assert Bill.objects.filter(source="meter").count() == 1


def test_drafts_are_not_billed(cast):
    p = cast.project_a
    meter = make_meter(p, standard=water_standard(p))
    read(meter, NOV, "10")
    run = bill_meter_readings(actor=None, project=p, period=NOV)
    assert run.created_count == 0 and run.summary["drafts_left"] == 1


def test_public_meter_split_by_area_adds_up(cast):
    p = cast.project_a
    units = [make_unit(p, area=a) for a in ("89.50", "126.80", "60.00")]
    standard = shared_standard(p, price="1.00")
    meter = make_meter(p, public=True, building=units[0].building, standard=standard)
    read(meter, NOV, "100", confirm=True)
    run = bill_meter_readings(actor=None, project=p, period=NOV)
    bills = list(Bill.objects.filter(run=run).order_by("unit__sort_code"))
    assert len(bills) == 3
    assert sum(b.amount for b in bills) == Decimal("100.00")
    by_unit = {b.unit_id: b for b in bills}
    assert by_unit[units[1].pk].amount > by_unit[units[0].pk].amount > by_unit[units[2].pk].amount
    assert by_unit[units[0].pk].calc["weight"] == "89.50"
    assert by_unit[units[0].pk].calc["weight_total"] == "276.30"


def test_public_meter_split_among_assigned_units_with_weights(cast):
    p = cast.project_a
    a, b, c = (make_unit(p) for _ in range(3))
    standard = shared_standard(p, method="shared_weight", price="2.00")
    assign(standard, a, weight=Decimal("1"))
    assign(standard, b, weight=Decimal("2"))
    meter = make_meter(p, public=True, building=a.building, standard=standard)
    read(meter, NOV, "10", confirm=True)
    run = bill_meter_readings(actor=None, project=p, period=NOV)
    amounts = dict(Bill.objects.filter(run=run).values_list("unit_id", "amount"))
    assert amounts == {a.pk: Decimal("6.67"), b.pk: Decimal("13.33")}
    assert c.pk not in amounts


def test_household_split_is_equal(cast):
    p = cast.project_a
    units = [make_unit(p) for _ in range(3)]
    meter = make_meter(
        p, public=True, building=units[0].building, standard=shared_standard(p, method="shared_household")
    )
    read(meter, NOV, "1", confirm=True)  # 0.80 yuan over three households
    amounts = sorted(
        Bill.objects.filter(run=bill_meter_readings(actor=None, project=p, period=NOV)).values_list(
            "amount", flat=True
        )
    )
    assert amounts == [Decimal("0.26"), Decimal("0.27"), Decimal("0.27")]


def test_problems_leave_readings_confirmed(cast):
    p = cast.project_a
    meter = make_meter(p, standard=None)
    reading = read(meter, NOV, "10", confirm=True)
    weights = make_meter(p, public=True, standard=shared_standard(p, method="shared_weight"))
    read(weights, NOV, "10", confirm=True)
    run = bill_meter_readings(actor=None, project=p, period=NOV)
    assert run.summary["problem_count"] == 2
    reading.refresh_from_db()
    assert reading.status == "confirmed"


def test_plan_reads_only(cast):
    p = cast.project_a
    meter = make_meter(p, standard=water_standard(p))
    read(meter, NOV, "10", confirm=True)
    plan = plan_meter_billing(p, NOV)
    assert plan.total == Decimal("35.00") and plan.line_count == 1
    assert not Bill.objects.exists() and not BillingRun.objects.exists()


def test_billed_reading_is_locked_until_its_bills_are_voided(cast):
    p = cast.project_a
    meter = make_meter(p, standard=water_standard(p))
    reading = read(meter, NOV, "10", confirm=True)
    bill_meter_readings(actor=cast.manager_a, project=p, period=NOV)
    reading.refresh_from_db()
    reading.value = Decimal("9")
    with pytest.raises(ValidationError):
        reading.full_clean()
    with pytest.raises(ValidationError):
        reopen_reading(actor=cast.manager_a, reading=reading)
    bill = reading.bills.get()
    do_void_bill(actor=cast.manager_a, bill=bill, reason="抄错")
    reading = reopen_reading(actor=cast.manager_a, reading=reading)
    assert reading.status == "draft" and reading.revision == 1
    reading.value = Decimal("9")
    reading.full_clean()
    reading.save()
    MeterReading.machine.apply(reading, "confirm", actor=cast.manager_a)
    run = bill_meter_readings(actor=cast.manager_a, project=p, period=NOV)
    new = Bill.objects.get(run=run)
    assert new.amount == Decimal("31.50") and new.dedup_key.startswith(f"m{reading.pk}.1:")


def test_developer_pays_for_unsold_units(cast):
    from wuye.residents.models import Person

    p = cast.project_a
    developer = Person.objects.create(project=p, name="开发商", is_developer=True)
    unit = make_unit(p, status="unsold")
    meter = make_meter(p, unit=unit, standard=water_standard(p))
    read(meter, NOV, "10", confirm=True)
    bill_meter_readings(actor=None, project=p, period=NOV)
    assert Bill.objects.get(unit=unit).payer == developer


def test_billing_as_a_background_job(cast, django_capture_on_commit_callbacks):
    from wuye.billing.services.meters import enqueue_meter_billing
    from wuye.core.models import Job

    p = cast.project_a
    meter = make_meter(p, standard=water_standard(p))
    read(meter, NOV, "10", confirm=True)
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_meter_billing(actor=cast.manager_a, project=p, period=NOV)
    job = Job.objects.get(pk=job.pk)
    assert job.status == "succeeded", job.error
    assert job.result["created"] == 1 and job.result["total"] == "35.00"
    assert Bill.objects.get(source="meter").run.job_id == job.pk
