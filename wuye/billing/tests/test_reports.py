import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from wuye.billing.models import Bill, BillEvent, DunningRecord
from wuye.billing.services import create_adhoc_charge, do_collect_payment, reports, run_billing
from wuye.billing.services.dunning import do_confirm_delivery, do_record_dunning
from wuye.billing.services.notices import demand_notices_pdf
from wuye.billing.tests.factories import assign, make_owner, make_unit, property_fee

D = Decimal
TODAY = datetime.date(2026, 11, 21)


def charge(unit, amount, due):
    return create_adhoc_charge(
        actor=None, project=unit.project, unit=unit, item_name="物业服务费", amount=amount, due_date=due
    )


@pytest.fixture
def debtors(cast):
    p = cast.project_a
    u1, u2 = make_unit(p, code="1-1-0101"), make_unit(p, code="1-1-0102")
    make_owner(u1, name="欠费甲")
    make_owner(u2, name="欠费乙")
    charge(u1, "100.00", TODAY - datetime.timedelta(days=10))  # 0-30
    charge(u1, "200.00", TODAY - datetime.timedelta(days=45))  # 31-90
    charge(u2, "300.00", TODAY - datetime.timedelta(days=400))  # >365
    charge(u2, "50.00", TODAY + datetime.timedelta(days=5))  # not due yet
    other = make_unit(cast.project_b)
    charge(other, "999.00", TODAY - datetime.timedelta(days=10))
    return u1, u2


@pytest.mark.django_db
def test_arrears_age_buckets_in_one_query(cast, debtors, django_assert_max_num_queries):
    u1, u2 = debtors
    bills = Bill.objects.restrict(cast.manager_a, "view")
    with django_assert_max_num_queries(1):
        rows = {r["unit__code"]: r for r in reports.arrears(bills, TODAY, "unit")}
    assert rows["1-1-0101"]["d0_30"] == D("100.00") and rows["1-1-0101"]["d31_90"] == D("200.00")
    assert rows["1-1-0102"]["d365_plus"] == D("300.00") and rows["1-1-0102"]["total"] == D("300.00")
    totals = reports.arrears_totals(bills, TODAY)
    assert totals["total"] == D("600.00")  # project B's 999 is not visible; the future bill is not overdue


