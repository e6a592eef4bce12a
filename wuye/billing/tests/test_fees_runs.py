"""Billing runs: the run page (a Job), the list and detail, the command, the periodic tasks."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wuye.billing.models import Bill, BillingRun, BillingSchedule, FeeItem, Payment, PrepaidAccount
from wuye.billing.tasks import deduct_prepaid_everywhere, run_scheduled_billing
from wuye.billing.tests.factories import assign, make_unit, property_fee
from wuye.core.models import Job


@pytest.fixture
def billable(cast):
    p = cast.project_a
    standard = property_fee(p, price="2.00")
    units = [make_unit(p, area="100.00") for _ in range(3)]
    for unit in units:
        assign(standard, unit)
    parking = FeeItem.objects.create(project=p, name="车位管理费", category="parking", tax_rate="0.09")
    from wuye.billing.models import FeeStandard

    fixed = FeeStandard.objects.create(
        project=p,
        item=parking,
        name="固定月费",
        method="fixed_unit",
        unit_price="50",
        effective_from=datetime.date(2020, 1, 1),
    )
    assign(fixed, units[0])
    return p, units


@pytest.mark.django_db
def test_run_page_starts_a_job_and_the_run_is_listed(
    cast, client_for, billable, django_capture_on_commit_callbacks
):
    p, units = billable
    client = client_for(cast.manager_a)
    page = client.get("/billing/runs/new/").content.decode()
    assert 'type="month"' in page and "物业服务费" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/billing/runs/new/", {"project": p.pk, "period": "2026-11"})
    job = Job.objects.get(kind="billing.run")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    assert job.result["created"] == 4 and job.result["total"] == "650.00"
    run = BillingRun.objects.get()
    assert run.job == job and run.created_by == cast.manager_a
    listing = client.get("/billing/runs/").content.decode()
    assert run.get_absolute_url() in listing and "650.00" in listing
    detail = client.get(run.get_absolute_url()).content.decode()
    assert "车位管理费" in detail and "物业服务费" in detail and 'data-testid="run-by-item"' in detail
    # the same month again creates nothing; a month for one item bills only that item
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/billing/runs/new/", {"project": p.pk, "period": "2026-11"})
    again = Job.objects.filter(kind="billing.run").order_by("-pk").first()
    assert again.result["created"] == 0 and again.result["skipped"] == 4
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/billing/runs/new/",
            {
                "project": p.pk,
                "period": "2026-12",
                "items": [FeeItem.objects.get(name="车位管理费").pk],
            },
        )
    assert Bill.objects.filter(period_start=datetime.date(2026, 12, 1)).count() == 1


@pytest.mark.django_db
def test_run_page_validates_and_needs_run_billing(cast, client_for, billable):
    p, _units = billable
    client = client_for(cast.manager_a)
    response = client.post("/billing/runs/new/", {"project": p.pk, "period": "2026-13"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    response = client.post("/billing/runs/new/", {"project": cast.project_b.pk, "period": "2026-11"})
    assert response.status_code == 200 and Job.objects.count() == 0
    assert client_for(cast.cashier_a).get("/billing/runs/new/").status_code == 403
    listing = client_for(cast.cashier_a).get("/billing/runs/").content.decode()
    assert 'data-testid="run-billing"' not in listing
    assert 'data-testid="run-billing"' in client.get("/billing/runs/").content.decode()


@pytest.mark.django_db
def test_run_api(cast, api_for, billable, django_capture_on_commit_callbacks):
    p, _units = billable
    api = api_for(cast.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/billing/runs/", {"project": p.pk, "period": "2026-11"}, format="json")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job"])
    assert job.status == "succeeded"
    runs = api.get("/api/v1/billing/runs/").json()["results"]
    assert runs[0]["created_count"] == 4 and runs[0]["summary"]["by_item"]["车位管理费"]["count"] == 1
    bad = api.post("/api/v1/billing/runs/", {"project": p.pk, "period": "11/2026"}, format="json")
    assert bad.status_code == 400
    bad = api.post(
        "/api/v1/billing/runs/", {"project": p.pk, "period": "2026-11", "items": ["煤气费"]}, format="json"
    )
    assert bad.status_code == 400
    other = api.post(
        "/api/v1/billing/runs/", {"project": cast.project_b.pk, "period": "2026-11"}, format="json"
    )
    assert other.status_code == 400
    assert api_for(cast.cashier_a).post("/api/v1/billing/runs/", {}, format="json").status_code == 403


@pytest.mark.django_db
def test_command_runs_and_prints_the_summary(cast, billable):
    p, _units = billable
    out = StringIO()
    call_command("billing", "run", "--project", p.code, "--period", "2026-11", stdout=out)
    text = out.getvalue()
    assert "created 4, skipped 0, total 650.00" in text and "车位管理费: 1 bills, 50.00" in text
    out = StringIO()
    call_command(
        "billing", "run", "--project", p.code, "--period", "2026-11", "--item", "物业服务费", stdout=out
    )
    assert "created 0, skipped 3" in out.getvalue()
    for bad in (
        ["--project", "NOPE", "--period", "2026-11"],
        ["--project", p.code, "--period", "2026/11"],
        ["--project", p.code, "--period", "2026-11", "--item", "煤气费"],
        ["--project", p.code, "--period", "2026-11", "--user", "nobody"],
    ):
        with pytest.raises(CommandError):
            call_command("billing", "run", *bad, stdout=StringIO())


def test_command_exits_non_zero_on_bad_input():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "wuye.cli", "billing", "run", "--project", "X", "--period", "bad"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "period must look like 2026-11" in result.stderr


@pytest.mark.django_db
def test_scheduled_billing_runs_once_a_month_from_its_day(cast, billable):
    p, _units = billable
    schedule = BillingSchedule.objects.create(project=p, day_of_month=5)
    schedule.items.set([FeeItem.objects.get(project=p, name="物业服务费")])
    BillingSchedule.objects.create(project=cast.project_b, day_of_month=5, is_enabled=False)
    assert run_scheduled_billing(datetime.date(2026, 11, 4)) == []
    done = run_scheduled_billing(datetime.date(2026, 11, 5))
    assert done == [{"project": p.code, "period": "2026-11", "created": 3, "skipped": 0, "total": "600.00"}]
    schedule.refresh_from_db()
    assert schedule.last_period == datetime.date(2026, 11, 1)
    assert run_scheduled_billing(datetime.date(2026, 11, 6)) == []  # already billed this month
    assert run_scheduled_billing(datetime.date(2026, 12, 28))[0]["period"] == "2026-12"
    assert Bill.objects.count() == 6  # the parking item is not in the schedule
    out = StringIO()
    call_command("billing", "scheduled", "--date", "2027-01-05", stdout=out)
    assert f"{p.code} 2027-01: created 3" in out.getvalue()


@pytest.mark.django_db
def test_daily_prepaid_deduction(cast, billable):
    from wuye.billing.services import do_deposit_prepaid, run_billing

    p, units = billable
    run_billing(actor=None, project=p, period=datetime.date(2026, 11, 1))
    do_deposit_prepaid(actor=cast.cashier_a, project=p, unit=units[1], tenders=[("cash", "1000.00")])
    assert deduct_prepaid_everywhere(datetime.date(2026, 11, 14)) == {p.code: 0, cast.project_b.code: 0}
    assert deduct_prepaid_everywhere(datetime.date(2026, 11, 15)) == {p.code: 1, cast.project_b.code: 0}
    bill = Bill.objects.get(unit=units[1])
    assert bill.status == "paid"
    assert PrepaidAccount.objects.get(unit=units[1]).balance == Decimal("800.00")
    assert Payment.objects.filter(unit=units[1]).count() == 2
