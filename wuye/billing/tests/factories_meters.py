"""Test factories for billing meters models (imported by factories.py)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from wuye.billing.models import FeeItem, FeeStandard
from wuye.billing.models.meters import Meter, MeterReading
from wuye.core.testing.factories import register

_n = itertools.count(1)
NOV = datetime.date(2026, 11, 1)
DEC = datetime.date(2026, 12, 1)


def water_item(project):
    item, _ = FeeItem.objects.get_or_create(
        project=project,
        name="水费",
        defaults={"category": "water", "tax_rate": Decimal("0.03"), "collected_on_behalf": True},
    )
    return item


def water_standard(project, *, price="3.50", tiers=None, name=None):
    return FeeStandard.objects.create(
        project=project,
        item=water_item(project),
        name=name or f"居民水费{next(_n)}",
        method="metered",
        unit_price=Decimal(price),
        tiers=tiers or [],
        effective_from=datetime.date(2020, 1, 1),
    )


def shared_standard(project, *, method="shared_area", price="0.80", name=None):
    item, _ = FeeItem.objects.get_or_create(
        project=project,
        name="公共电费分摊",
        defaults={"category": "shared_utility", "tax_rate": Decimal("0.06")},
    )
    return FeeStandard.objects.create(
        project=project,
        item=item,
        name=name or f"公摊电费{next(_n)}",
        method=method,
        unit_price=Decimal(price),
        effective_from=datetime.date(2020, 1, 1),
    )


def make_meter(project, *, unit=None, building=None, public=False, standard=None, kind=None, **extra):
    from wuye.billing.tests.factories import make_unit

    if not public and unit is None:
        unit = make_unit(project)
    meter = Meter(
        project=project,
        kind=kind or ("electricity" if public else "water"),
        number=extra.pop("number", None) or f"{'E' if public else 'W'}-{next(_n):05d}",
        is_public=public,
        unit=unit,
        building=building,
        standard=standard,
        **extra,
    )
    meter.full_clean()
    meter.save()
    return meter


def read(meter, period, value, *, confirm=False, actor=None, **extra) -> MeterReading:
    """A validated reading of ``meter`` (clean() computes the previous value and the usage)."""
    reading = MeterReading(
        project=meter.project,
        meter=meter,
        period=period,
        reading_date=extra.pop("reading_date", None) or period.replace(day=28),
        value=Decimal(str(value)),
        **extra,
    )
    reading.full_clean()
    reading.save()
    if confirm:
        MeterReading.machine.apply(reading, "confirm", actor=actor)
    return reading


@register(Meter)
def meter_in(project=None, **kwargs):
    kwargs.setdefault("standard", water_standard(project))
    return make_meter(project, **kwargs)


@register(MeterReading)
def meter_reading_in(project=None, **kwargs):
    meter = kwargs.pop("meter", None) or meter_in(project)
    return read(meter, kwargs.pop("period", NOV), kwargs.pop("value", "12.50"), **kwargs)
