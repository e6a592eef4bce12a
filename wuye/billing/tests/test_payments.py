import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wuye.billing.models import Bill, BillEvent, Payment, PrepaidAccount
from wuye.billing.services import (
    do_collect_payment,
    do_deduct_prepaid,
    do_deposit_prepaid,
    do_reduce_bill,
    do_refund_prepaid,
    do_reverse_payment,
    do_void_bill,
    do_waive_late_fee,
    late_fee_for,
    run_billing,
)
from wuye.billing.tests.factories import assign, late_rule, make_owner, make_unit, property_fee
from wuye.core.models import ApprovalRequest, AuditEvent

D = Decimal


def at(day: datetime.date, hour=10):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def three_months(cast):
    """A unit billed 100.00 a month for Sep, Oct, Nov 2026, with a 0.05%/day late fee capped at 30%."""
    p = cast.project_a
    standard = property_fee(p, price="1.00", rule=late_rule(p))
    unit = make_unit(p, area="100.00")
    make_owner(unit)
    assign(standard, unit)
    for month in (9, 10, 11):
        run_billing(actor=None, project=p, period=datetime.date(2026, month, 1))
    return unit, list(Bill.objects.filter(unit=unit).order_by("due_date"))


@pytest.mark.django_db
def test_partial_payment_goes_to_the_oldest_bill_first(cast, three_months):
    unit, bills = three_months
    payment = do_collect_payment(
        actor=cast.cashier_a,
        project=cast.project_a,
        unit=unit,
        bills=bills,
        tenders=[("wechat", "150.00", "wx-1")],
        when=at(datetime.date(2026, 11, 20)),
    )
    for b in bills:
        b.refresh_from_db()
    assert [b.paid_amount for b in bills] == [D("100.00"), D("50.00"), D("0.00")]
    assert [b.status for b in bills] == ["paid", "partial", "open"]
    assert sum(a.amount for a in payment.allocations.all()) == payment.amount == D("150.00")
    assert payment.number == "SK-2026-000001"
    # the part payment restarts the limitation period of the partly paid bill
    assert BillEvent.objects.get(bill=bills[1]).kind == "part_payment"
    assert bills[1].limitation_start == datetime.date(2026, 11, 20)
    assert bills[1].limitation_date == datetime.date(2029, 11, 20)
    assert AuditEvent.objects.filter(action="billing.payment.collect", amount=D("150.00")).count() == 1


@pytest.mark.django_db
def test_overpayment_goes_to_prepaid_and_cash_gets_change(cast, three_months):
    unit, bills = three_months
    payment = do_collect_payment(
        actor=cast.cashier_a,
        project=cast.project_a,
        unit=unit,
        bills=bills[:1],
        tenders=[("cash", "120.00")],
        cash_tendered="200.00",
        when=at(datetime.date(2026, 9, 1)),
    )
    assert payment.to_prepaid == D("20.00") and payment.change_given == D("80.00")
    account = PrepaidAccount.objects.get(unit=unit, item=None)
    assert account.balance == D("20.00")
    # pay the next bill with the balance plus WeChat
    do_collect_payment(
        actor=cast.cashier_a,
        project=cast.project_a,
        unit=unit,
        bills=bills[1:2],
        tenders=[("prepaid", "20.00"), ("wechat", "80.00")],
        when=at(datetime.date(2026, 10, 1)),
    )
    account.refresh_from_db()
    assert account.balance == D("0.00")
    assert Bill.objects.get(pk=bills[1].pk).status == "paid"


@pytest.mark.django_db
def test_late_fee_accrues_daily_after_due_date_and_is_collected(cast, three_months):
    unit, bills = three_months
    sep = bills[0]  # due 2026-09-15
    assert late_fee_for(sep, datetime.date(2026, 9, 15)) == D("0.00")
    assert late_fee_for(sep, datetime.date(2026, 9, 25)) == D("0.50")  # 100 x 0.0005 x 10 days
    assert late_fee_for(sep, datetime.date(2030, 1, 1)) == D("30.00")  # capped at 30%
    due = sep.outstanding + late_fee_for(sep, datetime.date(2026, 9, 25))
    payment = do_collect_payment(
        actor=cast.cashier_a,
        project=cast.project_a,
        unit=unit,
        bills=[sep],
        tenders=[("cash", due)],
        expected_total=due,
        when=at(datetime.date(2026, 9, 25)),
    )
    sep.refresh_from_db()
    assert sep.status == "paid" and sep.late_fee_paid == D("0.50")
    assert {a.kind: a.amount for a in payment.allocations.all()} == {
        "principal": D("100.00"),
        "late_fee": D("0.50"),
    }
    assert late_fee_for(sep, datetime.date(2027, 1, 1)) == D("0.00")  # paid: stops accruing


