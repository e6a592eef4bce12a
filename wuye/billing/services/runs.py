"""Billing runs: one bill per unit (or space), item and period segment, never twice.

A run of 100,000 units writes 200,000 bills in one transaction and is meant to stay close to the
database's own write speed (``benchmarks/billing_run.py``: ratio <= 1.5 against a raw COPY or
executemany of the same rows into a table of the same shape). So it reads with a handful of
queries that fetch exactly the columns needed (standards, payers, the bill keys already taken in
the period, the assignments joined with their units), prices raw rows in one loop with
per-standard caches (no model instances, one Decimal product per distinct area), writes the rows as
tuples with COPY (PostgreSQL) or executemany (SQLite) through ``wuye.core.bulk.insert_tuples``, and
pauses the cyclic garbage collector meanwhile.

Existing bills are looked up first rather than left to ``ON CONFLICT DO NOTHING``: bill numbers are
gap-free, so a skipped line must not take a number (and COPY has no ON CONFLICT). The unique
constraint on (project, dedup_key) still stops a concurrent run from billing twice.
"""

from __future__ import annotations

import datetime
import operator
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import connections, router, transaction
from django.db.models import CharField, F, Max, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import RUN_METHODS, BillSourceChoices, PricingMethodChoices
from wuye.billing.models import Bill, BillingRun, FeeAssignment, FeeStandard
from wuye.billing.services.periods import cycle_bounds, month_start, months_fraction
from wuye.core import audit, jobs
from wuye.core.bulk import adapter, defaults, fetch_chunks, fetch_rows, gc_paused, insert_tuples
from wuye.core.money import FEN, fen
from wuye.core.numbering import format_number, next_block, register_kind
from wuye.estate.choices import DEVELOPER_STATUSES, UnitStatusChoices

register_kind("bill", "ZD")
register_kind("receipt", "SK")
register_kind("reversal", "CZ")

#: progress is reported about every 5% of the job: 10 steps while pricing, 10 while saving
PROGRESS_STEPS = 10


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

    def by_unit(self) -> dict:
        """unit id -> (person id, name) of ``resident_payer``, for lookups in a loop."""
        return {**self.owner, **self.tenant}


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
    with transaction.atomic(), gc_paused():
        run = BillingRun.objects.create(
            project=project,
            period=period,
            items=sorted({s.item.name for s in standards}),
            created_by=actor,
            job=ctx.job if ctx is not None else None,
        )
        rows, skipped, problems, by_item = _prepare(project, period, standards, run, ctx)
        numbers = next_block(project, "bill", len(rows), period.year)
        _save(rows, numbers, format_number("bill", period.year, 0)[:-6], ctx)
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


