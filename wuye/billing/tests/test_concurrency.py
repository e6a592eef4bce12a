"""Two cashiers paying the same bill at the same moment cannot overpay it (PostgreSQL row locks)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from wuye.billing.models import Payment
from wuye.billing.services import create_adhoc_charge, do_collect_payment
from wuye.billing.tests.factories import make_owner, make_unit


@pytest.mark.django_db(transaction=True)
def test_two_cashiers_cannot_overpay_one_bill(cast):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL (make test-pg)")
    from wuye.core.testing.factories import make_user

    p = cast.project_a
    unit = make_unit(p)
    make_owner(unit)
    bill = create_adhoc_charge(
        actor=None,
        project=p,
        unit=unit,
        item_name="物业费",
        amount="300.00",
        due_date=datetime.date(2026, 11, 15),
    )
    cashiers = [cast.cashier_a, make_user(role_slug="cashier", project=p)]
    barrier = threading.Barrier(2)
    outcomes = []

    def pay(cashier):
        try:
            barrier.wait()
            do_collect_payment(
                actor=cashier,
                project=p,
                unit=unit,
                bills=[bill.pk],
                tenders=[("cash", "300.00")],
                expected_total=Decimal("300.00"),
            )
            outcomes.append("paid")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(c,)) for c in cashiers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bill.refresh_from_db()
    assert sorted(outcomes) == ["paid", "refused"]
    assert bill.paid_amount == Decimal("300.00") and bill.status == "paid"
    assert Payment.objects.count() == 1
