"""Browser test of the cashier desk: find a unit by code, pay two bills with cash + WeChat, see the
receipt with the amount in capitals."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("WUYE_SCREENSHOTS")  # a folder: save screenshots there for a human to look at


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "wuye-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_cashier_pays_two_bills_with_cash_and_wechat(page, live_server, cast):
    from wuye.billing.models import Bill, Payment
    from wuye.billing.services import run_billing
    from wuye.billing.tests.factories import assign, late_rule, make_owner, make_unit, property_fee
    from wuye.core.money import rmb_upper

    p = cast.project_a
    standard = property_fee(p, price="2.50", rule=late_rule(p))
    unit = make_unit(p, area="89.50", code="3-2-1201")
    make_owner(unit, name="王业主", phone="13800005678")
    assign(standard, unit)
    today = datetime.date.today()
    for months_back in (2, 1):
        month = (today.month - months_back - 1) % 12 + 1
        year = today.year + (today.month - months_back - 1) // 12
        run_billing(actor=None, project=p, period=datetime.date(year, month, 1))
    bills = list(Bill.objects.filter(unit=unit).order_by("due_date"))
    assert len(bills) == 2

    login(page, live_server, "cashier_a")
    page.goto(f"{live_server.url}/billing/cashier/")
    page.get_by_test_id("cashier-search").fill("3-2-1201")
    hit = page.get_by_test_id("cashier-hit").first
    hit.wait_for()
    assert "王业主" in hit.inner_text()
    shot(page, "cashier_lookup")
    page.keyboard.press("Enter")  # opens the first result
    page.get_by_test_id("cashier-unit-code").wait_for()
    assert page.get_by_test_id("cashier-unit-code").inner_text() == "3-2-1201"
    assert page.get_by_test_id("cashier-bill").count() == 2

    due_text = page.get_by_test_id("cashier-due").inner_text().replace(",", "")
    due = Decimal(due_text)
    assert due >= Decimal("447.50")  # 2 x 223.75 plus late fees

    # cash 300 with 500 handed over, the rest by WeChat
    page.get_by_test_id("pay-cash").click()
    page.get_by_test_id("tender-amount").first.fill("300.00")
    page.get_by_test_id("cash-tendered").fill("500")
    assert page.get_by_test_id("cash-change").inner_text() == "200.00"
    page.get_by_test_id("pay-wechat").click()
    amounts = page.get_by_test_id("tender-amount")
    assert amounts.count() == 2
    assert Decimal(amounts.nth(1).input_value()) == due - Decimal("300.00")
    assert page.get_by_test_id("cashier-paid").inner_text().replace(",", "") == f"{due:.2f}"
    shot(page, "cashier_desk_ready")

    page.get_by_test_id("cashier-collect").click()
    page.wait_for_url("**/billing/payments/*/receipt/")
    payment = Payment.objects.get()
    assert payment.amount == due and payment.change_given == Decimal("200.00")
    assert sorted(t.channel for t in payment.tenders.all()) == ["cash", "wechat"]
    assert page.get_by_test_id("receipt-number").inner_text() == payment.number
    assert page.get_by_test_id("receipt-upper").inner_text() == f"人民币{rmb_upper(due)}"
    assert page.get_by_test_id("receipt-change").inner_text() == "200.00"
    shot(page, "cashier_receipt")
    for bill in bills:
        bill.refresh_from_db()
        assert bill.status == "paid"


def test_cashier_desk_on_a_tablet(page, live_server, cast):
    """The desk at tablet width: the search and the bills stack, nothing is cut off."""
    from wuye.billing.tests.factories import bill_in, make_unit

    unit = make_unit(cast.project_a, code="7-1-0302")
    bill_in(cast.project_a, unit=unit, amount="120.00")
    page.set_viewport_size({"width": 800, "height": 1100})
    login(page, live_server, "cashier_a")
    page.goto(f"{live_server.url}/billing/cashier/?unit={unit.pk}")
    page.get_by_test_id("pay-alipay").click()
    assert page.get_by_test_id("tender-amount").first.input_value() == "120.00"
    box = page.get_by_test_id("cashier-collect").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 800
    shot(page, "cashier_tablet")
