"""Test factories for billing reports models (imported by factories.py)."""

from wuye.billing.models import DunningRecord
from wuye.core.testing.factories import register


@register(DunningRecord)
def dunning_record_in(project=None, **kwargs):
    from wuye.billing.services import create_adhoc_charge
    from wuye.billing.services.dunning import do_record_dunning
    from wuye.billing.tests.factories import make_unit

    unit = make_unit(project)
    create_adhoc_charge(
        actor=None,
        project=project,
        unit=unit,
        item_name="物业费",
        amount="120.00",
        due_date=__import__("datetime").date(2025, 1, 15),
    )
    return do_record_dunning(actor=None, unit=unit, channel="phone", note="电话催缴")
