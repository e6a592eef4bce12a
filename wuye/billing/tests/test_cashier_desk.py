"""The cashier desk screens: lookup, open bills with late fees, collecting, deposits, receipts."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from wuye.billing.models import Bill, CashierDayClose, Payment, PrepaidAccount
from wuye.billing.services import do_collect_payment, run_billing
from wuye.billing.services.dayclose import do_close_day
from wuye.billing.tests.factories import assign, late_rule, make_owner, make_unit, property_fee
from wuye.core.models import AuditEvent

D = Decimal
TODAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def travel():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def unit_with_bills(cast, travel):
    """Unit 3-2-1201 (100 ㎡ at 1.00) billed Sep-Nov 2026, late fee 0.05%/day from the due date."""
    p = cast.project_a
    standard = property_fee(p, price="1.00", rule=late_rule(p))
    unit = make_unit(p, area="100.00", code="3-2-1201")
    make_owner(unit, name="王业主", phone="13800005678")
    assign(standard, unit)
    for month in (9, 10, 11):
        run_billing(actor=None, project=p, period=datetime.date(2026, month, 1))
    return unit, list(Bill.objects.filter(unit=unit).order_by("due_date"))


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db
def test_lookup_finds_units_by_code_owner_and_phone_tail(cast, client_for, unit_with_bills):
    unit, _bills = unit_with_bills
    other = make_unit(cast.project_b, code="3-2-1201")
    client = client_for(cast.cashier_a)
    for term in ("3-2-1201", "3栋2单元1201", "王业主", "5678"):
        body = client.get(reverse("billing:cashier_lookup"), {"q": term}).content.decode()
        assert f"?unit={unit.pk}" in body, term
        assert f"?unit={other.pk}" not in body, term
    body = client.get(reverse("billing:cashier_lookup"), {"q": "nobody-here"}).content.decode()
    assert 'data-testid="cashier-nothing"' in body


@pytest.mark.django_db
def test_lookup_offers_the_units_of_a_vehicle_owner(cast, client_for, unit_with_bills):
    from wuye.residents.models import Ownership, Vehicle

    unit, _bills = unit_with_bills
    owner = Ownership.objects.get(unit=unit).person
    Vehicle.objects.create(project=cast.project_a, plate="沪A12345", person=owner)
    body = (
        client_for(cast.cashier_a).get(reverse("billing:cashier_lookup"), {"q": "沪A12345"}).content.decode()
    )
    assert f"?unit={unit.pk}" in body and "沪A12345" in body


@pytest.mark.django_db
def test_desk_shows_open_bills_oldest_first_with_late_fees(cast, client_for, unit_with_bills):
    unit, bills = unit_with_bills
    response = client_for(cast.cashier_a).get(reverse("billing:cashier"), {"unit": unit.pk})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["bill"].pk for r in rows] == [b.pk for b in bills]
    # Sep bill due 2026-09-15: 66 days x 0.05% x 100 = 3.30 by 2026-11-20
    assert rows[0]["late_fee"] == D("3.30")
    assert response.context["total_due"] == sum((r["due"] for r in rows), D("0"))
    body = response.content.decode()
    assert "王业主" in body and 'data-testid="cashier-collect"' in body


@pytest.mark.django_db
def test_desk_needs_collect_permission_and_hides_other_projects(cast, client_for, unit_with_bills):
    unit, _bills = unit_with_bills
    assert client_for(cast.engineer_a).get(reverse("billing:cashier")).status_code == 403
    theirs = make_unit(cast.project_b)
    client = client_for(cast.cashier_a)
    assert client.get(reverse("billing:cashier"), {"unit": theirs.pk}).status_code == 404
    assert client.get(reverse("billing:cashier_unit", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.post(reverse("billing:cashier_unit", kwargs={"pk": theirs.pk})).status_code == 404


def collect(client, unit, bills, expected, tenders, **extra):
    data = {
        "bills": [b.pk for b in bills],
        "expected_total": expected,
        "tender_channel": [t[0] for t in tenders],
        "tender_amount": [t[1] for t in tenders],
        "tender_reference": [t[2] if len(t) > 2 else "" for t in tenders],
        **extra,
    }
    return client.post(reverse("billing:cashier_unit", kwargs={"pk": unit.pk}), data, HTTP_HX_REQUEST="true")


@pytest.mark.django_db
def test_collect_mixed_tenders_with_change_then_receipt(cast, client_for, unit_with_bills):
    unit, bills = unit_with_bills
    client = client_for(cast.cashier_a)
    due = client.get(reverse("billing:cashier"), {"unit": unit.pk}).context["rows"]
    expected = due[0]["due"] + due[1]["due"]
    cash = D("100.00")
    wechat = expected - cash
    response = collect(
        client,
        unit,
        bills[:2],
        f"{expected:.2f}",
        [("cash", "100.00"), ("wechat", f"{wechat:.2f}", "wx-42")],
        cash_tendered="150",
    )
    assert response.status_code == 204, response.content.decode()[:500]
    payment = Payment.objects.get()
    assert response["HX-Redirect"] == reverse("billing:payment_receipt", kwargs={"pk": payment.pk})
    assert payment.amount == expected and payment.change_given == D("50.00")
    assert sorted(t.channel for t in payment.tenders.all()) == ["cash", "wechat"]
    for b in bills:
        b.refresh_from_db()
    assert [b.status for b in bills] == ["paid", "paid", "open"]
    page = client.get(response["HX-Redirect"])
    body = page.content.decode()
    from wuye.core.money import rmb_upper

    assert rmb_upper(expected) in body and payment.number in body


@pytest.mark.django_db
def test_stale_total_takes_nothing_and_says_so(cast, client_for, unit_with_bills):
    unit, bills = unit_with_bills
    client = client_for(cast.cashier_a)
    shown = client.get(reverse("billing:cashier"), {"unit": unit.pk}).context["total_due"]
    # another cashier is faster and settles the oldest bill
    do_collect_payment(
        actor=cast.manager_a, project=cast.project_a, unit=unit, bills=bills[:1], tenders=[("cash", "100.00")]
    )
    response = collect(client, unit, bills, f"{shown:.2f}", [("cash", f"{shown:.2f}")])
    assert response.status_code == 422
    body = response.content.decode()
    assert 'data-testid="cashier-error"' in body and "refresh" in body
    assert Payment.objects.filter(cashier=cast.cashier_a).count() == 0


@pytest.mark.django_db
def test_overpayment_goes_to_prepaid_and_shows_on_the_receipt(cast, client_for, unit_with_bills):
    unit, bills = unit_with_bills
    client = client_for(cast.cashier_a)
    rows = client.get(reverse("billing:cashier"), {"unit": unit.pk}).context["rows"]
    due = rows[0]["due"]
    response = collect(client, unit, bills[:1], f"{due:.2f}", [("alipay", f"{due + 50:.2f}", "ali-1")])
    assert response.status_code == 204
    payment = Payment.objects.get()
    assert payment.to_prepaid == D("50.00")
    assert PrepaidAccount.objects.get(unit=unit, item=None).balance == D("50.00")
    body = client.get(response["HX-Redirect"]).content.decode()
    assert 'data-testid="receipt-to-prepaid"' in body


@pytest.mark.django_db
def test_partial_payment_goes_to_the_oldest_bill(cast, client_for, unit_with_bills):
    unit, bills = unit_with_bills
    client = client_for(cast.cashier_a)
    total = client.get(reverse("billing:cashier"), {"unit": unit.pk}).context["total_due"]
    response = collect(client, unit, bills, f"{total:.2f}", [("bank_card", "150.00", "pos-9")])
    assert response.status_code == 204
    for b in bills:
        b.refresh_from_db()
    assert [b.status for b in bills] == ["paid", "partial", "open"]


@pytest.mark.django_db
def test_pay_from_prepaid_balance(cast, client_for, unit_with_bills):
    from wuye.billing.services import do_deposit_prepaid

    unit, bills = unit_with_bills
    do_deposit_prepaid(actor=cast.cashier_a, project=cast.project_a, unit=unit, tenders=[("cash", "500")])
    client = client_for(cast.cashier_a)
    rows = client.get(reverse("billing:cashier"), {"unit": unit.pk}).context["rows"]
    due = rows[0]["due"]
    assert collect(client, unit, bills[:1], f"{due:.2f}", [("prepaid", f"{due:.2f}")]).status_code == 204
    assert PrepaidAccount.objects.get(unit=unit, item=None).balance == D("500.00") - due


@pytest.mark.django_db
def test_collect_refused_after_the_day_is_closed(cast, client_for, unit_with_bills):
    unit, bills = unit_with_bills
    do_close_day(actor=cast.cashier_a, project=cast.project_a, business_date=timezone.localdate())
    client = client_for(cast.cashier_a)
    page = client.get(reverse("billing:cashier"), {"unit": unit.pk})
    assert "is closed in this project" in page.content.decode()
    rows = page.context["rows"]
    response = collect(client, unit, bills[:1], f"{rows[0]['due']:.2f}", [("cash", f"{rows[0]['due']:.2f}")])
    assert response.status_code == 422 and "already closed" in response.content.decode()
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_deposit_from_the_desk_for_one_fee_item(cast, client_for, unit_with_bills):
    unit, bills = unit_with_bills
    client = client_for(cast.cashier_a)
    url = reverse("billing:cashier_deposit", kwargs={"pk": unit.pk})
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    response = client.post(
        url, {"item": bills[0].item_id, "channel": "wechat", "amount": "600", "reference": "wx-7"}
    )
    assert response.status_code == 302
    account = PrepaidAccount.objects.get(unit=unit, item=bills[0].item)
    assert account.balance == D("600.00")
    payment = Payment.objects.get()
    assert response["Location"] == reverse("billing:payment_receipt", kwargs={"pk": payment.pk})
    body = client.get(response["Location"]).content.decode()
    assert "陆佰元整" in body


@pytest.mark.django_db
def test_receipt_pdf_original_then_reprint(cast, client_for, unit_with_bills):
    unit, bills = unit_with_bills
    payment = do_collect_payment(
        actor=cast.cashier_a,
        project=cast.project_a,
        unit=unit,
        bills=bills[:1],
        tenders=[("cash", "103.30")],
        cash_tendered="200",
    )
    client = client_for(cast.cashier_a)
    url = reverse("billing:payment_receipt_pdf", kwargs={"pk": payment.pk})
    assert client.get(url).status_code == 302  # a GET never counts a print
    first = client.post(url)
    assert first["Content-Type"] == "application/pdf"
    text = pdf_text(first.content)
    assert payment.number in text and "壹佰零叁元叁角整" in text and "补打" not in text
    assert "物业服务费" in text and "3.30" in text and "96.70" in text  # late-fee line, change
    second = client.post(url)
    assert "补打" in pdf_text(second.content)
    payment.refresh_from_db()
    assert payment.print_count == 2
    actions = list(
        AuditEvent.objects.filter(object_id=str(payment.pk), action__startswith="billing.receipt")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["billing.receipt.print", "billing.receipt.reprint"]


@pytest.mark.django_db
def test_reversal_pdf_is_marked(cast, client_for, unit_with_bills):
    from wuye.billing.services import do_reverse_payment

    unit, bills = unit_with_bills
    payment = do_collect_payment(
        actor=cast.cashier_a, project=cast.project_a, unit=unit, bills=bills[:1], tenders=[("cash", "103.30")]
    )
    reversal = do_reverse_payment(actor=cast.manager_a, payment=payment, reason="收错户")
    client = client_for(cast.manager_a)
    text = pdf_text(client.post(reverse("billing:payment_receipt_pdf", kwargs={"pk": reversal.pk})).content)
    assert "冲正" in text and payment.number in text and "负壹佰零叁元叁角整" in text
    original = pdf_text(
        client.post(reverse("billing:payment_receipt_pdf", kwargs={"pk": payment.pk})).content
    )
    assert "已冲正" in original and reversal.number in original


@pytest.mark.django_db
def test_receipt_of_other_project_is_404(cast, client_for):
    from wuye.billing.tests.factories import payment_in

    theirs = payment_in(cast.project_b)
    client = client_for(cast.cashier_a)
    for name in ("payment_receipt", "payment_receipt_pdf", "payment_detail"):
        assert client.get(reverse(f"billing:{name}", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.post(reverse("billing:payment_receipt_pdf", kwargs={"pk": theirs.pk})).status_code == 404
    theirs.refresh_from_db()
    assert theirs.print_count == 0
    assert not CashierDayClose.objects.exists()