@pytest.mark.django_db
def test_part_payment_reduces_the_late_fee_base_from_its_date(cast, three_months):
    unit, bills = three_months
    sep = bills[0]
    do_collect_payment(
        actor=cast.cashier_a,
        project=cast.project_a,
        unit=unit,
        bills=[sep],
        tenders=[("cash", "60.00")],
        when=at(datetime.date(2026, 9, 20)),
    )
    sep.refresh_from_db()
    # 16-19 Sep: 100 x 0.0005 x 4 = 0.20; 20-29 Sep: 40 x 0.0005 x 10 = 0.20
    assert late_fee_for(sep, datetime.date(2026, 9, 29)) == D("0.40")


@pytest.mark.django_db
def test_stale_amount_is_refused_and_nothing_changes(cast, three_months):
    unit, bills = three_months
    with pytest.raises(ValidationError):
        do_collect_payment(
            actor=cast.cashier_a,
            project=cast.project_a,
            unit=unit,
            bills=bills[:1],
            tenders=[("cash", "100.00")],
            expected_total="90.00",
            when=at(datetime.date(2026, 9, 1)),
        )
    assert not Payment.objects.exists() and Bill.objects.get(pk=bills[0].pk).paid_amount == 0


@pytest.mark.django_db
def test_paid_bill_cannot_be_paid_again(cast, three_months):
    unit, bills = three_months
    kw = {
        "actor": cast.cashier_a,
        "project": cast.project_a,
        "unit": unit,
        "bills": bills[:1],
        "tenders": [("cash", "100.00")],
        "when": at(datetime.date(2026, 9, 1)),
    }
    do_collect_payment(**kw)
    with pytest.raises(ValidationError):
        do_collect_payment(**kw)
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_prepaid_deposit_auto_deduction_and_refund(cast, three_months):
    unit, bills = three_months
    deposit = do_deposit_prepaid(
        actor=cast.cashier_a,
        project=cast.project_a,
        unit=unit,
        tenders=[("transfer", "250.00")],
        when=at(datetime.date(2026, 9, 1)),
    )
    assert deposit.payer_name == "王业主"  # the unit's owner pays, whatever the note says
    assert do_deduct_prepaid(project=cast.project_a, as_of=datetime.date(2026, 10, 20)) == 1
    paid = [Bill.objects.get(pk=b.pk).status for b in bills]
    assert paid == ["paid", "paid", "open"]  # November is not due yet
    account = PrepaidAccount.objects.get(unit=unit, item=None)
    assert account.balance == D("50.00")
    movements = list(account.movements.order_by("pk").values_list("amount", "balance_after"))
    assert movements == [(D("250.00"), D("250.00")), (D("-100.00"), D("150.00")), (D("-100.00"), D("50.00"))]
    do_refund_prepaid(
        actor=cast.manager_a, project=cast.project_a, unit=unit, amount="50.00", reason="合同终止"
    )
    account.refresh_from_db()
    assert account.balance == 0
    with pytest.raises(ValidationError):
        do_refund_prepaid(actor=cast.manager_a, project=cast.project_a, unit=unit, amount="1", reason="x")


@pytest.mark.django_db
def test_void_only_unpaid_bills_with_reason(cast, three_months):
    unit, bills = three_months
    with pytest.raises(ValidationError):
        do_void_bill(actor=cast.manager_a, bill=bills[0], reason="")
    do_collect_payment(
        actor=cast.cashier_a,
        project=cast.project_a,
        unit=unit,
        bills=bills[:1],
        tenders=[("cash", "100.00")],
        when=at(datetime.date(2026, 9, 1)),
    )
    with pytest.raises(ValidationError):
        do_void_bill(actor=cast.manager_a, bill=bills[0], reason="错账")
    voided = do_void_bill(actor=cast.manager_a, bill=bills[2], reason="面积录错")
    assert voided.status == "voided" and voided.outstanding == 0
    assert Bill.objects.filter(pk=bills[2].pk).exists()  # never deleted
    with pytest.raises(PermissionDenied):
        do_void_bill(actor=cast.cashier_a, bill=bills[1], reason="收银员无权")


