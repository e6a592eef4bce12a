"""Billing runs: one bill per unit (or space), item and period segment, never twice."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import RUN_METHODS, BillSourceChoices, PricingMethodChoices
from wuye.billing.models import Bill, BillingRun, FeeAssignment, FeeStandard
from wuye.billing.services.periods import cycle_bounds, month_start, months_fraction
from wuye.core import audit, jobs
from wuye.core.money import fen
from wuye.core.numbering import format_number, next_block, register_kind
from wuye.estate.choices import DEVELOPER_STATUSES, UnitStatusChoices

register_kind("bill", "ZD")
register_kind("receipt", "SK")
register_kind("reversal", "CZ")

BATCH = 2000


def _dec(fraction: Fraction) -> Decimal:
    return Decimal(fraction.numerator) / Decimal(fraction.denominator)


def _exact_amount(quantity: Decimal, price: Decimal, months: Fraction, factor: Decimal | None) -> Decimal:
    amount = quantity * price * Decimal(months.numerator) / Decimal(months.denominator)
    if factor is not None:
        amount *= factor
    return amount


def dedup_key(unit_id, space_id, item_id, seg_start: datetime.date) -> str:
    target = f"u{unit_id}" if unit_id else f"s{space_id}"
    return f"{target}:i{item_id}:{seg_start.isoformat()}"


class _Payers:
    """Who pays for each unit: a paying tenant, else the representative owner; the developer for
    unsold or undelivered units (and before the delivery date)."""

    def __init__(self, project):
        from wuye.residents.models import Occupancy, Ownership, Person

        self.developer = Person.objects.filter(project=project, is_developer=True).only("id", "name").first()
        self.owner = {}
        rows = (
            Ownership.objects.filter(project=project, end_date__isnull=True)
            .order_by("unit_id", "-is_representative", "pk")
            .values_list("unit_id", "person_id", "person__name")
        )
        for unit_id, person_id, name in rows:
            self.owner.setdefault(unit_id, (person_id, name))
        self.tenant = {}
        rows = Occupancy.objects.filter(project=project, end_date__isnull=True, is_payer=True).values_list(
            "unit_id", "person_id", "person__name"
        )
        for unit_id, person_id, name in rows:
            self.tenant.setdefault(unit_id, (person_id, name))

    def developer_payer(self):
        return (self.developer.pk, self.developer.name) if self.developer else (None, "")

    def resident_payer(self, unit_id):
        return self.tenant.get(unit_id) or self.owner.get(unit_id) or (None, "")


def _vacant_since(project) -> dict:
    from wuye.residents.models import Occupancy

    return dict(
        Occupancy.objects.filter(project=project, end_date__isnull=False)
        .values("unit_id")
        .annotate(last=Max("end_date"))
        .values_list("unit_id", "last")
    )


def _months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)


def run_billing(*, actor, project, period: datetime.date, items=None, ctx=None) -> BillingRun:
    """Bill ``project`` for the cycle starting at ``period`` (a month), optionally for some items.

    Re-running creates nothing twice: existing bills of the same target, item and period segment
    are skipped and counted. Amount per bill = quantity x unit price x months, rounded half-up to
    the fen once per bill; partial periods are prorated by days.
    """
    period = month_start(period)
    standards = list(
        FeeStandard.objects.filter(project=project, method__in=RUN_METHODS, item__is_active=True)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=period))
        .select_related("item")
    )
    if items:
        names = {str(i) for i in items}
        standards = [s for s in standards if s.item.name in names or str(s.item_id) in names]
    with transaction.atomic():
        run = BillingRun.objects.create(
            project=project,
            period=period,
            items=sorted({s.item.name for s in standards}),
            created_by=actor,
            job=ctx.job if ctx is not None else None,
        )
        bills, skipped, problems = _prepare(project, period, standards, run, ctx)
        numbers = next_block(project, "bill", len(bills), period.year)
        for bill, value in zip(bills, numbers, strict=True):
            bill.number = format_number("bill", period.year, value)
        for start in range(0, len(bills), BATCH):
            Bill.objects.bulk_create(bills[start : start + BATCH])
            if ctx is not None:
                ctx.progress(50 + (start + BATCH) * 50 // max(len(bills), 1), 100, _("saving bills"))
        by_item = defaultdict(lambda: [0, Decimal("0.00")])
        for bill in bills:
            by_item[bill.calc["item"]][0] += 1
            by_item[bill.calc["item"]][1] += bill.amount
        total = sum((b.amount for b in bills), Decimal("0.00"))
        run.created_count = len(bills)
        run.skipped_count = skipped
        run.total_amount = total
        run.summary = {
            "by_item": {name: {"count": c, "amount": str(a)} for name, (c, a) in sorted(by_item.items())},
            "problems": problems[:200],
            "problem_count": len(problems),
        }
        run.finished_at = timezone.now()
        run.save()
        audit.record(
            actor=actor,
            action="billing.run",
            obj=run,
            project=project,
            amount=total,
            message=f"{period:%Y-%m}: {len(bills)} created, {skipped} skipped",
        )
    return run


def _prepare(project, period, standards, run, ctx):
    payers = _Payers(project)
    need_vacancy = any(s.vacancy_rate is not None for s in standards)
    vacated = _vacant_since(project) if need_vacancy else {}
    existing = set(
        Bill.objects.filter(
            project=project, period_start__gte=period, period_start__lt=period + datetime.timedelta(days=366)
        )
        .exclude(dedup_key="")
        .values_list("dedup_key", flat=True)
    )
    bills, skipped, problems = [], 0, []
    standard_ids = [s.pk for s in standards]
    by_id = {s.pk: s for s in standards}
    assignments = (
        FeeAssignment.objects.filter(standard_id__in=standard_ids)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period))
        .select_related("unit", "parking_space")
        .order_by("pk")
    )
    total = assignments.count()
    for index, assignment in enumerate(assignments.iterator(chunk_size=5000)):
        if ctx is not None and index % 5000 == 0:
            ctx.progress(index * 50 // max(total, 1), 100, _("pricing"))
        standard = by_id[assignment.standard_id]
        bounds = cycle_bounds(period, standard.cycle_months)
        if bounds is None:
            continue
        p_start, p_end = bounds
        seg_start = max(p_start, assignment.start_date, standard.effective_from)
        seg_end = min(d for d in (p_end, assignment.end_date, standard.effective_to) if d is not None)
        if seg_start > seg_end:
            continue
        unit, space = assignment.unit, assignment.parking_space
        target = unit or space
        quantity = _quantity(standard, unit)
        if quantity is None:
            problems.append({"target": str(target), "item": standard.item.name, "problem": "no inner area"})
            continue
        segments = _segments(seg_start, seg_end, unit)
        for s_start, s_end, developer in segments:
            key = dedup_key(assignment.unit_id, assignment.parking_space_id, standard.item_id, s_start)
            if key in existing:
                skipped += 1
                continue
            existing.add(key)
            if standard.prorate:
                months = months_fraction(s_start, s_end, p_start, p_end, standard.cycle_months)
            else:
                months = Fraction(standard.cycle_months)
            factor, vacancy_note = None, None
            if (
                unit is not None
                and not developer
                and standard.vacancy_rate is not None
                and unit.status == UnitStatusChoices.VACANT
                and unit.vacancy_registered
            ):
                since = max(d for d in (unit.delivery_date, vacated.get(unit.pk), datetime.date.min) if d)
                if _months_between(since, s_start) >= standard.vacancy_after_months:
                    factor = standard.vacancy_rate
                    vacancy_note = str(standard.vacancy_rate)
            amount = fen(_exact_amount(quantity, standard.unit_price, months, factor))
            payer_id, payer_name = (
                payers.developer_payer() if developer else payers.resident_payer(assignment.unit_id)
            )
            due = max(p_start.replace(day=standard.due_day), s_start)
            calc = {"item": standard.item.name, "method": standard.method, "months": str(months)}
            if vacancy_note:
                calc["vacancy_rate"] = vacancy_note
            if developer:
                calc["developer"] = True
            bills.append(
                Bill(
                    project_id=project.pk,
                    unit_id=assignment.unit_id,
                    parking_space_id=assignment.parking_space_id,
                    payer_id=payer_id,
                    payer_name=payer_name,
                    item_id=standard.item_id,
                    standard_id=standard.pk,
                    run=run,
                    period_start=s_start,
                    period_end=s_end,
                    due_date=due,
                    quantity=quantity,
                    unit_price=standard.unit_price,
                    months=_dec(months).quantize(Decimal("0.0001")),
                    amount=amount,
                    tax_rate=standard.item.tax_rate,
                    description=f"{standard.item.name} {s_start:%Y-%m}",
                    calc=calc,
                    source=BillSourceChoices.RUN,
                    dedup_key=key,
                    limitation_start=due,
                    created_by_id=getattr(run, "created_by_id", None),
                )
            )
    return bills, skipped, problems


def _quantity(standard, unit) -> Decimal | None:
    method = standard.method
    if method == PricingMethodChoices.BUILDING_AREA:
        return unit.building_area if unit is not None else None
    if method == PricingMethodChoices.INNER_AREA:
        return unit.inner_area if unit is not None else None
    return Decimal("1")


def _segments(seg_start, seg_end, unit):
    """Split at the delivery date: the developer pays before it, and for unsold/undelivered units."""
    if unit is None:
        return [(seg_start, seg_end, False)]
    if unit.status in DEVELOPER_STATUSES:
        return [(seg_start, seg_end, True)]
    delivered = unit.delivery_date
    if delivered and seg_start < delivered <= seg_end:
        return [(seg_start, delivered - datetime.timedelta(days=1), True), (delivered, seg_end, False)]
    if delivered and delivered > seg_end:
        return [(seg_start, seg_end, True)]
    return [(seg_start, seg_end, False)]


def run_billing_job(ctx, *, project_id, period, items=None, actor_id=None):
    """Job body for ``jobs.enqueue``: returns the run summary shown on the job page."""
    from django.contrib.auth import get_user_model

    from wuye.billing.services.periods import parse_period
    from wuye.estate.models import Project

    project = Project.objects.get(pk=project_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    run = run_billing(actor=actor, project=project, period=parse_period(period), items=items, ctx=ctx)
    return {
        "created": run.created_count,
        "skipped": run.skipped_count,
        "total": str(run.total_amount),
        **{f"{name}": f"{v['count']} / {v['amount']}" for name, v in run.summary["by_item"].items()},
        "problems": run.summary["problem_count"],
    }


def enqueue_billing_run(*, actor, project, period: str, items=None):
    return jobs.enqueue(
        run_billing_job,
        kind="billing.run",
        name=_("Billing run %(project)s %(period)s") % {"project": project.name, "period": period},
        actor=actor,
        project=project,
        params={
            "project_id": project.pk,
            "period": period,
            "items": items,
            "actor_id": getattr(actor, "pk", None),
        },
    )
