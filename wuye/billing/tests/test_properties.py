"""Money properties, checked with hypothesis over many generated cases."""

import contextlib
import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wuye.billing.models import Bill, PrepaidAccount
from wuye.billing.services import (
    do_collect_payment,
    do_deduct_prepaid,
    do_deposit_prepaid,
    do_refund_prepaid,
    late_fee_for,
    run_billing,
)
from wuye.billing.tests.factories import assign, late_rule, make_owner, make_unit, property_fee
from wuye.core.money import fen

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
areas = st.decimals(min_value=Decimal("10.00"), max_value=Decimal("500.00"), places=2)
prices = st.decimals(min_value=Decimal("0.1000"), max_value=Decimal("9.9999"), places=4)


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back():
    """Each hypothesis example runs in a savepoint that is undone afterwards."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def at(day):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 9))


@pytest.mark.django_db
@SETTINGS
@given(cases=st.lists(st.tuples(areas, prices, st.integers(1, 28)), min_size=1, max_size=6))
def test_bill_amounts_are_rounded_per_line_and_runs_add_up(cast, cases):
    with rolled_back():
        p = cast.project_a
        for area, price, start_day in cases:
            standard = property_fee(p, price=str(price))
            assign(standard, make_unit(p, area=str(area)), start=datetime.date(2026, 11, start_day))
        run = run_billing(actor=None, project=p, period=datetime.date(2026, 11, 1))
        bills = list(Bill.objects.filter(run=run).select_related("standard"))
        assert len(bills) == len(cases)
        for bill in bills:
            days = (bill.period_end - bill.period_start).days + 1
            exact = bill.quantity * bill.unit_price * Decimal(days) / Decimal(30)
            assert bill.amount == fen(exact)
        assert run.total_amount == sum(b.amount for b in bills)
        # re-running the period creates nothing
        again = run_billing(actor=None, project=p, period=datetime.date(2026, 11, 1))
        assert again.created_count == 0 and again.skipped_count == len(cases)


@pytest.mark.django_db
@SETTINGS
@given(
    charges=st.lists(money, min_size=1, max_size=5),
    paid=money,
    cash_extra=st.decimals(min_value=0, max_value=100, places=2),
)
def test_allocations_sum_to_the_payment(cast, charges, paid, cash_extra):
    from wuye.billing.services import create_adhoc_charge

    with rolled_back():
        p = cast.project_a
        unit = make_unit(p)
        make_owner(unit)
        bills = [
            create_adhoc_charge(
                actor=None,
                project=p,
                unit=unit,
                item_name="杂费",
                amount=c,
                due_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
            )
            for i, c in enumerate(charges)
        ]
        payment = do_collect_payment(
            actor=cast.cashier_a,
            project=p,
            unit=unit,
            bills=bills,
            tenders=[("cash", paid)],
            cash_tendered=paid + cash_extra,
            when=at(datetime.date(2026, 1, 1)),
        )
        allocated = sum(a.amount for a in payment.allocations.all())
        assert allocated + payment.to_prepaid == payment.amount == fen(paid)
        assert payment.change_given == fen(cash_extra)
        assert payment.to_prepaid == max(Decimal("0"), fen(paid) - sum(charges))
        # oldest first: a later bill is paid only when every earlier one is settled
        statuses = [Bill.objects.get(pk=b.pk).status for b in bills]
        assert statuses == sorted(statuses, key=["paid", "partial", "open"].index)
        for bill in bills:
            bill.refresh_from_db()
            assert 0 <= bill.paid_amount <= bill.amount


@pytest.mark.django_db
@SETTINGS
@given(
    charge=money,
    rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("0.0100"), places=4),
    cap=st.decimals(min_value=Decimal("0.0000"), max_value=Decimal("1.0000"), places=4),
    grace=st.integers(0, 30),
    days_late=st.integers(0, 2000),
    part=st.one_of(
        st.none(), st.tuples(st.integers(0, 400), st.decimals(min_value="0.01", max_value="0.99", places=2))
    ),
)
def test_late_fee_never_exceeds_its_cap(cast, charge, rate, cap, grace, days_late, part):
    from wuye.billing.services import create_adhoc_charge

    with rolled_back():
        p = cast.project_a
        standard = property_fee(p, rule=late_rule(p, rate=str(rate), grace=grace, cap=str(cap)))
        unit = make_unit(p)
        bill = create_adhoc_charge(
            actor=None,
            project=p,
            unit=unit,
            item_name="物业费",
            amount=charge,
            due_date=datetime.date(2024, 1, 15),
        )
        Bill.objects.filter(pk=bill.pk).update(standard=standard)
        bill.refresh_from_db()
        payments = []
        if part is not None:
            offset, share = part
            payments = [(bill.due_date + datetime.timedelta(days=offset), fen(charge * share))]
        as_of = bill.due_date + datetime.timedelta(days=days_late)
        fee = late_fee_for(bill, as_of, payments=payments)
        assert Decimal("0") <= fee <= fen(charge * cap)
        if days_late <= grace:
            assert fee == 0


@pytest.mark.django_db
@SETTINGS
@given(steps=st.lists(st.tuples(st.sampled_from(["deposit", "pay", "refund", "deduct"]), money), max_size=8))
def test_prepaid_balance_reconstructs_from_movements(cast, steps):
    from wuye.billing.services import create_adhoc_charge

    with rolled_back():
        p = cast.project_a
        unit = make_unit(p)
        make_owner(unit)
        day = datetime.date(2026, 3, 1)
        for kind, amount in steps:
            account = PrepaidAccount.objects.filter(unit=unit, item=None).first()
            balance = account.balance if account else Decimal("0")
            if kind == "deposit":
                do_deposit_prepaid(
                    actor=cast.cashier_a, project=p, unit=unit, tenders=[("cash", amount)], when=at(day)
                )
            elif kind == "pay" and balance > 0:
                bill = create_adhoc_charge(
                    actor=None, project=p, unit=unit, item_name="杂费", amount=amount, due_date=day
                )
                use = min(balance, bill.amount)
                do_collect_payment(
                    actor=cast.cashier_a,
                    project=p,
                    unit=unit,
                    bills=[bill],
                    tenders=[("prepaid", use)],
                    when=at(day),
                )
            elif kind == "refund" and balance > 0:
                do_refund_prepaid(
                    actor=cast.manager_a, project=p, unit=unit, amount=min(balance, amount), reason="退款"
                )
            elif kind == "deduct":
                create_adhoc_charge(
                    actor=None, project=p, unit=unit, item_name="杂费", amount=amount, due_date=day
                )
                do_deduct_prepaid(project=p, as_of=day)
        for account in PrepaidAccount.objects.filter(unit=unit):
            running = Decimal("0")
            for movement in account.movements.order_by("pk"):
                running += movement.amount
                assert movement.balance_after == running >= 0
            assert account.balance == running
