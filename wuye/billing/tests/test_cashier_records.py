"""Payments, prepaid accounts and day closes: the generated CRUD tests plus the business steps."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from wuye.billing.models import CashierDayClose, Payment, PrepaidAccount
from wuye.billing.services import do_collect_payment, do_deposit_prepaid
from wuye.billing.services.dayclose import do_close_day
from wuye.billing.tests.factories import bill_in, make_unit, payment_in
from wuye.core.models import ApprovalRequest, AuditEvent
from wuye.core.testing.cases import ObjectTests
from wuye.core.testing.factories import make_user

D = Decimal


class TestPaymentObject(ObjectTests):
    model = Payment
    api_path = "/api/v1/billing/payments/"
    ui_actions = ("list", "detail", "changelog", "export")
    api_actions = ("list", "retrieve")
    reader_only = "engineer_a"

    def marker(self, obj):
        return obj.unit.code  # receipt numbers restart in every project

    def test_api_requires_auth_and_permission(self, cast, api_for):
        assert api_for(None).get(self.api_path).status_code == 401
        assert api_for(make_user()).get(self.api_path).status_code == 403


class TestPrepaidAccountObject(ObjectTests):
    model = PrepaidAccount
    api_path = "/api/v1/billing/prepaid-accounts/"
    ui_actions = ("list", "detail", "changelog", "export")
    api_actions = ("list", "retrieve")

    def marker(self, obj):
        return obj.unit.code


class TestCashierDayCloseObject(ObjectTests):
    model = CashierDayClose
    api_path = "/api/v1/billing/day-closes/"
    ui_actions = ("list", "detail", "changelog", "export")
    api_actions = ("list", "retrieve")

    def marker(self, obj):
        return str(obj.cashier)


@pytest.mark.django_db
def test_payment_list_filters(cast, client_for):
    a = payment_in(cast.project_a, cashier=cast.cashier_a)
    unit = make_unit(cast.project_a, code="9-9-909")
    b = do_deposit_prepaid(
        actor=cast.manager_a, project=cast.project_a, unit=unit, tenders=[("wechat", "10")]
    )
    client = client_for(cast.manager_a)
    url = reverse("billing:payment_list")

    def numbers(**params):
        return {p.number for p in client.get(url, params).context["table"].data}

    assert numbers() == {a.number, b.number}
    assert numbers(channel="wechat") == {b.number}
    assert numbers(cashier=cast.cashier_a.pk) == {a.number}
    assert numbers(unit="9-9-909") == {b.number}
    assert numbers(status="posted") == {a.number, b.number}
    today = timezone.localdate().isoformat()
    assert numbers(date_from=today, date_to=today) == {a.number, b.number}
    assert numbers(date_from="2000-01-01", date_to="2000-01-02") == set()


@pytest.mark.django_db
def test_reverse_from_the_payment_page(cast, client_for):
    payment = payment_in(cast.project_a, cashier=cast.cashier_a)
    url = reverse("billing:payment_reverse", kwargs={"pk": payment.pk})
    # the cashier may not reverse (billing.refund_payment)
    assert client_for(cast.cashier_a).get(url).status_code == 403
    client = client_for(cast.manager_a)
    detail = client.get(payment.get_absolute_url()).content.decode()
    assert 'data-testid="payment-reverse"' in detail
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    response = client.post(url, {"reason": "重复收款"})
    payment.refresh_from_db()
    assert payment.status == "reversed"
    reversal = Payment.objects.get(reversal_of=payment)
    assert response["Location"] == reversal.get_absolute_url()
    assert reversal.amount == -payment.amount
    body = client.get(payment.get_absolute_url()).content.decode()
    assert reversal.number in body and 'data-testid="payment-reverse"' not in body


@pytest.mark.django_db
def test_reversal_above_the_limit_waits_for_approval(cast, client_for, settings):
    settings.WUYE_REFUND_APPROVAL_LIMIT = "50"
    payment = payment_in(cast.project_a, cashier=cast.cashier_a)  # 88.00
    client = client_for(cast.manager_a)
    response = client.post(reverse("billing:payment_reverse", kwargs={"pk": payment.pk}), {"reason": "退款"})
    assert response.status_code == 302 and response["Location"] == payment.get_absolute_url()
    payment.refresh_from_db()
    assert payment.status == "posted"
    approval = ApprovalRequest.objects.get(kind="billing.reverse_payment")
    body = client.get(payment.get_absolute_url()).content.decode()
    assert 'data-testid="payment-approval"' in body
    assert reverse("core:approval_detail", kwargs={"pk": approval.pk}) in body
    assert 'data-testid="payment-reverse"' not in body


@pytest.mark.django_db
def test_prepaid_statement_refund_and_export(cast, client_for):
    unit = make_unit(cast.project_a)
    do_deposit_prepaid(actor=cast.cashier_a, project=cast.project_a, unit=unit, tenders=[("cash", "300")])
    account = PrepaidAccount.objects.get(unit=unit, item=None)
    url = reverse("billing:prepaidaccount_refund", kwargs={"pk": account.pk})
    assert client_for(cast.cashier_a).post(url, {"amount": "10", "reason": "x"}).status_code == 403
    client = client_for(cast.manager_a)
    assert (
        client.post(url, {"amount": "400", "reason": "合同终止"}).status_code == 200
    )  # more than the balance
    response = client.post(url, {"amount": "120.50", "reason": "合同终止"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.balance == D("179.50")
    page = client.get(account.get_absolute_url())
    body = page.content.decode()
    assert "300.00" in body and "-120.50" in body and "179.50" in body
    export = client.get(account.get_absolute_url(), {"export": "xlsx"})
    from openpyxl import load_workbook

    values = [c.value for row in load_workbook(io.BytesIO(export.content)).active.iter_rows() for c in row]
    assert "-120.50" in values and "179.50" in values


@pytest.mark.django_db
def test_cashier_day_page_totals_and_close(cast, client_for):
    unit = make_unit(cast.project_a)
    bill = bill_in(cast.project_a, unit=unit, amount="200.00")
    do_collect_payment(
        actor=cast.cashier_a,
        project=cast.project_a,
        unit=unit,
        bills=[bill],
        tenders=[("cash", "120.00"), ("wechat", "80.00")],
    )
    do_deposit_prepaid(actor=cast.cashier_a, project=cast.project_a, unit=unit, tenders=[("alipay", "55.50")])
    payment_in(cast.project_a, cashier=cast.manager_a)  # someone else's day
    client = client_for(cast.cashier_a)
    page = client.get(reverse("billing:cashier_day"))
    assert page.status_code == 200
    totals = page.context["totals"]
    assert totals.by_channel == {"cash": D("120.00"), "wechat": D("80.00"), "alipay": D("55.50")}
    assert totals.amount_total == D("255.50") and totals.payment_count == 2
    response = client.post(reverse("billing:cashier_day"), {"project": cast.project_a.pk})
    close = CashierDayClose.objects.get()
    assert response["Location"] == close.get_absolute_url()
    assert close.totals == {"cash": "120.00", "wechat": "80.00", "alipay": "55.50"}
    assert close.payments.count() == 2 and close.amount_total == D("255.50")
    assert AuditEvent.objects.filter(action="billing.day.close", object_id=str(close.pk)).exists()
    again = client.post(reverse("billing:cashier_day"), {"project": cast.project_a.pk})
    assert again.status_code == 422 and "already closed" in again.content.decode()
    assert 'data-testid="day-closed"' in client.get(reverse("billing:cashier_day")).content.decode()
    assert client.get(close.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_cashiers_see_their_own_closes_finance_sees_all_and_reviews(cast, client_for):
    other = make_user(role_slug="cashier", project=cast.project_a)
    mine = do_close_day(actor=cast.cashier_a, project=cast.project_a, business_date=timezone.localdate())
    theirs = do_close_day(actor=other, project=cast.project_a, business_date=timezone.localdate())
    cashier = client_for(cast.cashier_a)
    listed = {c.pk for c in cashier.get(reverse("billing:cashierdayclose_list")).context["table"].data}
    assert listed == {mine.pk}
    assert cashier.get(theirs.get_absolute_url()).status_code == 404
    review = reverse("billing:cashierdayclose_review", kwargs={"pk": mine.pk})
    assert cashier.post(review).status_code == 403
    finance = make_user(role_slug="finance", project=cast.project_a)
    client = client_for(finance)
    listed = {c.pk for c in client.get(reverse("billing:cashierdayclose_list")).context["table"].data}
    assert listed == {mine.pk, theirs.pk}
    assert 'data-testid="dayclose-review"' in client.get(mine.get_absolute_url()).content.decode()
    assert client.post(review, {"note": "对账无误"}).status_code == 302
    mine.refresh_from_db()
    assert mine.reviewed_by == finance and mine.reviewed_at is not None
    assert client.post(review).status_code == 200  # already reviewed: the form shows the error
