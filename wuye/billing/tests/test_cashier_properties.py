"""Day-close totals, checked with hypothesis over generated days of payments, deposits and reversals."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wuye.billing.models import Payment
from wuye.billing.services import do_collect_payment, do_deposit_prepaid, do_reverse_payment
from wuye.billing.services.dayclose import day_totals, do_close_day, stored_totals
from wuye.billing.tests.factories import bill_in, make_unit
from wuye.core.money import ZERO

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
CHANNELS = ["cash", "wechat", "alipay", "bank_card", "transfer"]
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("3000"), places=2)
tender = st.tuples(st.sampled_from(CHANNELS), money)
operation = st.one_of(
    st.tuples(st.just("collect"), st.lists(tender, min_size=1, max_size=3), st.booleans()),
    st.tuples(st.just("deposit"), st.lists(tender, min_size=1, max_size=2), st.booleans()),
)


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back():
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


@pytest.mark.django_db
@SETTINGS
@given(operations=st.lists(operation, min_size=0, max_size=6))
def test_day_close_channels_add_up_to_the_payments(cast, settings, operations):
    settings.WUYE_REFUND_APPROVAL_LIMIT = "1000000"
    with rolled_back():
        p = cast.project_a
        cashier = cast.manager_a  # may collect and reverse, so reversals land in the same day
        expected = defaultdict(lambda: ZERO)
        count = 0
        for kind, tenders, reverse in operations:
            unit = make_unit(p)
            total = sum((a for _c, a in tenders), ZERO)
            if kind == "collect":
                bill = bill_in(p, unit=unit, amount=str(total))
                payment = do_collect_payment(
                    actor=cashier,
                    project=p,
                    unit=unit,
                    bills=[bill],
                    tenders=tenders,
                    expected_total=bill.amount,
                )
            else:
                payment = do_deposit_prepaid(actor=cashier, project=p, unit=unit, tenders=tenders)
            count += 1
            for channel, amount in tenders:
                expected[channel] += amount
            if reverse:
                do_reverse_payment(actor=cashier, payment=payment, reason="测试冲正")
                count += 1
                for channel, amount in tenders:
                    expected[channel] -= amount
        day = timezone.localdate()
        totals = day_totals(project=p, cashier=cashier, business_date=day)
        paid = sum(
            Payment.objects.filter(cashier=cashier, business_date=day).values_list("amount", flat=True), ZERO
        )
        assert totals.channel_sum == totals.amount_total == paid
        assert totals.payment_count == count
        assert totals.by_channel == dict(expected)
        close = do_close_day(actor=cashier, project=p, business_date=day)
        assert close.amount_total == paid and close.payment_count == count
        assert sum((Decimal(v) for v in close.totals.values()), ZERO) == close.amount_total
        assert close.payments.count() == count
        assert stored_totals(close).channel_sum == paid
