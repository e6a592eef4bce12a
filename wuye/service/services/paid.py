"""Paid repairs (有偿维修): a quote from the project's price list that the reporter accepts; on
completion the accepted amount becomes a bill through the billing service."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core import audit
from wuye.core.money import fen
from wuye.service.choices import DONE_STATUSES, QuoteStatusChoices
from wuye.service.choices import WorkOrderStatusChoices as S
from wuye.service.models import PriceItem, QuoteLine, WorkOrder
from wuye.service.services.common import locked, require

Q = QuoteStatusChoices
#: the fee item name the bill carries (data, as printed on the owner's bill)
PAID_REPAIR_ITEM = "有偿维修"


def _editable(order):
    require(order.is_paid, _("This is not a paid repair."))
    require(
        order.status not in DONE_STATUSES and order.status != S.CANCELLED,
        _("The work is finished; the quote can no longer change."),
    )
    require(order.quote_status != Q.ACCEPTED, _("The reporter accepted the quote; it can no longer change."))


def _retotal(order):
    total = order.quote_lines.aggregate(t=Sum("amount"))["t"] or Decimal("0")
    order.quote_total = fen(total)
    order.quote_status = Q.NONE
    order.save(update_fields=["quote_total", "quote_status", "updated_at"])


def do_add_quote_line(
    *,
    actor,
    order: WorkOrder,
    price_item: PriceItem | None = None,
    name: str = "",
    quantity=Decimal("1"),
    unit_price=None,
) -> QuoteLine:
    with transaction.atomic():
        order = locked(order)
        _editable(order)
        if price_item is not None:
            require(
                price_item.project_id == order.project_id, _("The price item belongs to another project.")
            )
            name = name or price_item.name
            unit_price = price_item.price if unit_price is None else unit_price
        require(bool(name) and unit_price is not None, _("Choose a price item or enter a name and a price."))
        line = QuoteLine(
            project_id=order.project_id,
            order=order,
            price_item=price_item,
            name=name,
            quantity=Decimal(str(quantity)),
            unit_price=Decimal(str(unit_price)),
            created_by=actor,
        )
        line.full_clean()
        line.save()
        _retotal(order)
    return line


def do_remove_quote_line(*, actor, line: QuoteLine) -> None:
    with transaction.atomic():
        order = locked(line.order)
        _editable(order)
        line.delete()
        _retotal(order)


def do_propose_quote(*, actor, order: WorkOrder) -> WorkOrder:
    with transaction.atomic():
        order = locked(order)
        _editable(order)
        require(order.quote_lines.exists(), _("Add at least one line to the quote."))
        order.quote_status = Q.PROPOSED
        order.save(update_fields=["quote_status", "updated_at"])
        audit.record(actor=actor, action="service.quote_proposed", obj=order, amount=order.quote_total)
    return order


def do_accept_quote(*, actor, order: WorkOrder) -> WorkOrder:
    """The reporter agrees to the price (staff record it; the owner portal calls this too)."""
    with transaction.atomic():
        order = locked(order)
        require(order.quote_status == Q.PROPOSED, _("There is no proposed quote to accept."))
        order.quote_status = Q.ACCEPTED
        order.save(update_fields=["quote_status", "updated_at"])
        audit.record(actor=actor, action="service.quote_accepted", obj=order, amount=order.quote_total)
    return order


def do_decline_quote(*, actor, order: WorkOrder, reason: str = "") -> WorkOrder:
    with transaction.atomic():
        order = locked(order)
        require(order.quote_status == Q.PROPOSED, _("There is no proposed quote to decline."))
        order.quote_status = Q.DECLINED
        order.save(update_fields=["quote_status", "updated_at"])
        audit.record(
            actor=actor, action="service.quote_declined", obj=order, amount=order.quote_total, message=reason
        )
    return order


def charge_quote(*, actor, order: WorkOrder):
    """Turn the accepted quote into a bill (billing owns bills; this only calls its service)."""
    from wuye.billing.services import create_adhoc_charge

    lines = "; ".join(f"{line.name} x {line.quantity:g}" for line in order.quote_lines.all())
    bill = create_adhoc_charge(
        actor=actor,
        project=order.project,
        unit=order.unit,
        payer=order.reporter,
        item_name=PAID_REPAIR_ITEM,
        amount=order.quote_total,
        description=f"{order.number} {lines}"[:500],
        source="repair",  # billing's source for paid repairs; one bill per order (idempotent on the id)
        source_id=str(order.pk),
    )
    order.bill_id = bill.pk
    order.bill_number = str(getattr(bill, "number", "") or "")
    order.save(update_fields=["bill_id", "bill_number", "updated_at"])
    audit.record(
        actor=actor,
        action="service.charged",
        obj=order,
        amount=order.quote_total,
        data={"bill_id": bill.pk, "at": timezone.now().isoformat()},
    )
    return bill
