"""The unit's Bills tab, the owner statement (page, PDF, API) and the home-page widget."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from wuye.billing.models import Bill
from wuye.billing.services import do_collect_payment, do_deposit_prepaid, do_reduce_bill, run_billing
from wuye.billing.statements import build_statement, statement_pdf
from wuye.billing.tests.factories import assign, late_rule, make_owner, make_unit, property_fee

TZ = ZoneInfo("Asia/Shanghai")
OCT, NOV, DEC = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def late_november():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def account(cast):
    """A unit billed October to December (200.00 each); October paid on 11-10; 20.00 off November."""
    p = cast.project_a
    standard = property_fee(p, price="2.00", rule=late_rule(p, rate="0.0005"))
    unit = make_unit(p, area="100.00")
    make_owner(unit, name="王业主")
    assign(standard, unit)
    for period in (OCT, NOV, DEC):
        run_billing(actor=None, project=p, period=period)
    october = Bill.objects.get(unit=unit, period_start=OCT)
    do_collect_payment(
        actor=cast.cashier_a,
        project=p,
        unit=unit,
        bills=[october],
        tenders=[("wechat", "200.00")],
        when=datetime.datetime(2026, 11, 10, 10, 0, tzinfo=TZ),
    )
    november = Bill.objects.get(unit=unit, period_start=NOV)
    do_reduce_bill(actor=cast.manager_a, bill=november, amount="20.00", reason="漏水")
    do_deposit_prepaid(actor=cast.cashier_a, project=p, unit=unit, tenders=[("cash", "300.00")])
    return unit


@pytest.mark.django_db
def test_statement_figures(cast, account):
    st = build_statement(account, NOV, datetime.date(2026, 11, 30))
    assert st.opening == Decimal("200.00")  # October charged before the range, paid inside it
    assert [(line.kind, line.debit, line.credit) for line in st.lines] == [
        ("charge", Decimal("200.00"), Decimal("0.00")),
        ("payment", Decimal("0.00"), Decimal("200.00")),
        ("reduction", Decimal("0.00"), Decimal("20.00")),
    ]
    assert st.lines[-1].balance == st.closing == Decimal("180.00")
    assert st.closing_upper == "壹佰捌拾元整"
    assert st.payers == ["王业主"] and st.prepaid_total == Decimal("300.00")
    # open at 11-30: November (180.00 + its late fee) and October's late fee (paid late, fee unpaid)
    owed = {bill.period_start: (o, fee) for bill, o, fee in st.open_bills}
    assert owed[NOV][0] == Decimal("180.00") and owed[NOV][1] == Decimal("1.35")  # 180 x 0.05% x 15 days
    assert owed[OCT][0] == Decimal("0.00") and owed[OCT][1] == Decimal("2.50")  # 200 x 0.05% x 25 days
    # the whole year: opening 0, December included
    year = build_statement(account, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert year.opening == 0 and year.closing == Decimal("380.00")
    assert year.closing == sum((b.outstanding for b in Bill.objects.filter(unit=account)), Decimal("0"))


@pytest.mark.django_db
def test_statement_page_pdf_and_api(cast, client_for, api_for, account):
    client = client_for(cast.manager_a)
    url = f"/billing/units/{account.pk}/statement/"
    body = client.get(url, {"date_from": "2026-11-01", "date_to": "2026-11-30"}).content.decode()
    assert 'data-testid="statement-closing">180.00<' in body and "壹佰捌拾元整" in body
    response = client.get(url + "pdf/", {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"STSong-Light" in response.content
    data = api_for(cast.manager_a).get(
        f"/api/v1/billing/unit-statements/{account.pk}/", {"date_from": "2026-11-01", "date_to": "2026-11-30"}
    )
    assert data.status_code == 200 and data.json()["closing"] == "180.00" and len(data.json()["lines"]) == 3
    # others: a project-B manager does not find the unit; an engineer may not read bills
    assert client_for(cast.staff_b).get(url).status_code == 404
    assert api_for(cast.staff_b).get(f"/api/v1/billing/unit-statements/{account.pk}/").status_code == 404
    assert client_for(cast.engineer_a).get(url).status_code == 403


@pytest.mark.django_db
def test_statement_pdf_renders_many_lines(account):
    st = build_statement(account, datetime.date(2020, 1, 1), datetime.date(2026, 12, 31))
    st.lines = st.lines * 40  # several pages
    assert statement_pdf(st, project_name="项目甲").startswith(b"%PDF")


@pytest.mark.django_db
def test_unit_page_has_a_bills_tab(cast, client_for, account):
    client = client_for(cast.cashier_a)
    body = client.get(account.get_absolute_url()).content.decode()
    assert 'data-testid="panel-tab-bills"' in body and 'data-testid="unit-bills"' in body
    # open: November 180.00 and December 200.00
    assert 'data-testid="unit-outstanding">380.00<' in body.replace(",", "")
    assert 'data-testid="unit-prepaid">300.00<' in body.replace(",", "")
    assert f"/billing/units/{account.pk}/statement/" in body
    # the engineer has no billing permission: no tab
    body = client_for(cast.engineer_a).get(account.get_absolute_url()).content.decode()
    assert 'data-testid="unit-bills"' not in body


@pytest.mark.django_db
def test_dashboard_widget_billed_vs_collected(cast, client_for, account):
    from django.test import RequestFactory

    from wuye.billing.dashboard import billed_vs_collected, month_figures

    figures = month_figures(cast.manager_a, cast.project_a)
    # November: 200 billed less 20 reduced; nothing paid on it; 200 (wechat) + 300 (cash) received
    assert figures["billed"] == Decimal("180.00") and figures["collected"] == Decimal("0.00")
    assert figures["received"] == Decimal("500.00") and figures["rate"] == 0
    assert month_figures(cast.manager_a, cast.project_b)["billed"] == 0
    request = RequestFactory().get("/")
    request.user, request.project = cast.manager_a, cast.project_a
    widget = billed_vs_collected(request)
    assert widget["title"].endswith("2026-11") and "180.00" in widget["value"]
    request.user = cast.engineer_a
    assert billed_vs_collected(request) is None
    assert client_for(cast.manager_a).get("/").status_code == 200
