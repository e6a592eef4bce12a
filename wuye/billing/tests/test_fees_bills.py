"""Bills: filters and totals, the explained detail page, corrections (UI and API), limitation events."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from wuye.billing.models import Bill, BillEvent
from wuye.billing.services import do_collect_payment, run_billing
from wuye.billing.services.limitation import do_record_bill_event
from wuye.billing.tests.factories import assign, late_rule, make_owner, make_unit, property_fee
from wuye.core.models import ApprovalRequest, AuditEvent

NOV = datetime.date(2026, 11, 1)


def figure(body, testid):
    """The text of the element with ``data-testid``, without thousands separators."""
    import re

    match = re.search(rf'data-testid="{testid}">([^<]*)<', body)
    assert match, testid
    return match.group(1).replace(",", "")


DEC = datetime.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def late_november():
    """Every test here runs on 2026-11-25 (sessions and late fees depend on the day)."""
    with time_machine.travel(
        datetime.datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


@pytest.fixture
def bills(cast):
    """Project A: 3 units billed for November and December; unit 0 paid November. Project B too."""
    p = cast.project_a
    rule = late_rule(p, rate="0.0005", grace=0, cap="0.30")
    standard = property_fee(p, price="2.00", rule=rule)
    units = [make_unit(p, area="100.00") for _ in range(3)]
    make_owner(units[0], name="张三")
    make_owner(units[1], name="李四")
    for unit in units:
        assign(standard, unit)
    run_billing(actor=None, project=p, period=NOV)
    run_billing(actor=None, project=p, period=DEC)
    nov0 = Bill.objects.get(unit=units[0], period_start=NOV)
    do_collect_payment(
        actor=cast.cashier_a, project=p, unit=units[0], bills=[nov0], tenders=[("cash", nov0.amount)]
    )
    b = cast.project_b
    other = make_unit(b, area="100.00")
    assign(property_fee(b, price="9.00"), other)
    run_billing(actor=None, project=b, period=NOV)
    return p, units, standard


@pytest.mark.django_db
def test_list_filters_and_totals_of_the_filtered_set(cast, client_for, bills):
    p, units, _standard = bills
    client = client_for(cast.manager_a)
    body = client.get("/billing/bills/").content.decode()
    # 6 bills of 200.00 in project A; 200 paid; project B's 900 is not counted
    assert figure(body, "total-count") == "6"
    assert figure(body, "total-amount") == "1200.00"
    assert figure(body, "total-paid") == "200.00"
    assert figure(body, "total-outstanding") == "1000.00"
    body = client.get("/billing/bills/", {"period": "2026-11"}).content.decode()
    assert figure(body, "total-count") == "3"
    body = client.get("/billing/bills/", {"status": "paid"}).content.decode()
    assert figure(body, "total-count") == "1"
    body = client.get("/billing/bills/", {"payer": "李四"}).content.decode()
    assert figure(body, "total-count") == "2"
    body = client.get("/billing/bills/", {"unit_code": units[2].code}).content.decode()
    assert figure(body, "total-count") == "2"
    body = client.get("/billing/bills/", {"building": units[0].building_id, "source": "run"}).content.decode()
    assert figure(body, "total-count") == "6"
    with time_machine.travel(datetime.datetime(2026, 11, 20, 12, 0), tick=False):
        body = client.get("/billing/bills/", {"overdue": "on"}).content.decode()
    assert figure(body, "total-count") == "2"  # November, unpaid, due 11-15
    body = client.get("/billing/bills/", {"period": "2026-13"}).content.decode()
    assert figure(body, "total-count") == "0"
    # the HTMX fragment carries the totals too
    body = client.get(
        "/billing/bills/", {"period": "2026-12"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="object-list"
    )
    assert figure(body.content.decode(), "total-count") == "3"


@pytest.mark.django_db
def test_api_list_carries_totals(cast, api_for, bills):
    data = api_for(cast.manager_a).get("/api/v1/billing/bills/", {"period": "2026-11"}).json()
    assert data["count"] == 3
    assert data["totals"] == {
        "count": 3,
        "amount": "600.00",
        "discount": "0.00",
        "paid": "200.00",
        "outstanding": "400.00",
    }


@pytest.mark.django_db
def test_detail_explains_the_calculation_and_shows_late_fee(cast, client_for, bills):
    p, units, _standard = bills
    bill = Bill.objects.get(unit=units[1], period_start=NOV)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, 0), tick=False):
        body = client_for(cast.manager_a).get(bill.get_absolute_url()).content.decode()
    assert "100 ㎡ × 2 per ㎡ per month × 1 months" in body
    # 200.00 x 0.05% x 10 days (11-16 .. 11-25) = 1.00
    assert figure(body, "bill-late-fee") == "1.00"
    assert figure(body, "bill-due-now") == "201.00"
    assert figure(body, "bill-limitation-date") == "2029-11-15"
    assert 'data-testid="bill-void"' in body and 'data-testid="bill-reduce"' in body
    # the cashier sees it but gets no correction buttons
    body = client_for(cast.cashier_a).get(bill.get_absolute_url()).content.decode()
    assert 'data-testid="bill-void"' not in body and 'data-testid="bill-reduce"' not in body


@pytest.mark.django_db
def test_prorated_vacancy_and_developer_are_explained(cast, client_for):
    from wuye.billing.views.fees_bills import explain
    from wuye.residents.models import Person

    p = cast.project_a
    Person.objects.create(project=p, name="开发商", kind="organization", is_developer=True)
    standard = property_fee(p, price="3.00", vacancy_rate=Decimal("0.70"), vacancy_after_months=0)
    half = make_unit(p)
    assign(standard, half, start=datetime.date(2026, 11, 16))
    unsold = make_unit(p, status="unsold")
    assign(standard, unsold)
    vacant = make_unit(p, status="vacant", delivery=datetime.date(2025, 1, 1))
    vacant.vacancy_registered = True
    vacant.save()
    assign(standard, vacant)
    run_billing(actor=None, project=p, period=NOV)
    text = " ".join(explain(Bill.objects.select_related("standard").get(unit=half)))
    assert "15 of the 30 days" in text
    assert "developer" in " ".join(explain(Bill.objects.select_related("standard").get(unit=unsold)))
    assert "70%" in " ".join(explain(Bill.objects.select_related("standard").get(unit=vacant)))


@pytest.mark.django_db
def test_void_reduce_waive_from_the_page(cast, client_for, bills, settings):
    settings.WUYE_REDUCTION_APPROVAL_LIMIT = "50"
    p, units, _standard = bills
    client = client_for(cast.manager_a)
    bill = Bill.objects.get(unit=units[1], period_start=NOV)
    assert client.get(f"/billing/bills/{bill.pk}/reduce/").status_code == 200
    response = client.post(
        f"/billing/bills/{bill.pk}/reduce/", {"kind": "reduction", "amount": "20", "reason": "漏水"}
    )
    assert response.status_code == 302
    bill.refresh_from_db()
    assert bill.discount_amount == Decimal("20.00") and bill.outstanding == Decimal("180.00")
    # above the limit: an approval request, the page links to it
    response = client.post(
        f"/billing/bills/{bill.pk}/reduce/",
        {"kind": "reduction", "amount": "80", "reason": "长期漏水"},
        follow=True,
    )
    approval = ApprovalRequest.objects.get()
    body = response.content.decode()
    assert f"/approvals/{approval.pk}/" in body and 'data-testid="bill-pending"' in body
    bill.refresh_from_db()
    assert bill.discount_amount == Decimal("20.00")
    # more than is owed: the error is shown on the form
    paid = Bill.objects.get(unit=units[0], period_start=NOV)
    response = client.post(
        f"/billing/bills/{paid.pk}/reduce/", {"kind": "discount", "amount": "10", "reason": "x"}
    )
    assert response.status_code == 200 and "more than the amount still due" in response.content.decode()
    # waive the late fee
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, 0), tick=False):
        response = client.post(
            f"/billing/bills/{bill.pk}/waive-late-fee/", {"amount": "0.50", "reason": "首次"}
        )
    assert response.status_code == 302
    bill.refresh_from_db()
    assert bill.late_fee_waived == Decimal("0.50")
    # void: a paid bill cannot be voided, an unpaid one can
    response = client.post(f"/billing/bills/{paid.pk}/void/", {"reason": "错账"})
    assert response.status_code == 200 and "reverse the payment first" in response.content.decode()
    other = Bill.objects.get(unit=units[2], period_start=DEC)
    response = client.post(f"/billing/bills/{other.pk}/void/", {"reason": "面积录错"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == other.get_absolute_url()
    other.refresh_from_db()
    assert other.status == "voided" and other.void_reason == "面积录错"
    # the cashier may do none of it
    cashier = client_for(cast.cashier_a)
    assert cashier.post(f"/billing/bills/{bill.pk}/void/", {"reason": "x"}).status_code == 403
    assert cashier.get(f"/billing/bills/{bill.pk}/reduce/").status_code == 403


@pytest.mark.django_db
def test_corrections_through_the_api(cast, api_for, bills, settings):
    settings.WUYE_WAIVER_APPROVAL_LIMIT = "0.10"
    p, units, _standard = bills
    api = api_for(cast.manager_a)
    bill = Bill.objects.get(unit=units[1], period_start=DEC)
    url = f"/api/v1/billing/bills/{bill.pk}/"
    detail = api.get(url).json()
    assert detail["outstanding"] == "200.00" and "explanation" in detail and detail["late_fee"] == "0.00"
    response = api.post(url + "reduce/", {"amount": "10.00", "reason": "装修噪音"}, format="json")
    assert response.status_code == 200 and response.json()["discount_amount"] == "10.00"
    response = api.post(url + "reduce/", {"amount": "195.00", "reason": "x"}, format="json")
    assert response.status_code == 400  # more than the 190.00 still owed
    nov = Bill.objects.get(unit=units[1], period_start=NOV)
    with time_machine.travel(datetime.datetime(2026, 11, 30, 12, 0), tick=False):
        response = api.post(
            f"/api/v1/billing/bills/{nov.pk}/waive-late-fee/",
            {"amount": "1.00", "reason": "x"},
            format="json",
        )
    assert response.status_code == 202 and response.json()["status"] == "pending"
    response = api.post(url + "void/", {"reason": "重复"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "voided"
    response = api.post(url + "events/", {"kind": "demand_delivered", "date": "2026-11-20"}, format="json")
    assert response.status_code == 400  # voided
    response = api.post(
        f"/api/v1/billing/bills/{nov.pk}/events/",
        {"kind": "repayment_agreement", "date": "2026-11-24", "note": "分期协议"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["limitation_date"] == "2029-11-24"
    assert api_for(cast.cashier_a).post(url + "void/", {"reason": "x"}, format="json").status_code == 403


@pytest.mark.django_db
def test_limitation_event_restarts_the_period(cast, client_for, bills):
    p, units, _standard = bills
    bill = Bill.objects.get(unit=units[2], period_start=NOV)
    assert bill.limitation_date == datetime.date(2029, 11, 15)
    event = do_record_bill_event(
        actor=cast.manager_a,
        bill=bill,
        kind="demand_delivered",
        date=datetime.date(2026, 11, 18),
        note="EMS1",
    )
    bill.refresh_from_db()
    assert bill.limitation_start == datetime.date(2026, 11, 18) and event.note == "EMS1"
    # an older event is recorded but does not move the date back
    do_record_bill_event(actor=None, bill=bill, kind="demand_delivered", date=datetime.date(2026, 11, 2))
    bill.refresh_from_db()
    assert bill.limitation_date == datetime.date(2029, 11, 18)
    assert BillEvent.objects.filter(bill=bill).count() == 2
    assert AuditEvent.objects.filter(action="billing.bill.limitation_event").count() == 2
    with pytest.raises(ValidationError):
        do_record_bill_event(actor=None, bill=bill, kind="part_payment", date=datetime.date(2026, 11, 18))
    with pytest.raises(ValidationError):
        do_record_bill_event(actor=None, bill=bill, kind="demand_delivered", date=datetime.date(2099, 1, 1))
    with pytest.raises(PermissionDenied):
        do_record_bill_event(
            actor=cast.cashier_a, bill=bill, kind="demand_delivered", date=datetime.date(2026, 11, 18)
        )
    # from the page
    client = client_for(cast.manager_a)
    response = client.post(
        f"/billing/bills/{bill.pk}/limitation-event/",
        {"kind": "repayment_agreement", "date": "2026-11-19", "note": "签订还款协议"},
        follow=True,
    )
    assert "2029-11-19" in response.content.decode()
