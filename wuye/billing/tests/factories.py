"""Billing test data: a project with fee items, standards and units ready to bill."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from wuye.billing.models import (
    Bill,
    FeeAssignment,
    FeeItem,
    FeeStandard,
    LateFeeRule,
    Payment,
    PrepaidAccount,
)
from wuye.core.testing.factories import register

_n = itertools.count(1)


def make_unit(
    project, *, area="100.00", inner="80.00", status="occupied", delivery=None, code=None, floors=30
):
    from wuye.estate.models import Building, Unit

    building, _ = Building.objects.get_or_create(
        project=project, number="1", defaults={"floors_above": floors}
    )
    n = next(_n)
    return Unit.objects.create(
        project=project,
        building=building,
        code=code or f"1-1-{n:04d}",
        room_number=f"{n:04d}",
        floor=1 + n % building.floors_above,
        building_area=Decimal(area),
        inner_area=Decimal(inner) if inner else None,
        status=status,
        delivery_date=delivery,
    )


def make_owner(unit, name="王业主", phone="13800001111"):
    from wuye.residents.models import Ownership, Person

    person = Person.objects.create(project=unit.project, name=name, phone=phone)
    Ownership.objects.create(project=unit.project, person=person, unit=unit, share=100)
    return person


def property_fee(project, *, price="2.50", rule=None, **extra):
    item, _ = FeeItem.objects.get_or_create(
        project=project, name="物业服务费", defaults={"category": "property_fee", "tax_rate": Decimal("0.06")}
    )
    return FeeStandard.objects.create(
        project=project,
        item=item,
        name=f"物业费{price}",
        method="building_area",
        unit_price=Decimal(price),
        effective_from=extra.pop("effective_from", datetime.date(2020, 1, 1)),
        late_fee_rule=rule,
        **extra,
    )


def late_rule(project, rate="0.0005", grace=0, cap="0.30"):
    return LateFeeRule.objects.create(
        project=project, name="违约金", daily_rate=Decimal(rate), grace_days=grace, cap_ratio=Decimal(cap)
    )


def assign(standard, unit, start=datetime.date(2020, 1, 1), **extra):
    return FeeAssignment.objects.create(
        project=standard.project, standard=standard, unit=unit, start_date=start, **extra
    )


@register(FeeItem)
def fee_item_in(project=None, **kwargs):
    kwargs.setdefault("name", f"收费项目{next(_n)}")
    kwargs.setdefault("category", "other")
    kwargs.setdefault("tax_rate", Decimal("0.06"))
    return FeeItem.objects.create(project=project, **kwargs)


@register(LateFeeRule)
def late_fee_rule_in(project=None, **kwargs):
    return late_rule(project)


@register(FeeStandard)
def fee_standard_in(project=None, **kwargs):
    return property_fee(project, price=kwargs.pop("price", "2.00"), **kwargs)


@register(FeeAssignment)
def fee_assignment_in(project=None, **kwargs):
    return assign(property_fee(project), make_unit(project))


@register(Bill)
def bill_in(project=None, **kwargs):
    from wuye.billing.services import create_adhoc_charge

    unit = kwargs.pop("unit", None) or make_unit(project)
    return create_adhoc_charge(
        actor=None,
        project=project,
        unit=unit,
        item_name=kwargs.pop("item_name", "维修费"),
        amount=kwargs.pop("amount", "88.00"),
        description="测试账单",
    )


@register(Payment)
def payment_in(project=None, **kwargs):
    from wuye.billing.services import do_collect_payment
    from wuye.core.testing.factories import make_user

    bill = bill_in(project)
    cashier = kwargs.pop("cashier", None) or make_user(role_slug="cashier", project=project)
    return do_collect_payment(
        actor=cashier, project=project, unit=bill.unit, bills=[bill], tenders=[("cash", bill.amount)]
    )


@register(PrepaidAccount)
def prepaid_account_in(project=None, **kwargs):
    return PrepaidAccount.objects.create(project=project, unit=make_unit(project))


# Factories of the other billing screens' models register themselves on import.
from wuye.billing.tests import factories_cashier, factories_fees, factories_meters, factories_reports  # noqa: E402,F401
