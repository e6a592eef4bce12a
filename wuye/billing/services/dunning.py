"""Recording demands for payment; a delivered individual demand restarts the limitation period."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import BillEventKindChoices, BillStatusChoices
from wuye.billing.models import Bill, BillEvent, DunningRecord
from wuye.core import audit
from wuye.core.money import ZERO

OPEN = (BillStatusChoices.OPEN, BillStatusChoices.PARTIAL)


def open_bills(unit, as_of: datetime.date | None = None):
    qs = Bill.objects.filter(unit=unit, status__in=OPEN).order_by("due_date", "pk")
    if as_of is not None:
        qs = qs.filter(due_date__lte=as_of)
    return qs


def do_record_dunning(
    *,
    actor,
    unit,
    channel,
    bills=None,
    delivered=False,
    delivered_on=None,
    recipient="",
    proof=None,
    note="",
    at=None,
) -> DunningRecord:
    """Record a reminder or demand for the unit's (given or all overdue) open bills."""
    at = at or timezone.now()
    bills = list(bills) if bills is not None else list(open_bills(unit, timezone.localdate(at)))
    if not bills:
        raise ValidationError(_("This unit has no overdue bills to demand."))
    for bill in bills:
        if bill.unit_id != unit.pk or bill.status not in OPEN:
            raise ValidationError(_("Bill %(n)s is not an open bill of this unit.") % {"n": bill.number})
    if delivered and delivered_on is None:
        delivered_on = timezone.localdate(at)
    with transaction.atomic():
        record = DunningRecord.objects.create(
            project_id=unit.project_id,
            unit=unit,
            channel=channel,
            at=at,
            recipient=recipient,
            amount=sum((b.outstanding for b in bills), ZERO),
            delivered=delivered,
            delivered_on=delivered_on,
            note=note,
            handled_by=actor,
            created_by=actor,
        )
        if proof is not None:
            record.proof.save(proof.name, proof, save=True)
        record.bills.set(bills)
        if record.restarts_limitation:
            _restart(record, bills, actor)
        audit.record(
            actor=actor,
            action="billing.dunning",
            obj=record,
            amount=record.amount,
            data={"channel": channel, "delivered": delivered, "bills": [b.number for b in bills]},
        )
    return record


def do_confirm_delivery(*, actor, record: DunningRecord, delivered_on: datetime.date, proof=None, note=""):
    """Mark a demand (e.g. a printed notice) as delivered, with proof; restarts the limitation period."""
    with transaction.atomic():
        record = DunningRecord.objects.select_for_update(of=("self",)).get(pk=record.pk)
        if record.delivered:
            raise ValidationError(_("This demand is already marked as delivered."))
        record.delivered = True
        record.delivered_on = delivered_on
        if note:
            record.note = note[:200]
        if proof is not None:
            record.proof.save(proof.name, proof, save=False)
        record.save()
        if record.restarts_limitation:
            _restart(record, list(record.bills.filter(status__in=OPEN)), actor)
        audit.record(actor=actor, action="billing.dunning.delivered", obj=record, amount=record.amount)
    return record


def _restart(record, bills, actor):
    day = record.delivered_on
    for bill in Bill.objects.select_for_update(of=("self",)).filter(pk__in=[b.pk for b in bills]):
        BillEvent.objects.create(
            project_id=bill.project_id,
            bill=bill,
            kind=BillEventKindChoices.DEMAND_DELIVERED,
            date=day,
            note=f"{record.get_channel_display()} #{record.pk}",
            created_by=actor,
        )
        if day > bill.limitation_start:
            bill.limitation_start = day
            bill.save(update_fields=["limitation_start", "updated_at"])