@pytest.mark.django_db
def test_reversal_reopens_bills_and_restores_balances(cast, three_months):
    unit, bills = three_months
    payment = do_collect_payment(
        actor=cast.cashier_a,
        project=cast.project_a,
        unit=unit,
        bills=bills[:2],
        tenders=[("cash", "230.00")],
        when=at(datetime.date(2026, 9, 1)),
    )
    assert PrepaidAccount.objects.get(unit=unit).balance == D("30.00")
    reversal = do_reverse_payment(actor=cast.manager_a, payment=payment, reason="收错户")
    assert reversal.amount == D("-230.00") and reversal.reversal_of == payment
    payment.refresh_from_db()
    assert payment.status == "reversed"
    assert [Bill.objects.get(pk=b.pk).status for b in bills[:2]] == ["open", "open"]
    assert PrepaidAccount.objects.get(unit=unit).balance == D("0.00")
    with pytest.raises(ValidationError):
        do_reverse_payment(actor=cast.manager_a, payment=payment, reason="again")


@pytest.mark.django_db
def test_large_reversal_waits_for_approval(cast, three_months, settings):
    settings.WUYE_REFUND_APPROVAL_LIMIT = "50"
    unit, bills = three_months
    payment = do_collect_payment(
        actor=cast.cashier_a,
        project=cast.project_a,
        unit=unit,
        bills=bills[:1],
        tenders=[("cash", "100.00")],
        when=at(datetime.date(2026, 9, 1)),
    )
    request = do_reverse_payment(actor=cast.manager_a, payment=payment, reason="重复收款")
    assert isinstance(request, ApprovalRequest)
    assert Payment.objects.get(pk=payment.pk).status == "posted"
    from wuye.core.approvals import do_decide_approval

    do_decide_approval(actor=cast.ops_admin, request=request, approve=True)
    assert Payment.objects.get(pk=payment.pk).status == "reversed"


@pytest.mark.django_db
def test_reductions_and_waivers(cast, three_months, settings):
    settings.WUYE_REDUCTION_APPROVAL_LIMIT = "30"
    unit, bills = three_months
    adj = do_reduce_bill(actor=cast.manager_a, bill=bills[0], amount="20.00", reason="维修影响")
    assert Bill.objects.get(pk=bills[0].pk).outstanding == D("80.00") and adj.amount == D("20.00")
    request = do_reduce_bill(actor=cast.manager_a, bill=bills[1], amount="50.00", reason="困难户")
    assert isinstance(request, ApprovalRequest) and Bill.objects.get(pk=bills[1].pk).outstanding == D(
        "100.00"
    )
    with pytest.raises(PermissionDenied):
        do_waive_late_fee(actor=cast.cashier_a, bill=bills[0], amount="1", reason="x")
    with pytest.raises(ValidationError):
        do_waive_late_fee(actor=cast.manager_a, bill=bills[0], amount="5", reason="无违约金可免")


@pytest.mark.django_db
def test_closed_day_refuses_payments(cast, three_months):
    from wuye.billing.models import CashierDayClose

    unit, bills = three_months
    CashierDayClose.objects.create(
        project=cast.project_a, cashier=cast.cashier_a, business_date=datetime.date(2026, 9, 1)
    )
    with pytest.raises(ValidationError):
        do_collect_payment(
            actor=cast.cashier_a,
            project=cast.project_a,
            unit=unit,
            bills=bills[:1],
            tenders=[("cash", "100.00")],
            when=at(datetime.date(2026, 9, 1)),
        )


@pytest.mark.django_db
def test_rule_discount_needs_no_approval_but_cannot_exceed_the_due(cast, three_months):
    from wuye.billing.services import do_apply_rule_discount

    unit, bills = three_months
    adj = do_apply_rule_discount(actor=cast.cashier_a, bill=bills[2], amount="5.00", reason="预交12个月95折")
    assert adj.kind == "discount" and Bill.objects.get(pk=bills[2].pk).outstanding == D("95.00")
    with pytest.raises(ValidationError):
        do_apply_rule_discount(actor=cast.cashier_a, bill=bills[2], amount="96.00", reason="x")