def _save(rows: list[tuple], numbers: range, prefix: str, ctx) -> None:
    """Write the priced rows with their numbers: one COPY/executemany, or ten when reporting progress."""
    count = len(rows)
    step = max(-(-count // PROGRESS_STEPS) if ctx is not None else count, 1)
    columns = [*BILL_COLUMNS, *defaults(Bill, [*BILL_COLUMNS, "number"])[0], "number"]
    for start in range(0, count, step):
        end = min(start + step, count)
        numbered = [(f"{prefix}{n:06d}",) for n in numbers[start:end]]
        insert_tuples(Bill, columns, map(operator.add, rows[start:end], numbered))
        if ctx is not None:
            ctx.progress(50 + end * 50 // count, 100, _("saving bills"))


class _Memo(dict):
    """A dict that computes and keeps missing values: ``memo[key]`` is one C-level lookup once filled."""

    def __init__(self, func):
        super().__init__()
        self.func = func

    def __missing__(self, key):
        value = self[key] = self.func(key)
        return value


def _to_date(value):
    """A raw date value: text (SQLite, see ``_raw_date``), a date (PostgreSQL) or None."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value[:10])


def _to_area(value):
    """A raw area value: a float (SQLite), a Decimal (PostgreSQL) or None; 2 places as stored."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)).quantize(Decimal("0.01"))


def _raw_date(name: str, vendor: str):
    """Select a date column; on SQLite as text, which skips Django's per-value ``parse_date``
    converter (the loop converts each distinct value once)."""
    return Cast(name, output_field=CharField()) if vendor == "sqlite" else F(name)


class _Std:
    """Per-standard values computed once per run, so the per-assignment loop stays lean."""

    def __init__(self, standard, period, out_date, head, tail):
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
        self.key_tail = f":i{self.item_id}:"
        if self.method == PricingMethodChoices.BUILDING_AREA:
            self.quantity_column = AREA
        elif self.method == PricingMethodChoices.INNER_AREA:
            self.quantity_column = INNER
        else:
            self.quantity_column = None
        self.sum_count = 0
        self.sum_amount = Decimal("0.00")
        if self.bounds is None:
            return
        p_start, p_end = self.bounds
        self.p_start, self.p_end = p_start, p_end
        # the segment of the cycle the standard is in effect (an assignment may shorten it)
        self.seg_start = max(p_start, self.effective_from)
        self.seg_end = min(p_end, self.effective_to) if self.effective_to else p_end
        self.due = p_start.replace(day=standard.due_day)
        self.due_out = out_date[self.due]
        self.p_start_out, self.p_end_out = out_date[p_start], out_date[p_end]
        self.full_description = f"{self.item_name} {p_start:%Y-%m}"
        self.whole_key = f"{self.key_tail}{p_start.isoformat()}"
        price, months = self.price, self.cycle_months
        # raw quantity value -> (quantity, amount) of a whole cycle at the standard price
        self.whole = _Memo(lambda raw: _whole(_to_area(raw), price, months))
        # the constant part of a whole-cycle row (see BILL_COLUMNS)
        self.whole_tail = (
            self.id,
            self.item_id,
            self.p_start_out,
            self.p_end_out,
            self.due_out,
            self.price,
            self.full_months_dec,
            self.tax_rate,
            self.full_description,
            self.full_calc,
            self.due_out,
            *head,
        ) + tail


def _whole(quantity, price, months):
    if quantity is None:
        return None
    return quantity, (quantity * price * months).quantize(FEN, ROUND_HALF_UP)


#: positions in the assignment rows of ``_prepare``
AREA, INNER = 4, 5


def _prepare(project, period, standards, run, ctx):
    """Price every assignment of the period into bill rows (tuples in BILL_COLUMNS order)."""
    vendor = connections[router.db_for_write(Bill)].vendor
    payers = _Payers(project)
    need_vacancy = any(s.vacancy_rate is not None for s in standards)
    vacated = _vacant_since(project) if need_vacancy else {}
    existing = set(
        Bill.objects.filter(
            project=project, period_start__gte=period, period_start__lt=period + datetime.timedelta(days=366)
        )
        .exclude(dedup_key="")
        .order_by()
        .values_list("dedup_key", flat=True)
    )
    rows, skipped, problems = [], 0, []
    out_date = _Memo(adapter(Bill, "due_date"))
    project_id, run_id, actor_id = project.pk, run.pk, run.created_by_id
    source = BillSourceChoices.RUN.value
    # constant columns of every row: BILL_COLUMNS[-4:], then the model defaults
    head = (project_id, run_id, source, actor_id)
    _names, tail = defaults(Bill, [*BILL_COLUMNS, "number"])
    stds = {s.pk: _Std(s, period, out_date, head, tail) for s in standards}
    billable = [pk for pk, std in stds.items() if std.bounds is not None]
    assignments = (
        FeeAssignment.objects.filter(standard_id__in=billable)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period))
        .order_by("pk")
        .values_list(
            "standard_id",
            "unit_id",
            "parking_space_id",
            _raw_date("start_date", vendor),
            "unit__building_area",  # AREA
            "unit__inner_area",  # INNER
            _raw_date("end_date", vendor),
            "unit__status",
            _raw_date("unit__delivery_date", vendor),
            "unit__vacancy_registered",
            "parking_space__unit_id",  # a space's linked unit: its bills go to that unit's payer
        )
    )
    if ctx is not None:
        total = assignments.count()
        chunk_size = max(-(-total // PROGRESS_STEPS), 1000)
    else:
        total, chunk_size = 0, 10000
    developer = payers.developer_payer()
    payer_of = payers.by_unit()
    nobody = (None, "")
    dates = _Memo(_to_date)
    areas = _Memo(_to_area)
    developer_statuses = frozenset(DEVELOPER_STATUSES)
    vacant = UnitStatusChoices.VACANT.value
    one = Decimal("1")
    append = rows.append
    done = 0
    for chunk in fetch_chunks(assignments, chunk_size):
        if ctx is not None:
            ctx.progress(done * 50 // max(total, 1), 100, _("pricing"))
            done += len(chunk)
        for row in chunk:
            (
                standard_id,
                unit_id,
                space_id,
                a_start,
                _area,
                _inner,
                a_end,
                status,
                delivered,
                registered,
                space_unit_id,
            ) = row
            std = stds[standard_id]
            # the segment billed: the standard's, shortened by the assignment's dates
            seg_start = std.seg_start
            if a_start is not None:
                a_start = dates[a_start]
                if a_start > seg_start:
                    seg_start = a_start
            seg_end = std.seg_end
            if a_end is not None:
                a_end = dates[a_end]
                if a_end < seg_end:
                    seg_end = a_end
            if seg_start > seg_end:
                continue
            column = std.quantity_column
            if unit_id is not None:
                target = f"u{unit_id}"
                if delivered is not None:
                    delivered = dates[delivered]
                vacancy = std.vacancy_rate is not None and status == vacant and registered
                if (
                    status not in developer_statuses
                    and (delivered is None or delivered <= seg_start)
                    and not vacancy
                    and seg_start == std.p_start
                    and seg_end == std.p_end
                ):
                    # the common case: a whole cycle at the standard price, paid by the resident
                    priced = std.whole[one if column is None else row[column]]
                    if priced is None:
                        problems.append((unit_id, space_id, std.item_name))
                        continue
                    key = target + std.whole_key
                    if key in existing:
                        skipped += 1
                        continue
                    existing.add(key)
                    quantity, amount = priced
                    payer_id, payer_name = payer_of.get(unit_id, nobody)
                    append((unit_id, space_id, payer_id, payer_name, quantity, amount, key) + std.whole_tail)
                    std.sum_count += 1
                    std.sum_amount += amount
                    continue
                if status in developer_statuses:
                    segments = ((seg_start, seg_end, True),)
                else:
                    segments = _segments(seg_start, seg_end, unit_id, status, delivered)
            else:
                target = f"s{space_id}"
                segments = ((seg_start, seg_end, False),)
                # a space linked to a unit is billed on that unit (its cashier desk, statement and
                # payer); a space with no unit keeps its bill on the space alone
                unit_id = space_unit_id
            quantity = one if column is None else areas[row[column]]
            if quantity is None:
                problems.append((unit_id, space_id, std.item_name))
                continue
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
                    and registered
                ):
                    since = max(d for d in (delivered, vacated.get(unit_id), datetime.date.min) if d)
                    if _months_between(since, s_start) >= std.vacancy_after:
                        factor = std.vacancy_rate
                payer_id, payer_name = developer if is_developer else payer_of.get(unit_id, nobody)
                whole = s_start == std.p_start and s_end == std.p_end
                if whole and factor is None and not is_developer:
                    months, calc, description = std.full_months, std.full_calc, std.full_description
                else:
                    if not std.prorate or whole:
                        months = std.full_months
                    else:
                        months = months_fraction(s_start, s_end, std.p_start, std.p_end, std.cycle_months)
                    calc = _calc_json(std.item_name, std.method, months, factor, is_developer)
                    description = f"{std.item_name} {s_start:%Y-%m}"
                amount = fen(_exact_amount(quantity, std.price, months, factor))
                due = out_date[std.due if std.due >= s_start else s_start]
                append(
                    (
                        unit_id,
                        space_id,
                        payer_id,
                        payer_name,
                        quantity,
                        amount,
                        key,
                        std.id,
                        std.item_id,
                        out_date[s_start],
                        out_date[s_end],
                        due,
                        std.price,
                        _months_decimal(months),
                        std.tax_rate,
                        description,
                        calc,
                        due,
                        *head,
                    )
                    + tail
                )
                std.sum_count += 1
                std.sum_amount += amount
    sums = defaultdict(lambda: [0, Decimal("0.00")])
    for std in stds.values():
        if std.sum_count:
            sums[std.item_name][0] += std.sum_count
            sums[std.item_name][1] += std.sum_amount
    return rows, skipped, _problems(problems), sums


def _problems(found: list[tuple]) -> list[dict]:
    """Name the units and spaces that could not be priced (looked up once, at the end)."""
    if not found:
        return []
    from wuye.estate.models import ParkingSpace, Unit

    units = dict(Unit.objects.filter(pk__in={u for u, _s, _i in found if u}).values_list("pk", "code"))
    spaces = dict(
        ParkingSpace.objects.filter(pk__in={s for _u, s, _i in found if s}).values_list("pk", "code")
    )
    return [
        {"target": spaces.get(s) if s else units.get(u), "item": item, "problem": "no inner area"}
        for u, s, item in found
    ]


#: the columns of a priced row: what varies per bill first, then what a standard fixes, then what
#: the run fixes, then the model defaults (``wuye.core.bulk.defaults``); the number is added last
BILL_COLUMNS = [
    "unit_id",
    "parking_space_id",
    "payer_id",
    "payer_name",
    "quantity",
    "amount",
    "dedup_key",
    "standard_id",
    "item_id",
    "period_start",
    "period_end",
    "due_date",
    "unit_price",
    "months",
    "tax_rate",
    "description",
    "calc",
    "limitation_start",
    "project_id",
    "run_id",
    "source",
    "created_by_id",
]


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
