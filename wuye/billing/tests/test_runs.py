import datetime
from decimal import Decimal

import pytest

from wuye.billing.models import Bill, BillingRun
from wuye.billing.services import run_billing
from wuye.billing.tests.factories import assign, make_owner, make_unit, property_fee
from wuye.core.models import AuditEvent

NOV = datetime.date(2026, 11, 1)


@pytest.mark.django_db
def test_run_bills_area_times_price_and_is_idempotent(cast):
    p = cast.project_a
    standard = property_fee(p, price="2.35")
    unit = make_unit(p, area="89.55")
    owner = make_owner(unit)
    assign(standard, unit)
    run = run_billing(actor=cast.manager_a, project=p, period=NOV)
    bill = Bill.objects.get(unit=unit)
    assert bill.amount == Decimal("210.44")  # 89.55 x 2.35 = 210.4425 -> 210.44
    assert bill.quantity == Decimal("89.55") and bill.unit_price == Decimal("2.35") and bill.months == 1
    assert bill.payer == owner and bill.due_date == datetime.date(2026, 11, 15)
    assert bill.period_start == NOV and bill.period_end == datetime.date(2026, 11, 30)
    assert bill.tax_rate == Decimal("0.06") and bill.number.startswith("ZD-2026-")
    assert run.created_count == 1 and run.skipped_count == 0
    again = run_billing(actor=cast.manager_a, project=p, period=NOV)
    assert again.created_count == 0 and again.skipped_count == 1
    assert Bill.objects.count() == 1
    assert AuditEvent.objects.filter(action="billing.run").count() == 2


@pytest.mark.django_db
def test_partial_month_is_prorated_by_days(cast):
    p = cast.project_a
    standard = property_fee(p, price="3.00")
    unit = make_unit(p, area="100.00")
    assign(standard, unit, start=datetime.date(2026, 11, 16))  # 15 of 30 days
    run_billing(actor=None, project=p, period=NOV)
    bill = Bill.objects.get()
    assert bill.period_start == datetime.date(2026, 11, 16)
    assert bill.amount == Decimal("150.00") and bill.months == Decimal("0.5000")
    assert bill.due_date == datetime.date(2026, 11, 16)  # never due before the period it charges


@pytest.mark.django_db
def test_delivery_mid_month_splits_developer_and_owner(cast):
    from wuye.residents.models import Person

    p = cast.project_a
    developer = Person.objects.create(project=p, name="开发商", kind="organization", is_developer=True)
    standard = property_fee(p, price="3.00")
    unit = make_unit(p, area="100.00", delivery=datetime.date(2026, 11, 11))
    owner = make_owner(unit)
    assign(standard, unit)
    run_billing(actor=None, project=p, period=NOV)
    first, second = Bill.objects.order_by("period_start")
    assert (first.payer, first.period_end, first.amount) == (
        developer,
        datetime.date(2026, 11, 10),
        Decimal("100.00"),
    )
    assert (second.payer, second.period_start, second.amount) == (
        owner,
        datetime.date(2026, 11, 11),
        Decimal("200.00"),
    )
    assert run_billing(actor=None, project=p, period=NOV).created_count == 0


@pytest.mark.django_db
def test_unsold_units_are_billed_to_the_developer(cast):
    from wuye.residents.models import Person

    p = cast.project_a
    developer = Person.objects.create(project=p, name="开发商", kind="organization", is_developer=True)
    standard = property_fee(p)
    unit = make_unit(p, status="unsold")
    assign(standard, unit)
    run_billing(actor=None, project=p, period=NOV)
    assert Bill.objects.get().payer == developer and Bill.objects.get().calc["developer"] is True


@pytest.mark.django_db
def test_vacancy_discount_only_when_registered_and_long_enough(cast):
    p = cast.project_a
    standard = property_fee(p, price="2.00", vacancy_rate=Decimal("0.70"), vacancy_after_months=6)
    long_vacant = make_unit(p, area="100", status="vacant", delivery=datetime.date(2025, 1, 1))
    long_vacant.vacancy_registered = True
    long_vacant.save()
    recent = make_unit(p, area="100", status="vacant", delivery=datetime.date(2026, 9, 1))
    recent.vacancy_registered = True
    recent.save()
    unregistered = make_unit(p, area="100", status="vacant", delivery=datetime.date(2025, 1, 1))
    for u in (long_vacant, recent, unregistered):
        assign(standard, u)
    run_billing(actor=None, project=p, period=NOV)
    amounts = {b.unit_id: b.amount for b in Bill.objects.all()}
    assert amounts == {
        long_vacant.pk: Decimal("140.00"),
        recent.pk: Decimal("200.00"),
        unregistered.pk: Decimal("200.00"),
    }


@pytest.mark.django_db
def test_quarterly_cycle_bills_only_at_quarter_start(cast):
    p = cast.project_a
    standard = property_fee(p, price="1.00", cycle="quarterly")
    assign(standard, make_unit(p, area="10"))
    assert run_billing(actor=None, project=p, period=NOV).created_count == 0
    run_billing(actor=None, project=p, period=datetime.date(2026, 10, 1))
    bill = Bill.objects.get()
    assert bill.period_end == datetime.date(2026, 12, 31) and bill.amount == Decimal("30.00")


@pytest.mark.django_db
def test_run_is_per_project_and_by_item(cast):
    a_std = property_fee(cast.project_a)
    b_std = property_fee(cast.project_b)
    assign(a_std, make_unit(cast.project_a))
    assign(b_std, make_unit(cast.project_b))
    run_billing(actor=None, project=cast.project_a, period=NOV, items=["停车费"])
    assert Bill.objects.count() == 0
    run_billing(actor=None, project=cast.project_a, period=NOV, items=["物业服务费"])
    assert list(Bill.objects.values_list("project_id", flat=True)) == [cast.project_a.pk]


@pytest.mark.django_db
def test_missing_inner_area_is_reported_not_billed(cast):
    from wuye.billing.models import FeeStandard

    p = cast.project_a
    std = property_fee(p)
    FeeStandard.objects.filter(pk=std.pk).update(method="inner_area")
    assign(std, make_unit(p, inner=None))
    run = run_billing(actor=None, project=p, period=NOV)
    assert run.created_count == 0 and run.summary["problem_count"] == 1


@pytest.mark.django_db
def test_run_as_a_job_reports_its_summary(cast, django_capture_on_commit_callbacks):
    from wuye.billing.services.runs import enqueue_billing_run

    p = cast.project_a
    assign(property_fee(p, price="2.00"), make_unit(p, area="50"))
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_billing_run(actor=cast.manager_a, project=p, period="2026-11")
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.result["created"] == 1 and job.result["total"] == "100.00"
    assert BillingRun.objects.get().job == job
