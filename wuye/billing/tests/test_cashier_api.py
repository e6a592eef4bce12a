"""The mobile cashier flow through the real API client."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
import time_machine

from wuye.billing.models import Bill, CashierDayClose, Payment, PrepaidAccount
from wuye.billing.services import run_billing
from wuye.billing.tests.factories import assign, late_rule, make_owner, make_unit, payment_in, property_fee
from wuye.core.testing.factories import make_user

D = Decimal
UNITS = "/api/v1/billing/cashier/units/"
PAYMENTS = "/api/v1/billing/payments/"
PREPAID = "/api/v1/billing/prepaid-accounts/"
CLOSES = "/api/v1/billing/day-closes/"


@pytest.fixture
def unit_with_bills(cast):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 2, 0, tzinfo=datetime.UTC), tick=False):
        p = cast.project_a
        standard = property_fee(p, price="1.00", rule=late_rule(p))
        unit = make_unit(p, area="100.00", code="5-1-0801")
        make_owner(unit, name="李四", phone="13900002468")
        assign(standard, unit)
        for month in (9, 10, 11):
            run_billing(actor=None, project=p, period=datetime.date(2026, month, 1))
        yield unit, list(Bill.objects.filter(unit=unit).order_by("due_date"))


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db
def test_find_unit_and_list_its_open_bills(cast, api_for, unit_with_bills):
    unit, bills = unit_with_bills
    make_unit(cast.project_b, code="5-1-0801")
    api = api_for(cast.cashier_a)
    for term in ("5-1-0801", "李四", "2468"):
        found = api.get(UNITS, {"q": term}).json()["results"]
        assert [u["id"] for u in found] == [unit.pk], term
    assert found[0]["owners"] == ["李四"]
    desk = api.get(f"{UNITS}{unit.pk}/").json()
    assert [b["id"] for b in desk["bills"]] == [b.pk for b in bills]
    assert desk["bills"][0]["late_fee"] == "3.30"  # 66 days x 0.05% x 100
    assert D(desk["total_due"]) == sum(D(b["due"]) for b in desk["bills"])


@pytest.mark.django_db
def test_collect_mixed_tenders_then_print_and_reprint(cast, api_for, unit_with_bills):
    unit, bills = unit_with_bills
    api = api_for(cast.cashier_a)
    with time_machine.travel(datetime.datetime(2026, 11, 20, 3, 0, tzinfo=datetime.UTC), tick=False):
        desk = api.get(f"{UNITS}{unit.pk}/").json()
        first_two = desk["bills"][:2]
        due = sum(D(b["due"]) for b in first_two)
        response = api.post(
            f"{UNITS}{unit.pk}/collect/",
            {
                "bills": [b["id"] for b in first_two],
                "expected_total": f"{due:.2f}",
                "tenders": [
                    {"channel": "cash", "amount": "100.00"},
                    {"channel": "wechat", "amount": f"{due - 100:.2f}", "reference": "wx-9"},
                ],
                "cash_tendered": "200.00",
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert D(data["amount"]) == due and data["change_given"] == "100.00"
    payment = Payment.objects.get(pk=data["id"])
    pdf = api.post(data["receipt_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert payment.number in text and data["amount_in_words"] in text and "补打" not in text
    again = api.post(data["receipt_url"])
    assert again["X-Print-Count"] == "2" and "补打" in pdf_text(again.content)


@pytest.mark.django_db
def test_stale_expected_total_is_400_and_takes_nothing(cast, api_for, unit_with_bills):
    unit, bills = unit_with_bills
    response = api_for(cast.cashier_a).post(
        f"{UNITS}{unit.pk}/collect/",
        {
            "bills": [bills[0].pk],
            "expected_total": "1.00",
            "tenders": [{"channel": "cash", "amount": "1.00"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "refresh" in str(response.json())
    assert not Payment.objects.exists()
    missing = api_for(cast.cashier_a).post(
        f"{UNITS}{unit.pk}/collect/",
        {"bills": [bills[0].pk], "tenders": [{"channel": "cash", "amount": "1.00"}]},
        format="json",
    )
    assert missing.status_code == 400 and "expected_total" in missing.json()


@pytest.mark.django_db
def test_other_projects_unit_and_bill_are_404(cast, api_for, unit_with_bills):
    unit, bills = unit_with_bills
    theirs = make_unit(cast.project_b)
    from wuye.billing.tests.factories import bill_in

    their_bill = bill_in(cast.project_b, unit=theirs)
    api = api_for(cast.cashier_a)
    assert api.get(f"{UNITS}{theirs.pk}/").status_code == 404
    body = {
        "bills": [their_bill.pk],
        "expected_total": "88.00",
        "tenders": [{"channel": "cash", "amount": "88"}],
    }
    assert api.post(f"{UNITS}{theirs.pk}/collect/", body, format="json").status_code == 404
    # a bill of another project (or unit) sent for my unit
    assert api.post(f"{UNITS}{unit.pk}/collect/", body, format="json").status_code == 404
    assert api.post(f"{UNITS}{theirs.pk}/deposit/", {"tenders": []}, format="json").status_code == 404
    their_payment = payment_in(cast.project_b)
    assert api.post(f"{PAYMENTS}{their_payment.pk}/receipt/").status_code == 404
    assert not Payment.objects.filter(project=cast.project_a).exists()


@pytest.mark.django_db
def test_without_collect_permission_is_403(cast, api_for, unit_with_bills):
    unit, bills = unit_with_bills
    api = api_for(cast.engineer_a)
    assert api.get(UNITS, {"q": "5-1"}).status_code == 403
    body = {
        "bills": [bills[0].pk],
        "expected_total": "100.00",
        "tenders": [{"channel": "cash", "amount": "100"}],
    }
    response = api.post(f"{UNITS}{unit.pk}/collect/", body, format="json")
    assert response.status_code == 403
    auditor = api_for(cast.auditor)  # may view the unit, may not collect
    assert auditor.post(f"{UNITS}{unit.pk}/collect/", body, format="json").status_code == 403
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_deposit_statement_and_refund(cast, api_for):
    unit = make_unit(cast.project_a)
    api = api_for(cast.cashier_a)
    response = api.post(
        f"{UNITS}{unit.pk}/deposit/",
        {"tenders": [{"channel": "transfer", "amount": "1000.00", "reference": "bank-1"}], "note": "预存"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["to_prepaid"] == "1000.00"
    account = PrepaidAccount.objects.get(unit=unit, item=None)
    moves = api.get(f"{PREPAID}{account.pk}/movements/").json()
    assert [(m["kind"], m["amount"], m["balance_after"]) for m in moves] == [
        ("deposit", "1000.00", "1000.00")
    ]
    refund = {"amount": "250.00", "reason": "退房"}
    assert api.post(f"{PREPAID}{account.pk}/refund/", refund, format="json").status_code == 403
    manager = api_for(cast.manager_a)
    response = manager.post(f"{PREPAID}{account.pk}/refund/", refund, format="json")
    assert response.status_code == 200 and response.json()["balance"] == "750.00"
    too_much = manager.post(f"{PREPAID}{account.pk}/refund/", {"amount": "999", "reason": "x"}, format="json")
    assert too_much.status_code == 400


@pytest.mark.django_db
def test_reverse_and_reverse_above_the_limit(cast, api_for, settings):
    small = payment_in(cast.project_a, cashier=cast.cashier_a)
    assert api_for(cast.cashier_a).post(f"{PAYMENTS}{small.pk}/reverse/", {"reason": "x"}).status_code == 403
    manager = api_for(cast.manager_a)
    assert manager.post(f"{PAYMENTS}{small.pk}/reverse/", {}, format="json").status_code == 400
    response = manager.post(f"{PAYMENTS}{small.pk}/reverse/", {"reason": "收错"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "reversal"
    settings.WUYE_REFUND_APPROVAL_LIMIT = "10"
    big = payment_in(cast.project_a, cashier=cast.cashier_a)
    response = manager.post(f"{PAYMENTS}{big.pk}/reverse/", {"reason": "退款"}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "waiting_for_approval"
    big.refresh_from_db()
    assert big.status == "posted"


@pytest.mark.django_db
def test_day_close_preview_close_and_review(cast, api_for):
    payment_in(cast.project_a, cashier=cast.cashier_a)
    api = api_for(cast.cashier_a)
    preview = api.get(f"{CLOSES}today/").json()
    assert preview["closed"] is False and preview["totals"] == {"cash": "88.00"}
    response = api.post(f"{CLOSES}today/", {}, format="json")
    assert response.status_code == 201
    close = CashierDayClose.objects.get()
    assert close.payments.count() == 1
    assert api.post(f"{CLOSES}today/", {}, format="json").status_code == 400  # closed once
    assert api.get(f"{CLOSES}today/").json()["closed"] is True
    assert api.post(f"{CLOSES}{close.pk}/review/").status_code == 403
    finance = api_for(make_user(role_slug="finance", project=cast.project_a))
    reviewed = finance.post(f"{CLOSES}{close.pk}/review/")
    assert reviewed.status_code == 200 and reviewed.json()["reviewed_at"]
    other = api_for(cast.staff_b)
    assert other.post(f"{CLOSES}{close.pk}/review/").status_code == 404
    assert other.post(f"{CLOSES}today/", {"project": cast.project_a.pk}, format="json").status_code == 404
