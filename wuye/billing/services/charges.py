"""One-off charges created by other modules (paid repairs, renovation deposits, ...)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import BillSourceChoices, FeeItemCategoryChoices
from wuye.billing.models import Bill, FeeItem
from wuye.billing.models.fees import TAX_RATE_DEFAULTS
from wuye.core import audit
from wuye.core.money import fen
from wuye.core.numbering import next_number


def create_adhoc_charge(
    *,
    actor,
    project,
    unit=None,
    payer=None,
    item_name: str,
    amount,
    description: str = "",
    source: str = BillSourceChoices.ADHOC,
    source_id: str = "",
    category: str = FeeItemCategoryChoices.OTHER,
    due_date: datetime.date | None = None,
) -> Bill:
    """Create one bill for a one-off charge; calling again with the same source and id returns it."""
    amount = fen(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    if unit is not None and unit.project_id != project.pk:
        raise ValidationError({"unit": _("The unit belongs to another project.")})
    today = timezone.localdate()
    due = due_date or today
    key = f"{source}:{source_id}" if source_id else ""
    with transaction.atomic():
        if key:
            existing = Bill.objects.filter(project=project, dedup_key=key).first()
            if existing is not None:
                return existing
        if source == BillSourceChoices.REPAIR:
            category = FeeItemCategoryChoices.REPAIR
        item, _created = FeeItem.objects.get_or_create(
            project=project,
            name=item_name,
            defaults={"category": category, "tax_rate": TAX_RATE_DEFAULTS.get(category, Decimal("0.06"))},
        )
        if payer is None and unit is not None:
            from wuye.billing.services.runs import _Payers

            payers = _Payers(project)
            payer_id, _name = payers.resident_payer(unit.pk)
            from wuye.residents.models import Person

            payer = Person.objects.filter(pk=payer_id).first() if payer_id else None
        bill = Bill.objects.create(
            project=project,
            number=next_number(project, "bill", today.year),
            unit=unit,
            payer=payer,
            payer_name=payer.name if payer else "",
            item=item,
            period_start=today,
            period_end=today,
            due_date=due,
            quantity=Decimal("1"),
            unit_price=amount,
            months=Decimal("0"),
            amount=amount,
            tax_rate=item.tax_rate,
            description=(description or item_name)[:200],
            calc={"item": item.name, "method": "adhoc"},
            source=source,
            source_ref=str(source_id)[:64],
            dedup_key=key,
            limitation_start=due,
            created_by=actor,
        )
        audit.record(actor=actor, action="billing.bill.adhoc", obj=bill, amount=amount, message=description)
    return bill
