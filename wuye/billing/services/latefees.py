"""Late fees (违约金), computed on demand, never stored as accruing debt.

For each bill with a late-fee rule: after the due date plus the grace days, every day adds
``daily_rate`` x the charge still unpaid that day. Part payments reduce the base from their date on.
The total is rounded half-up to the fen and capped at ``cap_ratio`` x the charge; what was already
paid or waived is deducted.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from wuye.billing.choices import AllocationKindChoices, BillStatusChoices
from wuye.core.money import ZERO, fen


def _accrued(charge: Decimal, principal_payments, start: datetime.date, as_of: datetime.date, rate: Decimal):
    """Sum of unpaid x rate x days over [start, as_of], payments reducing the base from their day."""
    if as_of < start:
        return Decimal(0)
    events = sorted((d, a) for d, a in principal_payments)
    unpaid = charge
    cursor = start
    total = Decimal(0)
    for day, amount in events:
        if day < cursor:
            unpaid -= amount
            continue
        if day > as_of:
            break
        total += max(unpaid, Decimal(0)) * rate * (day - cursor).days
        unpaid -= amount
        cursor = day
    total += max(unpaid, Decimal(0)) * rate * ((as_of - cursor).days + 1)
    return total


def late_fee_for(bill, as_of: datetime.date | None = None, payments=None) -> Decimal:
    """The late fee still due on ``bill`` as of ``as_of`` (0 without a rule, when voided or not overdue).

    ``payments`` is an iterable of (date, principal amount) paid on the bill; read from the database
    when omitted (pass it to avoid queries in loops, see ``late_fees_for``).
    """
    as_of = as_of or datetime.date.today()
    standard = bill.standard
    rule = standard.late_fee_rule if standard is not None else None
    if rule is None or bill.status == BillStatusChoices.VOIDED:
        return ZERO
    charge = bill.amount - bill.discount_amount
    if charge <= 0:
        return ZERO
    start = bill.due_date + datetime.timedelta(days=rule.grace_days + 1)
    if payments is None:
        payments = [
            (a.payment.business_date, a.amount)
            for a in bill.allocations.filter(kind=AllocationKindChoices.PRINCIPAL).select_related("payment")
        ]
    accrued = fen(_accrued(charge, payments, start, as_of, rule.daily_rate))
    capped = min(accrued, fen(charge * rule.cap_ratio))
    return max(ZERO, capped - bill.late_fee_paid - bill.late_fee_waived)


def late_fees_for(bills, as_of: datetime.date | None = None) -> dict[int, Decimal]:
    """Late fees of many bills with two queries (bills should select_related standard__late_fee_rule)."""
    from wuye.billing.models import PaymentAllocation

    bills = list(bills)
    ids = [b.pk for b in bills]
    paid = defaultdict(list)
    for bill_id, day, amount in PaymentAllocation.objects.filter(
        bill_id__in=ids, kind=AllocationKindChoices.PRINCIPAL
    ).values_list("bill_id", "payment__business_date", "amount"):
        paid[bill_id].append((day, amount))
    return {b.pk: late_fee_for(b, as_of, payments=paid[b.pk]) for b in bills}
