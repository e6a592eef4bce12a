"""Two cashiers paying the same bill at the same moment cannot overpay it (PostgreSQL row locks)."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from wuye.billing.models import Payment
from wuye.billing.services import create_adhoc_charge, do_collect_payment
from wuye.billing.tests.factories import make_owner, make_unit


def _owed(project, amount):
    """A unit with an owner and one open bill of ``amount``."""
    unit = make_unit(project)
    make_owner(unit)
    bill = create_adhoc_charge(
        actor=None,
        project=project,
        unit=unit,
        item_name="物业费",
        amount=amount,
        due_date=datetime.date(2026, 11, 15),
    )
    return unit, bill


@pytest.mark.django_db(transaction=True)
def test_two_cashiers_cannot_overpay_one_bill(cast):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL (make test-pg)")
    from wuye.core.testing.factories import make_user

    p = cast.project_a
    unit, bill = _owed(p, "300.00")
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


@pytest.mark.django_db(transaction=True)
def test_day_close_waits_for_a_payment_in_flight(cast, monkeypatch):
    """A payment that passed the open-day check before the close began is counted in the close."""
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL (make test-pg)")
    from wuye.billing.services import payments as payments_service
    from wuye.billing.services.dayclose import do_close_day

    p = cast.project_a
    unit, bill = _owed(p, "80.00")
    checked, release = threading.Event(), threading.Event()
    original_check = payments_service._check_day_open

    def slow_check(project, cashier, day):
        original_check(project, cashier, day)
        checked.set()  # the day was open; hold the transaction until the close has been attempted
        release.wait(10)

    monkeypatch.setattr(payments_service, "_check_day_open", slow_check)
    errors = []

    def pay():
        try:
            do_collect_payment(
                actor=cast.cashier_a, project=p, unit=unit, bills=[bill.pk], tenders=[("cash", "80.00")]
            )
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    closes = []

    def close():
        try:
            closes.append(do_close_day(actor=cast.cashier_a, project=p, business_date=timezone.localdate()))
        finally:
            connections.close_all()

    payer = threading.Thread(target=pay)
    payer.start()
    assert checked.wait(10)
    closer = threading.Thread(target=close)
    closer.start()
    closer.join(1.0)
    closed_early = not closer.is_alive()  # without the lock the close finishes before the payment
    release.set()
    payer.join()
    closer.join()
    assert not errors
    assert not closed_early
    payment = Payment.objects.get()
    assert payment.day_close_id == closes[0].pk
    assert closes[0].payment_count == 1 and closes[0].amount_total == Decimal("80.00")