@pytest.mark.django_db
def test_arrears_page_export_and_scope(cast, debtors, client_for):
    client = client_for(cast.manager_a)
    body = client.get("/billing/arrears/", {"as_of": TODAY.isoformat()}).content.decode()
    assert "1-1-0101" in body and "600.00" in body and "999.00" not in body
    response = client.get(
        "/billing/arrears/", {"as_of": TODAY.isoformat(), "group": "building", "export": "xlsx"}
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.cell(2, 7).value == 600  # total column of the one building
    assert client_for(cast.engineer_a).get("/billing/arrears/").status_code == 403


@pytest.mark.django_db
def test_delivered_demand_restarts_the_limitation_period(cast, debtors):
    u1, _u2 = debtors
    record = do_record_dunning(actor=cast.manager_a, unit=u1, channel="letter", at=timezone.now())
    assert record.amount == D("300.00") and record.bills.count() == 2
    assert not BillEvent.objects.exists()  # printed, not yet delivered
    do_confirm_delivery(actor=cast.manager_a, record=record, delivered_on=TODAY)
    assert BillEvent.objects.filter(kind="demand_delivered").count() == 2
    for bill in record.bills.all():
        assert bill.limitation_start == TODAY and bill.limitation_date == datetime.date(2029, 11, 21)


@pytest.mark.django_db
def test_a_notice_on_the_board_does_not_restart_limitation(cast, debtors):
    u1, _u2 = debtors
    do_record_dunning(actor=cast.manager_a, unit=u1, channel="board", delivered=True)
    assert not BillEvent.objects.exists()


@pytest.mark.django_db
def test_demand_notice_pdf_lists_open_bills_with_capitals(cast, debtors):
    from pypdf import PdfReader

    u1, u2 = debtors
    pdf, count = demand_notices_pdf([u1, u2, make_unit(cast.project_a)], cast.project_a, TODAY)
    assert count == 2
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    text = reader.pages[0].extract_text()
    assert "催缴通知单" in text and "1-1-0101" in text and "叁佰元整" in text and "签收回执" in text


@pytest.mark.django_db
def test_notices_page_and_dunning_screens(cast, debtors, client_for, api_for):
    u1, u2 = debtors
    client = client_for(cast.manager_a)
    response = client.post(
        "/billing/arrears/notices/", {"units": [u1.pk, u2.pk], "record": "1", "as_of": TODAY.isoformat()}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert DunningRecord.objects.filter(channel="letter").count() == 2
    record = DunningRecord.objects.get(unit=u1)
    assert "300.00" in client.get(f"/billing/dunning/{record.pk}/").content.decode()
    client.post(f"/billing/dunning/{record.pk}/", {"delivered_on": TODAY.isoformat()})
    record.refresh_from_db()
    assert record.delivered and record.delivered_on == TODAY
    # the API: create and confirm; another project's unit is refused
    api = api_for(cast.manager_a)
    created = api.post(
        "/api/v1/billing/dunning/", {"unit": u2.pk, "channel": "phone", "note": "电话"}, format="json"
    )
    assert created.status_code == 201, created.content
    other = api.post(
        "/api/v1/billing/dunning/", {"unit": make_unit(cast.project_b).pk, "channel": "phone"}, format="json"
    )
    assert other.status_code == 400
    rows = api.get("/api/v1/billing/arrears/", {"as_of": TODAY.isoformat()}).json()
    assert rows["totals"]["total"] == "600.00"


@pytest.mark.django_db
def test_collection_rate_and_recovery(cast, client_for, api_for):
    p = cast.project_a
    standard = property_fee(p, price="1.00")
    units = [make_unit(p, area="100") for _ in range(4)]
    for u in units:
        make_owner(u)
        assign(standard, u)
    run_billing(actor=None, project=p, period=datetime.date(2026, 10, 1))
    run_billing(actor=None, project=p, period=datetime.date(2026, 11, 1))

    def pay(unit, period, day):
        bill = Bill.objects.get(unit=unit, period_start=period)
        do_collect_payment(
            actor=cast.cashier_a,
            project=p,
            unit=unit,
            bills=[bill],
            tenders=[("cash", "100.00")],
            when=timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 10)),
        )

    pay(units[0], datetime.date(2026, 10, 1), datetime.date(2026, 10, 10))  # October paid in October
    pay(
        units[1], datetime.date(2026, 10, 1), datetime.date(2026, 11, 3)
    )  # October arrears recovered in November
    pay(units[0], datetime.date(2026, 11, 1), datetime.date(2026, 11, 5))
    pay(units[1], datetime.date(2026, 11, 1), datetime.date(2026, 11, 5))
    pay(units[2], datetime.date(2026, 11, 1), datetime.date(2026, 12, 2))  # after November: not in its rate
    bills = Bill.objects.restrict(cast.manager_a, "view")
    from wuye.billing.models import PaymentAllocation

    allocations = PaymentAllocation.objects.filter(bill__in=bills.values("pk"))
    (nov,) = reports.collection(bills, allocations, datetime.date(2026, 11, 1), "project")
    assert nov["billed"] == D("400.00") and nov["collected"] == D("200.00") and nov["rate"] == D("50.00")
    assert nov["old_arrears"] == D("300.00") and nov["recovered"] == D("100.00")
    assert nov["recovery_rate"] == D("33.33")
    (octo,) = reports.collection(bills, allocations, datetime.date(2026, 10, 1), "project")
    assert octo["rate"] == D("25.00")  # only unit 0 paid October within October
    body = client_for(cast.manager_a).get("/billing/reports/", {"month": "2026-11"}).content.decode()
    assert "50.00%" in body and "33.33%" in body
    api = (
        api_for(cast.manager_a)
        .get("/api/v1/billing/collection/", {"month": "2026-11", "group": "item"})
        .json()
    )
    assert api["results"][0]["rate"] == "50.00"
