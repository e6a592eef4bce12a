"""The 3-year limitation period of a bill (民法典 188, 195): events recorded by hand restart it.

A part payment restarts it by itself (the payment service records that event). A delivered written
demand or a repayment agreement is recorded here, by the staff who hold the proof.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import BillEventKindChoices, BillStatusChoices
from wuye.billing.models import Bill, BillEvent
from wuye.core import audit
from wuye.core.scoping import user_scope

#: events a person records; part payments are recorded by the payment service itself
MANUAL_EVENT_KINDS = (BillEventKindChoices.DEMAND_DELIVERED, BillEventKindChoices.REPAYMENT_AGREEMENT)


def do_record_bill_event(*, actor, bill: Bill, kind: str, date: datetime.date, note: str = "") -> BillEvent:
    """Record a delivered demand or a repayment agreement on ``bill``; it restarts the limitation period.

    ``limitation_start`` becomes the later of its current value and ``date`` (an event older than the
    last restart changes nothing but is still recorded). Needs ``billing.change_bill`` in the bill's
    project when an actor is given.
    """
    if kind not in MANUAL_EVENT_KINDS:
        raise ValidationError({"kind": _("Part payments are recorded by the payment itself.")})
    if date is None:
        raise ValidationError({"date": _("Enter the date of the event.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("The event date is in the future.")})
    if actor is not None and bill.project_id not in user_scope(actor, "billing.change_bill"):
        raise PermissionDenied(_("You do not have permission for this."))
    note = (note or "").strip()[:200]
    with transaction.atomic():
        bill = Bill.objects.select_for_update(of=("self",)).get(pk=bill.pk)
        if bill.status == BillStatusChoices.VOIDED:
            raise ValidationError(_("The bill is voided."))
        if date < bill.period_start:
            raise ValidationError({"date": _("The event is before the period the bill charges.")})
        event = BillEvent.objects.create(
            project_id=bill.project_id, bill=bill, kind=kind, date=date, note=note, created_by=actor
        )
        before = bill.limitation_start
        if date > before:
            bill.limitation_start = date
            bill.save(update_fields=["limitation_start", "updated_at"])
        audit.record(
            actor=actor,
            action="billing.bill.limitation_event",
            obj=bill,
            message=note,
            data={
                "kind": kind,
                "date": date.isoformat(),
                "limitation_start_before": before.isoformat(),
                "limitation_start": bill.limitation_start.isoformat(),
            },
        )
    return event
