"""Prepay discount: "pay N months ahead, X% off" — arithmetic (hypothesis) and its application."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import given, settings
from hypothesis import strategies as st

from wuye.billing.choices import AdjustmentKindChoices
from wuye.billing.models import Bill, BillAdjustment
from wuye.billing.services import run_billing
from wuye.billing.services.discounts import (
    PREPAY_REASON_TAG,
    discount_amount,
    do_apply_prepay_discount,
    first_future_period,
    prepay_discount_for,
)
from wuye.billing.tests.factories import assign, make_unit, property_fee
from wuye.core.money import fen

TODAY = datetime.date(2026, 11, 20)
cents = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c) / 100)
rates = st.integers(min_value=1, max_value=10_000).map(lambda r: Decimal(r) / 10_000)


def fake_bill(pk, period_start, amount, *, standard, months="1", paid="0", discount="0", status="open"):
    """A stand-in with the attributes the rule reads (no database)."""
    bill = SimpleNamespace(
        pk=pk,
        unit_id=1,
        parking_space_id=None,
        standard_id=standard.pk,
        standard=standard,
        period_start=period_start,
        amount=Decimal(amount),
        months=Decimal(months),
        paid_amount=Decimal(paid),
        discount_amount=Decimal(discount),
        status=status,
    )
    bill.outstanding = bill.amount - bill.discount_amount - bill.paid_amount
    return bill


def months_ahead(n, start=datetime.date(2026, 12, 1)):
    out, day = [], start
    for _ in range(n):
        out.append(day)
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return out


@given(charge=cents, rate=rates, paid_share=st.integers(min_value=0, max_value=100))
def test_discount_is_rate_times_charge_rounded_and_never_more_than_owed(charge, rate, paid_share):
    outstanding = fen(charge * (100 - paid_share) / 100)
    amount = discount_amount(charge, rate, outstanding)
    assert amount == min(fen(charge * rate), outstanding)
    assert Decimal("0") <= amount <= outstanding
    assert amount == amount.quantize(Decimal("0.01"))


@settings(max_examples=200)
@given(
    charges=st.lists(cents, min_size=1, max_size=14),
    rate=rates,
    needed=st.integers(min_value=1, max_value=12),
    paid=st.lists(st.integers(min_value=0, max_value=100), min_size=14, max_size=14),
)
def test_group_rule(charges, rate, needed, paid):
    standard = SimpleNamespace(pk=7, prepay_months=needed, prepay_discount_rate=rate)
    bills = []
    for i, (day, charge) in enumerate(zip(months_ahead(len(charges)), charges, strict=True)):
        paid_amount = fen(charge * paid[i] / 100)
        if paid_amount >= charge:
            paid_amount = Decimal("0.00")  # keep every bill open (a settled bill is not offered)
        bills.append(fake_bill(i + 1, day, charge, standard=standard, paid=paid_amount))
    offer = prepay_discount_for(bills, today=TODAY, discounted=set())
    if len(bills) < needed:
        assert not offer and offer.total == 0
        return
    by_bill = {line.bill.pk: line.amount for line in offer.lines}
    for bill in bills:
        expected = min(fen(bill.amount * rate), bill.outstanding)
        assert by_bill.get(bill.pk, Decimal("0")) == expected
    assert offer.total == sum(by_bill.values(), Decimal("0"))
    assert offer.total <= sum((b.outstanding for b in bills), Decimal("0"))


def test_current_month_and_past_bills_do_not_count():
    standard = SimpleNamespace(pk=3, prepay_months=3, prepay_discount_rate=Decimal("0.05"))
    nov, dec, jan = datetime.date(2026, 11, 1), datetime.date(2026, 12, 1), datetime.date(2027, 1, 1)
    assert first_future_period(TODAY) == dec
    bills = [fake_bill(i, d, "100.00", standard=standard) for i, d in enumerate([nov, dec, jan], 1)]
    offer = prepay_discount_for(bills, today=TODAY, discounted=set())
    assert not offer and offer.short[0][1:] == (Decimal("2"), Decimal("3"))
    bills.append(fake_bill(4, datetime.date(2027, 2, 1), "100.00", standard=standard))
    offer = prepay_discount_for(bills, today=TODAY, discounted=set())
    assert [line.bill.pk for line in offer.lines] == [2, 3, 4] and offer.total == Decimal("15.00")
    # quarterly bills count 3 months each; voided or paid ones do not count
    quarterly = [fake_bill(9, jan, "300.00", standard=standard, months="3")]
    assert prepay_discount_for(quarterly, today=TODAY, discounted=set()).total == Decimal("15.00")
    paid = [
        fake_bill(i, d, "100.00", standard=standard, status="paid") for i, d in enumerate(months_ahead(3), 20)
    ]
    assert not prepay_discount_for(paid, today=TODAY, discounted=set())
    # a standard without the rule grants nothing
    plain = SimpleNamespace(pk=4, prepay_months=None, prepay_discount_rate=None)
    assert not prepay_discount_for(
        [fake_bill(i, d, "100", standard=plain) for i, d in enumerate(months_ahead(12), 30)], today=TODAY
    )


@pytest.fixture
def twelve_months(cast):
    """A unit billed for December 2026 .. November 2027 under a 12-months-ahead 5%-off standard."""
    p = cast.project_a
    standard = property_fee(p, price="2.35", prepay_months=12, prepay_discount_rate=Decimal("0.05"))
    unit = make_unit(p, area="89.55")
    assign(standard, unit)
    day = datetime.date(2026, 12, 1)
    for _ in range(12):
        run_billing(actor=None, project=p, period=day)
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return unit, list(Bill.objects.filter(unit=unit).select_related("standard").order_by("period_start"))


@pytest.mark.django_db
def test_apply_prepay_discount_once_per_bill(cast, twelve_months):
    unit, bills = twelve_months
    assert len(bills) == 12 and bills[0].amount == Decimal("210.44")
    offer = prepay_discount_for(bills, today=TODAY)
    assert offer.total == Decimal("10.52") * 12  # fen(210.44 x 5%) = 10.52 per bill
    assert prepay_discount_for(bills[:11], today=TODAY).total == 0  # 11 months are not enough
    adjustments = do_apply_prepay_discount(actor=cast.cashier_a, bills=bills, today=TODAY)
    assert len(adjustments) == 12
    for adj in adjustments:
        assert adj.kind == AdjustmentKindChoices.DISCOUNT and adj.amount == Decimal("10.52")
        assert adj.reason.startswith(PREPAY_REASON_TAG) and adj.approval is None
    bill = Bill.objects.get(pk=bills[0].pk)
    assert bill.discount_amount == Decimal("10.52") and bill.outstanding == Decimal("199.92")
    # a second time: nothing more
    again = list(Bill.objects.filter(unit=unit).select_related("standard"))
    assert do_apply_prepay_discount(actor=cast.cashier_a, bills=again, today=TODAY) == []
    assert BillAdjustment.objects.count() == 12


@pytest.mark.django_db
def test_apply_prepay_discount_needs_a_cashier_or_reducer(cast, twelve_months):
    _unit, bills = twelve_months
    with pytest.raises(PermissionDenied):
        do_apply_prepay_discount(actor=cast.engineer_a, bills=bills, today=TODAY)
    with pytest.raises(PermissionDenied):
        do_apply_prepay_discount(actor=cast.staff_b, bills=bills, today=TODAY)
    assert BillAdjustment.objects.count() == 0
