"""Prepay discount (预交优惠): paying N months ahead earns X% off those months.

A fee standard carries the rule (``prepay_months`` = N, ``prepay_discount_rate`` = X). When the bills
a payer settles include at least N months of that standard for periods after the current month, each
of those future bills gets ``fen(X x its charge)`` off, never more than it still owes.

The cashier desk uses two functions:

    offer = prepay_discount_for(bills)          # what the rule grants, nothing written
    offer.total, offer.lines                      # per bill: PrepayLine(bill, amount, ...)

    with transaction.atomic():                    # the same transaction as the payment, so a
        do_apply_prepay_discount(actor=cashier, bills=bills)   # failed payment drops the discount
        do_collect_payment(...)

Each discount is written through the core's ``do_apply_rule_discount`` (no approval: the rule, not a
person, decides the amount). A bill gets the prepay discount once.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import AdjustmentKindChoices, BillStatusChoices
from wuye.billing.models import Bill, BillAdjustment
from wuye.billing.services.corrections import do_apply_rule_discount
from wuye.billing.services.periods import add_months, month_start
from wuye.core.money import ZERO, fen
from wuye.core.scoping import user_scope

#: marks the adjustments this rule wrote (their reason starts with it), so a bill is discounted once
PREPAY_REASON_TAG = "[prepay]"
OPEN_STATUSES = (BillStatusChoices.OPEN, BillStatusChoices.PARTIAL)


def discount_amount(charge: Decimal, rate: Decimal, outstanding: Decimal) -> Decimal:
    """The discount on one bill: rate x charge rounded half-up to the fen, at most what is owed."""
    return max(ZERO, min(fen(charge * rate), fen(outstanding)))


def first_future_period(today: datetime.date) -> datetime.date:
    """Periods starting on or after this day are "ahead": the first day of next month."""
    return add_months(month_start(today), 1)


@dataclass(frozen=True)
class PrepayLine:
    bill: Bill
    amount: Decimal
    months: Decimal  # months of the standard that the group covers ahead
    rate: Decimal


@dataclass
class PrepayDiscount:
    lines: list[PrepayLine] = field(default_factory=list)
    #: groups that have a prepay rule but too few months ahead: (standard, months, needed)
    short: list[tuple] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    def __bool__(self):
        return bool(self.lines)

    def for_bill(self, bill) -> Decimal:
        return sum((line.amount for line in self.lines if line.bill.pk == bill.pk), ZERO)


def _already_discounted(bill_ids) -> set[int]:
    if not bill_ids:
        return set()
    return set(
        BillAdjustment.objects.filter(
            bill_id__in=bill_ids,
            kind=AdjustmentKindChoices.DISCOUNT,
            reason__startswith=PREPAY_REASON_TAG,
        ).values_list("bill_id", flat=True)
    )


def prepay_discount_for(bills, *, today: datetime.date | None = None, discounted=None) -> PrepayDiscount:
    """What the prepay rule grants on ``bills`` (nothing is written).

    Bills are grouped by target (unit or space) and standard. A group qualifies when its open bills
    for periods after the current month add up to at least the standard's ``prepay_months``; every
    such bill not yet discounted by this rule then gets ``discount_amount(charge, rate, outstanding)``.
    Load bills with ``select_related("standard")`` to avoid a query per bill. ``discounted`` (bill
    ids already discounted) is read from the database when omitted.
    """
    today = today or timezone.localdate()
    ahead = first_future_period(today)
    bills = [b for b in bills if b.standard_id is not None]
    groups: dict[tuple, list[Bill]] = defaultdict(list)
    for bill in bills:
        standard = bill.standard
        if not standard.prepay_months or not standard.prepay_discount_rate:
            continue
        if bill.status not in OPEN_STATUSES or bill.period_start < ahead or bill.outstanding <= 0:
            continue
        groups[(bill.unit_id, bill.parking_space_id, bill.standard_id)].append(bill)
    if discounted is None:
        discounted = _already_discounted([b.pk for group in groups.values() for b in group])
    result = PrepayDiscount()
    for (_unit, _space, _standard), group in sorted(groups.items(), key=lambda kv: tuple(map(str, kv[0]))):
        standard = group[0].standard
        months = sum((b.months for b in group), Decimal(0))
        needed = Decimal(standard.prepay_months)
        if months < needed:
            result.short.append((standard, months, needed))
            continue
        rate = standard.prepay_discount_rate
        for bill in sorted(group, key=lambda b: (b.period_start, b.pk)):
            if bill.pk in discounted:
                continue
            amount = discount_amount(bill.amount, rate, bill.outstanding)
            if amount > 0:
                result.lines.append(PrepayLine(bill=bill, amount=amount, months=months, rate=rate))
    return result


def _require(actor, project_ids):
    if actor is None:
        return
    allowed = user_scope(actor, "billing.collect_payment")
    reducers = user_scope(actor, "billing.reduce_bill")
    for project_id in project_ids:
        if project_id not in allowed and project_id not in reducers:
            raise PermissionDenied(_("You do not have permission for this."))


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def reason_for(line: PrepayLine) -> str:
    text = _("Prepay discount: %(months)s months ahead, %(rate)s%% off") % {
        "months": _plain(line.months),
        "rate": _plain(line.rate * 100),
    }
    return f"{PREPAY_REASON_TAG} {text}"[:200]


def do_apply_prepay_discount(*, actor, bills, today: datetime.date | None = None) -> list[BillAdjustment]:
    """Apply the prepay discount that ``prepay_discount_for`` grants, one adjustment per bill.

    The bills are locked and the rule recomputed on the locked rows, so two cashiers cannot grant it
    twice. Needs ``billing.collect_payment`` or ``billing.reduce_bill`` in the bills' project. Returns
    the adjustments written (empty when the rule grants nothing).
    """
    ids = sorted({b.pk if hasattr(b, "pk") else int(b) for b in bills})
    with transaction.atomic():
        locked = list(
            Bill.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .select_related("standard")
            .order_by("pk")
        )
        _require(actor, {b.project_id for b in locked})
        offer = prepay_discount_for(locked, today=today)
        adjustments = [
            do_apply_rule_discount(actor=actor, bill=line.bill, amount=line.amount, reason=reason_for(line))
            for line in offer.lines
        ]
    return adjustments
