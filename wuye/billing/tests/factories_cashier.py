"""Test factories for billing cashier models (imported by factories.py)."""

from __future__ import annotations

from django.utils import timezone

from wuye.billing.models import CashierDayClose
from wuye.core.testing.factories import register


@register(CashierDayClose)
def day_close_in(project=None, **kwargs):
    """A closed cashier day with one payment in it (a fresh cashier of ``project``)."""
    from wuye.billing.services.dayclose import do_close_day
    from wuye.billing.tests.factories import payment_in
    from wuye.core.testing.factories import make_user

    cashier = kwargs.pop("cashier", None) or make_user(role_slug="cashier", project=project)
    if kwargs.pop("with_payment", True):
        payment_in(project, cashier=cashier)
    return do_close_day(
        actor=cashier, project=project, business_date=kwargs.pop("business_date", timezone.localdate())
    )
