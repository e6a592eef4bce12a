"""Billing runs: one bill per unit (or space), item and period segment, never twice."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import RUN_METHODS, BillSourceChoices, PricingMethodChoices
from wuye.billing.models import Bill, BillingRun, FeeAssignment, FeeStandard
from wuye.billing.services.periods import cycle_bounds, month_start, months_fraction
from wuye.core import audit, jobs
from wuye.core.bulk import adapter, fetch_rows, insert_tuples
from wuye.core.money import FEN, fen
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
        for unit_id, person_id, name in fetch_rows(rows):
            self.owner.setdefault(unit_id, (person_id, name))
        self.tenant = {}
        rows = Occupancy.objects.filter(project=project, end_date__isnull=True, is_payer=True).values_list(
            "unit_id", "person_id", "person__name"
        )
        for unit_id, person_id, name in fetch_rows(rows):
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
    are skipped and counted (and a unique constraint guards it). Amount per bill = quantity x unit
    price x months, rounded half-up to the fen once per bill; partial periods are prorated by days.
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
        rows, skipped, problems, by_item = _prepare(project, period, standards, run, ctx)
        numbers = next_block(project, "bill", len(rows), period.year)
        prefix = format_number("bill", period.year, 0)[:-6]
        rows = [(*row, f"{prefix}{value:06d}") for row, value in zip(rows, numbers, strict=True)]
        step = BATCH * 10
        for start in range(0, len(rows), step):
            insert_tuples(Bill, [*BILL_COLUMNS, "number"], rows[start : start + step])
            if ctx is not None:
                ctx.progress(50 + (start + step) * 50 // max(len(rows), 1), 100, _("saving bills"))
        total = sum((a for _c, a in by_item.values()), Decimal("0.00"))
        run.created_count = len(rows)
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
            message=f"{period:%Y-%m}: {len(rows)} created, {skipped} skipped",
        )
    return run


class _Std:
    """Per-standard values computed once per run, so the per-assignment loop stays lean."""

    def __init__(self, standard, period, out_date):
        self.standard = standard
        self.id = standard.pk
        self.item_id = standard.item_id
        self.item_name = standard.item.name
        self.tax_rate = standard.item.tax_rate
        self.price = standard.unit_price
        self.method = standard.method
        self.cycle_months = standard.cycle_months
        self.bounds = cycle_bounds(period, standard.cycle_months)
        self.effective_from = standard.effective_from
        self.effective_to = standard.effective_to
        self.prorate = standard.prorate
        self.vacancy_rate = standard.vacancy_rate
        self.vacancy_after = standard.vacancy_after_months
        self.full_months = Fraction(standard.cycle_months)
        self.full_months_dec = _months_decimal(self.full_months)
        self.full_calc = _calc_json(self.item_name, self.method, self.full_months, None, False)
        if self.bounds:
            p_start, p_end = self.bounds
            self.due = p_start.replace(day=standard.due_day)
            self.due_out = out_date(self.due)
            self.p_start_out, self.p_end_out = out_date(p_start), out_date(p_end)
            self.full_description = f"{self.item_name} {p_start:%Y-%m}"
        self.key_tail = f":i{self.item_id}:"
        self.is_area = self.method == PricingMethodChoices.BUILDING_AREA
        self.is_inner = self.method == PricingMethodChoices.INNER_AREA
        self.sum_count = 0
        self.sum_amount = Decimal("0.00")


def _prepare(project, period, standards, run, ctx):
    """Price every assignment of the period into bill rows (tuples in BILL_COLUMNS order)."""
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
    rows, skipped, problems = [], 0, []
    out_date = _cached(adapter(Bill, "due_date"))
    stds = {s.pk: _Std(s, period, out_date) for s in standards}
    assignments = (
        FeeAssignment.objects.filter(standard_id__in=list(stds))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period))
        .order_by("pk")
        .values_list(
            "standard_id",
            "unit_id",
            "parking_space_id",
            "start_date",
            "end_date",
            "unit__code",
            "parking_space__code",
            "unit__building_area",
            "unit__inner_area",
            "unit__status",
            "unit__delivery_date",
            "unit__vacancy_registered",
        )
    )
    total = assignments.count()
    project_id, run_id, actor_id = project.pk, run.pk, run.created_by_id
    developer = payers.developer_payer()
    resident_payer = payers.resident_payer
    to_date, to_area = _Converter.date, _Converter.area
    source = BillSourceChoices.RUN.value
    developer_statuses = set(DEVELOPER_STATUSES)
    vacant = UnitStatusChoices.VACANT.value
    one = Decimal("1")
    append = rows.append
    for index, row in enumerate(fetch_rows(assignments)):
        if ctx is not None and index % 20000 == 0:
            ctx.progress(index * 50 // max(total, 1), 100, _("pricing"))
        (
            standard_id,
            unit_id,
            space_id,
            a_start,
            a_end,
            unit_code,
            space_code,
            area,
            inner,
            status,
            delivered,
            vacancy_registered,
        ) = row
        std = stds[standard_id]
        if std.bounds is None:
            continue
        p_start, p_end = std.bounds
        a_start, a_end, delivered = to_date(a_start), to_date(a_end), to_date(delivered)
        seg_start = max(p_start, a_start, std.effective_from)
        seg_end = p_end
        if a_end is not None and a_end < seg_end:
            seg_end = a_end
        if std.effective_to is not None and std.effective_to < seg_end:
            seg_end = std.effective_to
        if seg_start > seg_end:
            continue
        if std.is_area:
            quantity = to_area(area)
        elif std.is_inner:
            quantity = to_area(inner)
        else:
            quantity = one
        if quantity is None:
            problems.append(
                {"target": unit_code or space_code, "item": std.item_name, "problem": "no inner area"}
            )
            continue
        target = f"u{unit_id}" if unit_id else f"s{space_id}"
        if unit_id is None:
            segments = ((seg_start, seg_end, False),)
        elif status in developer_statuses:
            segments = ((seg_start, seg_end, True),)
        else:
            segments = _segments(seg_start, seg_end, unit_id, status, delivered)
        for s_start, s_end, is_developer in segments:
            key = f"{target}{std.key_tail}{s_start.isoformat()}"
            if key in existing:
                skipped += 1
                continue
            existing.add(key)
            factor = None
            if (
                std.vacancy_rate is not None
                and unit_id is not None
                and not is_developer
                and status == vacant
                and vacancy_registered
            ):
                since = max(d for d in (delivered, vacated.get(unit_id), datetime.date.min) if d)
                if _months_between(since, s_start) >= std.vacancy_after:
                    factor = std.vacancy_rate
            payer_id, payer_name = developer if is_developer else resident_payer(unit_id)
            if s_start == p_start and s_end == p_end and factor is None and not is_developer:
                # the common case: a whole period at the standard price
                amount = (quantity * std.price * std.cycle_months).quantize(FEN, ROUND_HALF_UP)
                append(
                    (
                        project_id,
                        unit_id,
                        space_id,
                        payer_id,
                        payer_name,
                        std.item_id,
                        standard_id,
                        run_id,
                        std.p_start_out,
                        std.p_end_out,
                        std.due_out,
                        quantity,
                        std.price,
                        std.full_months_dec,
                        amount,
                        std.tax_rate,
                        std.full_description,
                        std.full_calc,
                        source,
                        key,
                        std.due_out,
                        actor_id,
                    )
                )
            else:
                if not std.prorate or (s_start == p_start and s_end == p_end):
                    months = std.full_months
                else:
                    months = months_fraction(s_start, s_end, p_start, p_end, std.cycle_months)
                amount = fen(_exact_amount(quantity, std.price, months, factor))
                due = std.due if std.due >= s_start else s_start
                append(
                    (
                        project_id,
                        unit_id,
                        space_id,
                        payer_id,
                        payer_name,
                        std.item_id,
                        standard_id,
                        run_id,
                        out_date(s_start),
                        out_date(s_end),
                        out_date(due),
                        quantity,
                        std.price,
                        _months_decimal(months),
                        amount,
                        std.tax_rate,
                        f"{std.item_name} {s_start:%Y-%m}",
                        _calc_json(std.item_name, std.method, months, factor, is_developer),
                        source,
                        key,
                        out_date(due),
                        actor_id,
                    )
                )
            std.sum_count += 1
            std.sum_amount += amount
    sums = defaultdict(lambda: [0, Decimal("0.00")])
    for std in stds.values():
        if std.sum_count:
            sums[std.item_name][0] += std.sum_count
            sums[std.item_name][1] += std.sum_amount
    return rows, skipped, problems, sums


def _cached(func):
    cache = {}

    def wrapper(value):
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = func(value)
            return result

    return wrapper


BILL_COLUMNS = [
    "project_id",
    "unit_id",
    "parking_space_id",
    "payer_id",
    "payer_name",
    "item_id",
    "standard_id",
    "run_id",
    "period_start",
    "period_end",
    "due_date",
    "quantity",
    "unit_price",
    "months",
    "amount",
    "tax_rate",
    "description",
    "calc",
    "source",
    "dedup_key",
    "limitation_start",
    "created_by_id",
]


class _Converter:
    """Cached conversions of raw database values (SQLite returns text dates and float decimals)."""

    _dates: dict = {}
    _areas: dict = {}

    @classmethod
    def date(cls, value):
        if value is None or isinstance(value, datetime.date):
            return value
        result = cls._dates.get(value)
        if result is None:
            result = cls._dates[value] = datetime.date.fromisoformat(value[:10])
        return result

    @classmethod
    def area(cls, value):
        if value is None or isinstance(value, Decimal):
            return value
        result = cls._areas.get(value)
        if result is None:
            result = cls._areas[value] = Decimal(repr(value)).quantize(Decimal("0.01"))
        return result


_CALC_CACHE: dict = {}


def _calc_json(item, method, months, factor, developer):
    key = (item, method, months, factor, developer)
    value = _CALC_CACHE.get(key)
    if value is None:
        calc = {"item": item, "method": method, "months": str(months)}
        if factor is not None:
            calc["vacancy_rate"] = str(factor)
        if developer:
            calc["developer"] = True
        value = _CALC_CACHE[key] = _json_adapter()(calc)
    return value


def _json_adapter():
    return adapter(Bill, "calc")


_MONTHS_CACHE: dict = {}  # Fraction -> Decimal(4 places)


def _months_decimal(months: Fraction) -> Decimal:
    value = _MONTHS_CACHE.get(months)
    if value is None:
        value = _MONTHS_CACHE[months] = _dec(months).quantize(Decimal("0.0001"))
    return value


def _segments(seg_start, seg_end, unit_id, status, delivered):
    """Split at the delivery date: the developer pays before it, and for unsold/undelivered units."""
    if unit_id is None:
        return [(seg_start, seg_end, False)]
    if status in DEVELOPER_STATUSES:
        return [(seg_start, seg_end, True)]
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
