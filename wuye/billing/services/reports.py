"""Arrears and collection figures, each one aggregate query (no Python loops over bills)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from wuye.billing.choices import BillStatusChoices
from wuye.billing.services.periods import add_months, month_start

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)
OUTSTANDING = ExpressionWrapper(F("amount") - F("discount_amount") - F("paid_amount"), output_field=MONEY)
DUE = ExpressionWrapper(F("amount") - F("discount_amount"), output_field=MONEY)

#: (key, label, smallest days overdue, largest days overdue or None)
AGE_BUCKETS = [
    ("d0_30", "0-30", 0, 30),
    ("d31_90", "31-90", 31, 90),
    ("d91_180", "91-180", 91, 180),
    ("d181_365", "181-365", 181, 365),
    ("d365_plus", ">365", 366, None),
]

GROUPS = {
    "unit": ("unit_id", "unit__code"),
    "building": ("unit__building_id", "unit__building__name", "unit__building__number"),
    "item": ("item_id", "item__name"),
    "project": ("project_id", "project__name"),
}


def open_bills(queryset):
    return queryset.filter(status__in=(BillStatusChoices.OPEN, BillStatusChoices.PARTIAL))


def arrears(queryset, as_of: datetime.date, group: str = "unit"):
    """Overdue amounts per group and age bucket (days past the due date as of ``as_of``).

    ``queryset`` is a Bill queryset already restricted to the user. Returns a values() queryset
    with one row per group: the group columns, one sum per bucket, ``total`` and ``bills``.
    """
    from django.db.models import Count

    buckets = {}
    for key, _label, low, high in AGE_BUCKETS:
        condition = Q(due_date__lte=as_of - datetime.timedelta(days=low))
        if high is not None:
            condition &= Q(due_date__gte=as_of - datetime.timedelta(days=high))
        buckets[key] = Coalesce(
            Sum(Case(When(condition, then=OUTSTANDING), default=ZERO, output_field=MONEY)), ZERO
        )
    fields = GROUPS[group]
    return (
        open_bills(queryset)
        .filter(due_date__lt=as_of)
        .values(*fields)
        .annotate(**buckets, total=Coalesce(Sum(OUTSTANDING), ZERO), bills=Count("pk"))
        .filter(total__gt=0)
        .order_by("-total", fields[0])
    )


def arrears_totals(queryset, as_of: datetime.date) -> dict:
    buckets = {}
    for key, _label, low, high in AGE_BUCKETS:
        condition = Q(due_date__lte=as_of - datetime.timedelta(days=low))
        if high is not None:
            condition &= Q(due_date__gte=as_of - datetime.timedelta(days=high))
        buckets[key] = Coalesce(
            Sum(Case(When(condition, then=OUTSTANDING), default=ZERO, output_field=MONEY)), ZERO
        )
    return (
        open_bills(queryset)
        .filter(due_date__lt=as_of)
        .aggregate(**buckets, total=Coalesce(Sum(OUTSTANDING), ZERO))
    )


def collection(queryset, allocations, month: datetime.date, group: str = "project") -> list[dict]:
    """收缴率 of ``month`` per group, from four aggregate queries.

    - billed: what the month's own bills charge (net of reductions, voided excluded);
    - collected: principal paid on those bills by the end of the month; rate = collected / billed;
    - old arrears: what bills of earlier periods still owed at the start of the month;
    - recovered: principal paid during the month on those older bills; recovery = recovered / old.

    ``queryset`` is a Bill queryset and ``allocations`` a PaymentAllocation queryset, both already
    restricted to the user.
    """
    start = month_start(month)
    end = add_months(start, 1)
    fields = GROUPS[group]
    alloc_fields = tuple(f"bill__{f}" for f in fields)
    bills = queryset.exclude(status=BillStatusChoices.VOIDED)
    principal = allocations.filter(kind="principal").exclude(bill__status=BillStatusChoices.VOIDED)

    def by_group(qs, group_fields, **annotations):
        return {row[group_fields[0]]: row for row in qs.values(*group_fields).annotate(**annotations)}

    current = by_group(
        bills.filter(period_start__gte=start, period_start__lt=end), fields, billed=Coalesce(Sum(DUE), ZERO)
    )
    collected = by_group(
        principal.filter(
            bill__period_start__gte=start, bill__period_start__lt=end, payment__business_date__lt=end
        ),
        alloc_fields,
        amount=Coalesce(Sum("amount"), ZERO),
    )
    old_due = by_group(bills.filter(period_start__lt=start), fields, due=Coalesce(Sum(DUE), ZERO))
    old_paid = by_group(
        principal.filter(bill__period_start__lt=start, payment__business_date__lt=start),
        alloc_fields,
        amount=Coalesce(Sum("amount"), ZERO),
    )
    recovered = by_group(
        principal.filter(
            bill__period_start__lt=start, payment__business_date__gte=start, payment__business_date__lt=end
        ),
        alloc_fields,
        amount=Coalesce(Sum("amount"), ZERO),
    )
    zero = Decimal("0.00")
    rows = []
    for group_key in sorted(set(current) | set(old_due), key=lambda k: (k is None, str(k))):
        label_row = current.get(group_key) or old_due.get(group_key)
        billed = current.get(group_key, {}).get("billed", zero)
        got = collected.get(group_key, {}).get("amount", zero)
        old = old_due.get(group_key, {}).get("due", zero) - old_paid.get(group_key, {}).get("amount", zero)
        rec = recovered.get(group_key, {}).get("amount", zero)
        if not (billed or old):
            continue
        rows.append(
            {
                "key": group_key,
                "label": _label(label_row, fields),
                "billed": billed,
                "collected": got,
                "rate": _percent(got, billed),
                "old_arrears": old,
                "recovered": rec,
                "recovery_rate": _percent(rec, old),
            }
        )
    return rows


def _percent(part, whole):
    return (part / whole * 100).quantize(Decimal("0.01")) if whole else None


def _label(row, fields):
    names = [str(row[f]) for f in fields[1:] if row.get(f) not in (None, "")]
    return names[0] if names else str(row[fields[0]])


def income(allocations, tenders, start: datetime.date, end: datetime.date):
    """Income between two dates: by fee item (allocations incl. late fees) and by channel (tenders)."""
    by_item = (
        allocations.filter(payment__business_date__gte=start, payment__business_date__lte=end)
        .values("bill__item__name", "kind")
        .annotate(amount=Coalesce(Sum("amount"), ZERO))
        .order_by("bill__item__name", "kind")
    )
    by_channel = (
        tenders.filter(payment__business_date__gte=start, payment__business_date__lte=end)
        .values("channel")
        .annotate(amount=Coalesce(Sum("amount"), ZERO))
        .order_by("channel")
    )
    return list(by_item), list(by_channel)
