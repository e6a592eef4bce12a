"""Meter readings: entry, and bills from confirmed readings (metered with tiers, shared 公摊).

Household meter: one bill for the meter's unit, amount = sum over the standard's tiers of (usage in
the tier x tier price), or usage x unit price without tiers, rounded once to the fen.

Public meter: the cost (the tiered amount of the meter's usage, rounded to the fen) is split among
the units in scope by area, by household or by custom weights. Each unit's exact share is rounded
down to the fen and the remaining fen go to the largest remainders (ties: the unit order), so the
lines add up exactly to the cost. Units in scope: the shared standard's assignments active in the
period, in the meter's building if it has one; without assignments, the units of that building.

Every bill's ``dedup_key`` is ``m<reading>:u<unit>`` (``m<reading>.<revision>`` after a reopen), so
billing a period again creates nothing twice. Readings are billed in one transaction.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import BillSourceChoices, PricingMethodChoices
from wuye.billing.models import Bill, BillingRun, FeeAssignment
from wuye.billing.models.meters import (
    USAGE_PLACES,
    Meter,
    MeterReading,
    MeterReadingStatusChoices,
    reading_contexts,
)
from wuye.billing.services.periods import add_months
from wuye.core import audit, jobs
from wuye.core.money import FEN, ZERO, fen
from wuye.core.numbering import format_number, next_block
from wuye.estate.choices import DEVELOPER_STATUSES

PRICE_PLACES = Decimal("0.0001")
#: above this many readings the screen runs the billing as a background job
INLINE_LIMIT = 300


# -- pricing ---------------------------------------------------------------------------------------
def tier_lines(usage: Decimal, unit_price: Decimal, tiers) -> tuple[Decimal, list[dict]]:
    """The exact (unrounded) amount for ``usage`` and one line per tier used.

    ``tiers`` as stored by ``normalize_tiers``: ascending ``up_to`` limits, the last one open.
    Without tiers the whole usage is priced at ``unit_price``.
    """
    usage = Decimal(usage)
    if not tiers:
        exact = usage * unit_price
        return exact, [{"from": "0", "to": None, "quantity": str(usage), "price": str(unit_price)}]
    exact = Decimal(0)
    lines = []
    lower = Decimal(0)
    for tier in tiers:
        upper = None if tier.get("up_to") in (None, "") else Decimal(str(tier["up_to"]))
        price = Decimal(str(tier["price"]))
        top = usage if upper is None else min(usage, upper)
        quantity = max(top - lower, Decimal(0))
        if quantity > 0:
            exact += quantity * price
            lines.append(
                {
                    "from": str(lower),
                    "to": None if upper is None else str(upper),
                    "quantity": str(quantity),
                    "price": str(price),
                    "amount": str(fen(quantity * price)),
                }
            )
        if upper is None or usage <= upper:
            break
        lower = upper
    return exact, lines


def metered_amount(usage: Decimal, unit_price: Decimal, tiers=None) -> Decimal:
    """The bill amount for ``usage``: the tiered total rounded once, half-up, to the fen."""
    return fen(tier_lines(usage, unit_price, tiers)[0])


def split_amount(
    total: Decimal, weights: list[tuple[object, Decimal]]
) -> list[tuple[object, Fraction, Decimal]]:
    """Split ``total`` (in fen) by ``weights`` with the largest-remainder method.

    Returns ``(key, exact share in yuan as a Fraction, amount)`` in the order given; the amounts are
    whole fen, each within one fen of the exact share, and add up exactly to ``total``. Remainder
    ties go to the earlier entry, so the result does not depend on anything but the input order.
    """
    total = fen(total)
    if total < 0:
        raise ValueError("cannot split a negative amount")
    weight_sum = sum((Fraction(w) for _k, w in weights), Fraction(0))
    if not weights or weight_sum <= 0 or any(w < 0 for _k, w in weights):
        raise ValueError("weights must be non-negative with a positive sum")
    total_fen = int(total * 100)
    exact = [Fraction(total_fen) * Fraction(w) / weight_sum for _k, w in weights]
    floors = [int(e) for e in exact]  # exact shares are >= 0, so int() is the floor
    residue = total_fen - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:residue]:
        floors[i] += 1
    return [(key, exact[i] / 100, Decimal(floors[i]) / 100) for i, (key, _w) in enumerate(weights)]


def _dec(value: Fraction, places: Decimal) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places)


# -- planning --------------------------------------------------------------------------------------
@dataclass
class Line:
    """One bill to create."""

    unit_id: int
    unit_code: str
    unit_status: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    calc: dict
    key: str


@dataclass
class ReadingPlan:
    reading: MeterReading
    cost: Decimal = ZERO
    lines: list[Line] = field(default_factory=list)
    problem: str = ""
    already: int = 0  # lines billed before (their dedup key exists)


@dataclass
class MeterPlan:
    period: datetime.date
    readings: list[ReadingPlan] = field(default_factory=list)
    drafts: int = 0

    @property
    def billable(self) -> list[ReadingPlan]:
        return [r for r in self.readings if not r.problem]

    @property
    def problems(self) -> list[ReadingPlan]:
        return [r for r in self.readings if r.problem]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for r in self.billable for line in r.lines), ZERO)

    @property
    def line_count(self) -> int:
        return sum(len(r.lines) for r in self.billable)


def period_end(period: datetime.date) -> datetime.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def due_date_for(standard, period: datetime.date) -> datetime.date:
    """Readings of a month are taken at its end and billed in the next month: due on the due day."""
    return add_months(period, 1).replace(day=standard.due_day)


def period_readings(project, period, building=None, status=MeterReadingStatusChoices.CONFIRMED):
    qs = MeterReading.objects.filter(project=project, period=period, status=status)
    if building is not None:
        qs = qs.filter(meter__building=building)
    return qs


def plan_meter_billing(project, period: datetime.date, *, building=None, readings=None) -> MeterPlan:
    """What billing the confirmed readings of ``period`` would create (reads only)."""
    period = period.replace(day=1)
    if readings is None:
        readings = (
            period_readings(project, period, building)
            .select_related("meter__standard__item", "meter__unit", "meter__building")
            .order_by("meter__number")
        )
    plan = MeterPlan(period=period)
    plan.drafts = period_readings(project, period, building, MeterReadingStatusChoices.DRAFT).count()
    readings = list(readings)
    scopes = _SharedScopes(project, period)
    keys = set()
    for reading in readings:
        plan.readings.append(_plan_reading(reading, period, scopes))
    for rp in plan.readings:
        keys.update(line.key for line in rp.lines)
    existing = set(
        Bill.objects.filter(project=project, dedup_key__in=sorted(keys)).values_list("dedup_key", flat=True)
    )
    for rp in plan.readings:
        kept = [line for line in rp.lines if line.key not in existing]
        rp.already = len(rp.lines) - len(kept)
        rp.lines = kept
    return plan


def _standard_problem(meter, period) -> str:
    standard = meter.standard
    if standard is None:
        return _("Meter %(meter)s has no fee standard.") % {"meter": meter.number}
    if standard.effective_from > period_end(period) or (
        standard.effective_to is not None and standard.effective_to < period
    ):
        return _("The fee standard %(standard)s is not in effect in %(period)s.") % {
            "standard": standard,
            "period": f"{period:%Y-%m}",
        }
    return ""


def _plan_reading(reading, period, scopes) -> ReadingPlan:
    meter = reading.meter
    rp = ReadingPlan(reading=reading)
    rp.problem = _standard_problem(meter, period)
    if rp.problem:
        return rp
    standard = meter.standard
    usage = reading.usage
    exact, tiers = tier_lines(usage, standard.unit_price, standard.tiers)
    rp.cost = fen(exact)
    price = standard.unit_price if not standard.tiers or not usage else (exact / usage).quantize(PRICE_PLACES)
    base_calc = {
        "item": standard.item.name,
        "method": standard.method,
        "meter": meter.number,
        "reading": reading.pk,
        "previous": str(reading.previous_value),
        "value": str(reading.value),
        "multiplier": str(meter.multiplier),
        "usage": str(usage),
        "tiers": tiers,
        "exact": str(exact),
    }
    if reading.is_rollover:
        base_calc["rollover_at"] = str(meter.rollover_at)
    if reading.is_replacement:
        base_calc["old_final"] = str(reading.old_final_value)
        base_calc["new_start"] = str(reading.new_start_value)
    if rp.cost <= 0:
        return rp  # nothing to charge; the reading is still marked billed
    prefix = reading.dedup_prefix
    if not meter.is_public:
        unit = meter.unit
        rp.lines.append(
            Line(
                unit_id=unit.pk,
                unit_code=unit.code,
                unit_status=unit.status,
                quantity=usage,
                unit_price=price,
                amount=rp.cost,
                calc={**base_calc, "amount": str(rp.cost)},
                key=f"{prefix}:u{unit.pk}",
            )
        )
        return rp
    units, problem = scopes.units(meter, standard)
    if problem:
        rp.problem = problem
        return rp
    weight_sum = sum((w for _u, w in units), Decimal(0))
    shares = split_amount(rp.cost, [(u, w) for u, w in units])
    for (unit, weight), (_u, exact_share, amount) in zip(units, shares, strict=True):
        if amount <= 0:
            continue
        quantity = (usage * weight / weight_sum).quantize(USAGE_PLACES)
        rp.lines.append(
            Line(
                unit_id=unit.pk,
                unit_code=unit.code,
                unit_status=unit.status,
                quantity=quantity,
                unit_price=price,
                amount=amount,
                calc={
                    **base_calc,
                    "cost": str(rp.cost),
                    "weight": str(weight),
                    "weight_total": str(weight_sum),
                    "units": len(units),
                    "share_exact": str(_dec(exact_share, Decimal("0.000001"))),
                    "residue": str(amount - fen(Decimal(exact_share.numerator) / exact_share.denominator)),
                    "amount": str(amount),
                },
                key=f"{prefix}:u{unit.pk}",
            )
        )
    return rp


class _SharedScopes:
    """The units a shared standard's cost is split among, loaded once per standard and building."""

    def __init__(self, project, period):
        self.project = project
        self.period = period
        self.cache: dict = {}

    def units(self, meter, standard):
        key = (standard.pk, meter.building_id)
        if key not in self.cache:
            self.cache[key] = self._load(meter, standard)
        return self.cache[key]

    def _load(self, meter, standard):
        from wuye.estate.models import Unit

        start, end = self.period, period_end(self.period)
        assignments = (
            FeeAssignment.objects.filter(standard=standard, unit__isnull=False, start_date__lte=end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
            .select_related("unit")
            .order_by("unit__sort_code", "unit_id", "-start_date")
        )
        if meter.building_id:
            assignments = assignments.filter(unit__building_id=meter.building_id)
        by_unit = {}
        for a in assignments:
            by_unit.setdefault(a.unit_id, a)
        method = standard.method
        if by_unit:
            pairs = []
            for a in by_unit.values():
                if method == PricingMethodChoices.SHARED_WEIGHT:
                    if a.weight is None:
                        return [], _("Unit %(unit)s has no weight in its assignment to %(standard)s.") % {
                            "unit": a.unit.code,
                            "standard": standard,
                        }
                    weight = a.weight
                elif method == PricingMethodChoices.SHARED_AREA:
                    weight = a.unit.building_area
                else:
                    weight = Decimal(1)
                pairs.append((a.unit, weight))
        elif method == PricingMethodChoices.SHARED_WEIGHT:
            return [], _("Splitting by weights needs the standard %(standard)s assigned with weights.") % {
                "standard": standard
            }
        elif meter.building_id:
            units = Unit.objects.filter(building_id=meter.building_id).order_by("sort_code", "pk")
            pairs = [
                (u, u.building_area if method == PricingMethodChoices.SHARED_AREA else Decimal(1))
                for u in units
            ]
        else:
            return [], _(
                "Public meter %(meter)s has no building and %(standard)s is assigned to no unit: "
                "there is nobody to share the cost with."
            ) % {"meter": meter.number, "standard": standard}
        pairs = [(u, w) for u, w in pairs if w > 0]
        if not pairs:
            return [], _("There are no units to share meter %(meter)s among.") % {"meter": meter.number}
        return pairs, ""


# -- billing ---------------------------------------------------------------------------------------
BILL_FIELDS = (
    "project_id",
    "unit_id",
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
    "source_ref",
    "dedup_key",
    "limitation_start",
    "created_by_id",
)


def bill_meter_readings(*, actor, project, period: datetime.date, building=None, ctx=None) -> BillingRun:
    """Bill the confirmed readings of ``project`` for ``period`` (optionally one building's meters).

    One transaction: bills are created, the readings marked billed, one audit row per reading and
    one for the run. Readings with a problem (no standard, nobody to share with) stay confirmed and
    are listed in the run's summary. Re-running creates nothing twice.
    """
    from wuye.billing.services.runs import _Payers

    period = period.replace(day=1)
    with transaction.atomic():
        locked = list(
            period_readings(project, period, building)
            .select_for_update(of=("self",))
            .select_related("project", "meter__standard__item", "meter__unit", "meter__building")
            .order_by("meter__number")
        )
        if ctx is not None:
            ctx.progress(10, 100, _("pricing"))
        plan = plan_meter_billing(project, period, building=building, readings=locked)
        run = BillingRun.objects.create(
            project=project,
            period=period,
            items=sorted({rp.reading.meter.standard.item.name for rp in plan.billable}),
            created_by=actor,
            job=ctx.job if ctx is not None else None,
        )
        payers = _Payers(project)
        lines = [(rp, line) for rp in plan.billable for line in rp.lines]
        numbers = next_block(project, "bill", len(lines), period.year)
        prefix = format_number("bill", period.year, 0)[:-6]
        end = period_end(period)
        bills = []
        for (rp, line), value in zip(lines, numbers, strict=True):
            meter = rp.reading.meter
            standard = meter.standard
            due = due_date_for(standard, period)
            if line.unit_status in DEVELOPER_STATUSES:
                payer_id, payer_name = payers.developer_payer()
            else:
                payer_id, payer_name = payers.resident_payer(line.unit_id)
            bills.append(
                Bill(
                    project=project,
                    number=f"{prefix}{value:06d}",
                    unit_id=line.unit_id,
                    payer_id=payer_id,
                    payer_name=payer_name or "",
                    item=standard.item,
                    standard=standard,
                    run=run,
                    period_start=period,
                    period_end=end,
                    due_date=due,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    months=Decimal("1"),
                    amount=line.amount,
                    tax_rate=standard.item.tax_rate,
                    description=_describe(standard.item.name, period, meter, rp.reading)[:200],
                    calc=line.calc,
                    source=BillSourceChoices.METER,
                    source_ref=f"meterreading:{rp.reading.pk}",
                    dedup_key=line.key,
                    limitation_start=due,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
            )
        Bill.objects.bulk_create(bills, batch_size=500)
        if ctx is not None:
            ctx.progress(70, 100, _("saving bills"))
        by_key = dict(
            Bill.objects.filter(project=project, dedup_key__in=[b.dedup_key for b in bills]).values_list(
                "dedup_key", "pk"
            )
        )
        through = MeterReading.bills.through
        links = []
        by_item: dict[str, list] = {}
        for rp in plan.billable:
            reading = rp.reading
            ids = [by_key[line.key] for line in rp.lines]
            links.extend(through(meterreading_id=reading.pk, bill_id=bill_id) for bill_id in ids)
            amount = sum((line.amount for line in rp.lines), ZERO)
            name = reading.meter.standard.item.name
            count, total = by_item.get(name, (0, ZERO))
            by_item[name] = (count + len(rp.lines), total + amount)
            MeterReading.machine.apply(
                reading, "bill", actor=actor, note=run_label(run), data={"run": run.pk, "bills": len(ids)}
            )
            audit.record(
                actor=actor,
                action="billing.bill.meter",
                obj=reading,
                amount=amount,
                message=_("%(n)s bills, usage %(usage)s") % {"n": len(ids), "usage": reading.usage},
                data={"run": run.pk, "cost": str(rp.cost), "already_billed": rp.already},
            )
        through.objects.bulk_create(links, batch_size=1000)
        total = sum((b.amount for b in bills), ZERO)
        problems = [
            {"target": rp.reading.meter.number, "item": "", "problem": rp.problem} for rp in plan.problems
        ]
        run.created_count = len(bills)
        run.skipped_count = sum(rp.already for rp in plan.readings)
        run.total_amount = total
        run.summary = {
            "source": "meter",
            "building": getattr(building, "pk", None),
            "readings": len(plan.billable),
            "drafts_left": plan.drafts,
            "by_item": {n: {"count": c, "amount": str(a)} for n, (c, a) in sorted(by_item.items())},
            "problems": problems[:200],
            "problem_count": len(problems),
        }
        run.finished_at = timezone.now()
        run.save()
        audit.record(
            actor=actor,
            action="billing.run.meter",
            obj=run,
            project=project,
            amount=total,
            message=f"{period:%Y-%m}: {len(bills)} bills from {len(plan.billable)} readings",
        )
    return run


def run_label(run) -> str:
    return _("Billing run %(period)s") % {"period": f"{run.period:%Y-%m}"}


def _describe(item_name, period, meter, reading) -> str:
    if meter.is_public:
        return _("%(item)s %(period)s shared from meter %(meter)s") % {
            "item": item_name,
            "period": f"{period:%Y-%m}",
            "meter": meter.number,
        }
    return _("%(item)s %(period)s meter %(meter)s: %(prev)s → %(value)s") % {
        "item": item_name,
        "period": f"{period:%Y-%m}",
        "meter": meter.number,
        "prev": reading.previous_value,
        "value": reading.value,
    }


def bill_meter_readings_job(ctx, *, project_id, period, building_id=None, actor_id=None):
    """Job body for ``jobs.enqueue``: the summary shown on the job page."""
    from django.contrib.auth import get_user_model

    from wuye.billing.services.periods import parse_period
    from wuye.estate.models import Building, Project

    project = Project.objects.get(pk=project_id)
    building = Building.objects.filter(pk=building_id).first() if building_id else None
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    run = bill_meter_readings(
        actor=actor, project=project, period=parse_period(period), building=building, ctx=ctx
    )
    return {
        "created": run.created_count,
        "skipped": run.skipped_count,
        "total": str(run.total_amount),
        "problems": run.summary["problem_count"],
    }


def enqueue_meter_billing(*, actor, project, period: datetime.date, building=None):
    return jobs.enqueue(
        bill_meter_readings_job,
        kind="billing.meter",
        name=_("Bill meter readings %(project)s %(period)s")
        % {"project": project.name, "period": f"{period:%Y-%m}"},
        actor=actor,
        project=project,
        params={
            "project_id": project.pk,
            "period": f"{period:%Y-%m}",
            "building_id": getattr(building, "pk", None),
            "actor_id": getattr(actor, "pk", None),
        },
    )


# -- entry -----------------------------------------------------------------------------------------
@dataclass
class GridRow:
    """One meter's row on the entry grid."""

    meter: Meter
    reading: MeterReading | None
    previous: Decimal
    average: Decimal | None
    later: datetime.date | None
    value: str = ""
    is_rollover: bool = False
    note: str = ""
    error: str = ""
    saved: bool = False

    @property
    def locked(self) -> bool:
        return self.reading is not None and self.reading.status == MeterReadingStatusChoices.BILLED

    @property
    def readonly(self) -> bool:
        return self.locked or self.later is not None


def grid_meters(meters_qs, building):
    """The active meters of a building (its units' household meters, then its public meters)."""
    return list(
        meters_qs.filter(building=building, is_active=True)
        .select_related("unit", "standard")
        .order_by("is_public", "unit__sort_code", "number")
    )


def grid_rows(meters, period: datetime.date) -> list[GridRow]:
    """Rows with the previous value, recent average and this period's reading (three queries)."""
    contexts = reading_contexts(meters, period)
    current = {
        r.meter_id: r for r in MeterReading.objects.filter(meter__in=[m.pk for m in meters], period=period)
    }
    rows = []
    for meter in meters:
        ctx = contexts[meter.pk]
        reading = current.get(meter.pk)
        rows.append(
            GridRow(
                meter=meter,
                reading=reading,
                previous=ctx.previous,
                average=ctx.average,
                later=ctx.later_period,
                value="" if reading is None else str(reading.value),
                is_rollover=bool(reading and reading.is_rollover),
                note=reading.note if reading else "",
            )
        )
    return rows


def save_grid(
    *, actor, rows: list[GridRow], period: datetime.date, reading_date, confirm=False
) -> tuple[int, int]:
    """Save the rows whose value was entered; each row is validated on its own (``full_clean``).

    A row with a problem keeps its input and gets ``error``; the others are saved. With ``confirm``
    the saved readings are confirmed as well. Returns (saved, failed).
    """
    saved = failed = 0
    contexts = reading_contexts([r.meter for r in rows], period)
    for row in rows:
        if row.readonly or not row.value.strip():
            continue
        reading = row.reading or MeterReading(
            project_id=row.meter.project_id, meter=row.meter, period=period, created_by=actor
        )
        unchanged = (
            row.reading is not None
            and str(row.reading.value) == _normal(row.value)
            and row.reading.is_rollover == row.is_rollover
            and row.reading.note == row.note
        )
        if unchanged and not (confirm and reading.status == MeterReadingStatusChoices.DRAFT):
            continue
        try:
            with transaction.atomic():
                if not unchanged:
                    try:
                        reading.value = Decimal(_normal(row.value))
                    except ArithmeticError:
                        raise ValidationError({"value": _("Enter a number.")}) from None
                    reading.is_rollover = row.is_rollover
                    reading.note = row.note[:200]
                    reading.reading_date = reading_date
                    reading.meter = row.meter
                    reading._context = contexts[row.meter.pk]
                    reading.full_clean()
                    reading.save()
                if confirm and reading.status == MeterReadingStatusChoices.DRAFT:
                    MeterReading.machine.apply(reading, "confirm", actor=actor)
        except ValidationError as exc:
            row.error = " ".join(exc.messages)
            failed += 1
            continue
        row.reading = reading
        row.saved = True
        row.value = str(reading.value)
        saved += 1
    return saved, failed


def _normal(text: str) -> str:
    text = (text or "").strip().replace(",", "").replace("，", "")
    try:
        return str(Decimal(text).quantize(FEN))
    except ArithmeticError:
        return text


def confirm_readings(*, actor, readings) -> int:
    """Confirm draft readings (each transition is recorded)."""
    count = 0
    with transaction.atomic():
        for reading in readings:
            if reading.status == MeterReadingStatusChoices.DRAFT:
                MeterReading.machine.apply(reading, "confirm", actor=actor)
                count += 1
    return count


def reopen_reading(*, actor, reading) -> MeterReading:
    """A billed reading whose bills were all voided goes back to draft to be corrected and re-billed."""
    with transaction.atomic():
        reading = MeterReading.objects.select_for_update(of=("self",)).get(pk=reading.pk)
        MeterReading.machine.apply(reading, "reopen", actor=actor)
        reading.revision += 1
        reading.save(update_fields=["revision", "updated_at"])
        audit.record(actor=actor, action="billing.meterreading.reopen", obj=reading)
    return reading
