"""Money properties of meter billing, checked with hypothesis."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wuye.billing.models import Bill
from wuye.billing.services.meters import bill_meter_readings, metered_amount, split_amount, tier_lines
from wuye.billing.tests.factories import make_unit
from wuye.billing.tests.factories_meters import DEC, NOV, make_meter, read, shared_standard
from wuye.billing.tests.test_properties import rolled_back
from wuye.core.money import fen

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
DB_SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

usages = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=4)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("20"), places=4)
amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000"), places=2)
weights = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
readings = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2)


@st.composite
def tier_tables(draw):
    limits = sorted(set(draw(st.lists(st.integers(1, 500), min_size=0, max_size=4))))
    table = [{"up_to": str(limit), "price": str(draw(prices))} for limit in limits]
    table.append({"up_to": None, "price": str(draw(prices))})
    return table


@SETTINGS
@given(total=amounts, ws=st.lists(weights, min_size=1, max_size=40))
def test_split_lines_sum_exactly_to_the_total(total, ws):
    shares = split_amount(total, list(enumerate(ws)))
    assert sum(a for _k, _e, a in shares) == total
    for _k, exact, amount in shares:
        assert amount == fen(amount) and amount >= 0
        assert abs(Decimal(exact.numerator) / exact.denominator - amount) < Decimal("0.01")


@SETTINGS
@given(total=amounts, ws=st.lists(weights, min_size=1, max_size=20))
def test_split_is_deterministic(total, ws):
    pairs = list(enumerate(ws))
    assert split_amount(total, pairs) == split_amount(total, pairs)


@SETTINGS
@given(tiers=tier_tables(), a=usages, b=usages, price=prices)
def test_tier_amounts_are_monotonic_in_usage(tiers, a, b, price):
    low, high = min(a, b), max(a, b)
    assert metered_amount(low, price, tiers) <= metered_amount(high, price, tiers)
    assert metered_amount(low, price) <= metered_amount(high, price)


@SETTINGS
@given(tiers=tier_tables(), usage=usages)
def test_tier_quantities_add_up_to_the_usage(tiers, usage):
    exact, lines = tier_lines(usage, Decimal("1"), tiers)
    assert sum((Decimal(line["quantity"]) for line in lines), Decimal(0)) == usage
    assert exact == sum((Decimal(line["quantity"]) * Decimal(line["price"]) for line in lines), Decimal(0))


@pytest.mark.django_db
@DB_SETTINGS
@given(first=readings, second=readings)
def test_lower_readings_are_rejected(cast, first, second):
    with rolled_back():
        meter = make_meter(cast.project_a)
        read(meter, NOV, first)
        if second < first:
            with pytest.raises(ValidationError):
                read(meter, DEC, second)
        else:
            assert read(meter, DEC, second).usage == second - first


@pytest.mark.django_db
@DB_SETTINGS
@given(
    areas=st.lists(
        st.decimals(min_value=Decimal("20"), max_value=Decimal("300"), places=2), min_size=1, max_size=8
    ),
    value=readings,
)
def test_shared_bills_add_up_to_the_meter_cost(cast, areas, value):
    with rolled_back():
        p = cast.project_a
        units = [make_unit(p, area=str(a)) for a in areas]
        meter = make_meter(
            p, public=True, building=units[0].building, standard=shared_standard(p, price="0.8765")
        )
        read(meter, NOV, value, confirm=True)
        run = bill_meter_readings(actor=None, project=p, period=NOV)
        total = sum(Bill.objects.filter(run=run).values_list("amount", flat=True), Decimal("0.00"))
        assert total == fen(value * Decimal("0.8765"))


@pytest.mark.django_db
@DB_SETTINGS
@given(
    amounts=st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2), min_size=1, max_size=6
    ),
    opening=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2),
)
def test_opening_balances_keep_the_ledgers_consistent(cast, amounts, opening):
    import datetime

    from wuye.billing.models import PrepaidMovement
    from wuye.billing.services.opening import OpeningLine, create_opening_bills, record_opening_prepaid
    from wuye.billing.tests.factories_meters import water_item

    with rolled_back():
        p = cast.project_a
        unit = make_unit(p)
        item = water_item(p)
        lines = [
            OpeningLine(
                unit=unit,
                item=item,
                period_start=datetime.date(2024, 1 + i, 1),
                period_end=datetime.date(2024, 1 + i, 28),
                amount=amount,
            )
            for i, amount in enumerate(amounts)
        ]
        bills = create_opening_bills(actor=None, project=p, lines=lines)
        assert [b.amount for b in bills] == [fen(a) for a in amounts]
        assert len({b.number for b in bills}) == len(bills)
        stored = Bill.objects.filter(unit=unit, source="opening")
        assert sum(stored.values_list("amount", flat=True), Decimal(0)) == sum(amounts, Decimal(0))
        assert all(b.outstanding == b.amount for b in stored)
        movement = record_opening_prepaid(actor=None, project=p, unit=unit, amount=opening)
        account = movement.account
        account.refresh_from_db()
        moved = PrepaidMovement.objects.filter(account=account).values_list("amount", flat=True)
        assert account.balance == sum(moved, Decimal(0)) == movement.balance_after == fen(opening)
