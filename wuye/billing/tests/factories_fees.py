"""Test factories for billing fees models (imported by factories.py), and helpers of the fees tests."""

from __future__ import annotations

import datetime

from wuye.billing.models import BillingRun, BillingSchedule
from wuye.core.testing.factories import register


@register(BillingRun)
def billing_run_in(project=None, **kwargs):
    """A finished billing run of ``project`` that billed one unit (its bill belongs to the run)."""
    from wuye.billing.services import run_billing
    from wuye.billing.tests.factories import assign, make_unit, property_fee

    standard = kwargs.pop("standard", None) or property_fee(project, price=kwargs.pop("price", "2.00"))
    assign(standard, make_unit(project))
    return run_billing(
        actor=kwargs.pop("actor", None),
        project=project,
        period=kwargs.pop("period", datetime.date(2026, 11, 1)),
    )


@register(BillingSchedule)
def billing_schedule_in(project=None, **kwargs):
    schedule = BillingSchedule.objects.filter(project=project).first()
    if schedule is not None:
        for key, value in kwargs.items():
            setattr(schedule, key, value)
        schedule.save()
        return schedule
    return BillingSchedule.objects.create(project=project, **kwargs)
