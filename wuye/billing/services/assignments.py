"""Assigning fee standards in bulk, and changing a price from a date (调价).

Two rules hold for every change made here:

- one unit (or parking space) never has two current standards of the same fee item: an assignment
  of another standard of that item is ended the day before the new one starts (the row is kept, so
  the history stays);
- a period that has been billed is never re-priced: when bills of the item exist on or after the
  start date for a target that would change, nothing is changed (void them first, or pick a later
  date), because the next billing run would charge those days a second time.

``preview_*`` counts what would happen; ``do_*`` does it in one transaction with the fee item's row
locked (two bulk changes of one item run one after the other); ``start_*`` runs it at once or, above
``WUYE_BULK_ASSIGN_INLINE_LIMIT`` targets, as a Job.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from wuye.billing.choices import BillSourceChoices, BillStatusChoices, PricingMethodChoices
from wuye.billing.models import Bill, FeeAssignment, FeeItem, FeeStandard
from wuye.core import audit, jobs
from wuye.core.money import to_decimal
from wuye.core.scoping import user_scope

BATCH = 1000
#: one-off charges are not periods a standard prices: they never block a change
ONE_OFF_SOURCES = (BillSourceChoices.ADHOC, BillSourceChoices.REPAIR)
SPACE_METHODS = (PricingMethodChoices.FIXED_SPACE, PricingMethodChoices.METERED)


def inline_limit() -> int:
    return int(getattr(settings, "WUYE_BULK_ASSIGN_INLINE_LIMIT", 2000))


def _require(actor, project, *perms):
    if actor is None:
        return
    for perm in ("billing.manage_standards", *perms):
        if project.pk not in user_scope(actor, perm):
            raise PermissionDenied(_("You do not have permission for this."))


# -- selection ------------------------------------------------------------------------------------
@dataclass
class Selection:
    """Which targets a bulk assignment covers: units by building/usage/status, or a lot's spaces."""

    project: object
    building_id: int | None = None
    usage: str = ""
    statuses: tuple = ()
    lot_id: int | None = None

    @property
    def kind(self) -> str:
        return "space" if self.lot_id else "unit"

    @property
    def field(self) -> str:
        return "parking_space_id" if self.lot_id else "unit_id"

    def queryset(self):
        from wuye.estate.models import ParkingSpace, Unit

        if self.lot_id:
            return ParkingSpace.objects.filter(project=self.project, lot_id=self.lot_id)
        qs = Unit.objects.filter(project=self.project)
        if self.building_id:
            qs = qs.filter(building_id=self.building_id)
        if self.usage:
            qs = qs.filter(usage=self.usage)
        if self.statuses:
            qs = qs.filter(status__in=list(self.statuses))
        return qs

    def as_params(self) -> dict:
        return {
            "building_id": self.building_id,
            "usage": self.usage,
            "statuses": list(self.statuses),
            "lot_id": self.lot_id,
        }

    def describe(self) -> dict:
        return {k: v for k, v in self.as_params().items() if v}


def _check_standard(standard, selection: Selection, start: datetime.date):
    if start is None:
        raise ValidationError({"start_date": _("Enter the date from which the standard applies.")})
    if selection.project.pk != standard.project_id:
        raise ValidationError(_("The standard belongs to another project."))
    if start < standard.effective_from:
        raise ValidationError(
            {"start_date": _("The standard is in force from %(d)s only.") % {"d": standard.effective_from}}
        )
    if standard.effective_to and start > standard.effective_to:
        raise ValidationError(
            {"start_date": _("The standard ended on %(d)s.") % {"d": standard.effective_to}}
        )
    if selection.kind == "space" and standard.method not in SPACE_METHODS:
        raise ValidationError({"standard": _("Parking spaces take a fixed-per-space standard.")})
    if selection.kind == "unit" and standard.method == PricingMethodChoices.FIXED_SPACE:
        raise ValidationError(
            {"standard": _("A fixed-per-space standard applies to parking spaces, not units.")}
        )


@dataclass
class Plan:
    targets: int
    create: list  # target ids that get the new assignment
    end: list  # assignment ids ended the day before
    replaced: int  # targets where another standard of the item is ended
    unchanged: int  # targets that already have this standard
    conflicts: list  # target ids with an assignment of the item starting on or after the date
    billed: int  # targets that would change but have bills of the item on or after the date

    def counts(self) -> dict:
        return {
            "targets": self.targets,
            "new": len(self.create) - self.replaced,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "conflicts": len(self.conflicts),
            "billed": self.billed,
        }


def _plan(standard, selection: Selection, start: datetime.date) -> Plan:
    field = selection.field
    target_ids = list(selection.queryset().order_by("pk").values_list("pk", flat=True))
    current: dict[int, list] = {}
    rows = (
        FeeAssignment.objects.filter(
            standard__item_id=standard.item_id, **{f"{field}__in": selection.queryset()}
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .values_list("pk", field, "standard_id", "start_date")
    )
    for pk, target, standard_id, a_start in rows:
        current.setdefault(target, []).append((pk, standard_id, a_start))
    create, end, conflicts = [], [], []
    replaced = unchanged = 0
    for target in target_ids:
        rows = current.get(target, [])
        if any(sid == standard.pk and a_start <= start for _pk, sid, a_start in rows):
            unchanged += 1
            continue
        if any(a_start >= start for _pk, _sid, a_start in rows):
            conflicts.append(target)
            continue
        create.append(target)
        if rows:
            replaced += 1
            end.extend(pk for pk, _sid, _start in rows)
    billed = 0
    if create:
        billed_targets = set(
            Bill.objects.filter(
                project_id=standard.project_id, item_id=standard.item_id, period_end__gte=start
            )
            .exclude(status=BillStatusChoices.VOIDED)
            .exclude(source__in=ONE_OFF_SOURCES)
            .filter(**{f"{field}__in": selection.queryset()})
            .values_list(field, flat=True)
            .distinct()
        )
        billed = len(billed_targets.intersection(create))
    return Plan(len(target_ids), create, end, replaced, unchanged, conflicts, billed)


def preview_bulk_assignment(*, standard, selection: Selection, start_date: datetime.date) -> dict:
    """Counts of what ``do_bulk_assign`` would do: targets, new, replaced, unchanged, conflicts, billed."""
    _check_standard(standard, selection, start_date)
    return _plan(standard, selection, start_date).counts()


def do_bulk_assign(*, actor, standard, selection: Selection, start_date: datetime.date, ctx=None) -> dict:
    """Assign ``standard`` to every target of ``selection`` from ``start_date``.

    Targets that already have this standard are left alone; those with another standard of the same
    item get it ended the day before; targets with an assignment of the item starting on or after
    the date are skipped and counted as conflicts. Refused when billed periods would be re-priced.
    """
    _require(actor, selection.project, "billing.add_feeassignment")
    _check_standard(standard, selection, start_date)
    field = selection.field
    with transaction.atomic():
        FeeItem.objects.select_for_update(of=("self",)).filter(pk=standard.item_id).first()
        plan = _plan(standard, selection, start_date)
        if plan.billed:
            raise ValidationError(
                _(
                    "%(n)s of them already have bills of this item for periods on or after %(d)s: "
                    "void those bills first, or choose a later date."
                )
                % {"n": plan.billed, "d": start_date}
            )
        day_before = start_date - datetime.timedelta(days=1)
        for i in range(0, len(plan.end), BATCH):
            FeeAssignment.objects.filter(pk__in=plan.end[i : i + BATCH]).update(end_date=day_before)
        total = len(plan.create)
        for i in range(0, total, BATCH):
            FeeAssignment.objects.bulk_create(
                [
                    FeeAssignment(
                        project_id=standard.project_id,
                        standard=standard,
                        start_date=start_date,
                        created_by=actor,
                        **{field: target},
                    )
                    for target in plan.create[i : i + BATCH]
                ]
            )
            if ctx is not None:
                ctx.progress(min(i + BATCH, total), total, _("assigning"))
        result = {**plan.counts(), "created": total, "ended": len(plan.end)}
        audit.record(
            actor=actor,
            action="billing.assignment.bulk",
            obj=standard,
            message=_("From %(d)s: %(created)s assigned, %(ended)s ended")
            % {"d": start_date, "created": total, "ended": len(plan.end)},
            data={**result, "start_date": start_date.isoformat(), "selection": selection.describe()},
        )
    return result


def bulk_assign_job(ctx, *, standard_id, start_date, selection, actor_id=None):
    """Job body of ``start_bulk_assign``."""
    from django.contrib.auth import get_user_model

    standard = FeeStandard.objects.select_related("project").get(pk=standard_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return do_bulk_assign(
        actor=actor,
        standard=standard,
        selection=Selection(
            project=standard.project, **{**selection, "statuses": tuple(selection["statuses"])}
        ),
        start_date=datetime.date.fromisoformat(start_date),
        ctx=ctx,
    )


def start_bulk_assign(*, actor, standard, selection: Selection, start_date: datetime.date):
    """Run the bulk assignment now (returns its result dict) or, when large, as a Job (returns the Job)."""
    _require(actor, selection.project, "billing.add_feeassignment")
    counts = preview_bulk_assignment(standard=standard, selection=selection, start_date=start_date)
    if counts["targets"] <= inline_limit():
        return do_bulk_assign(actor=actor, standard=standard, selection=selection, start_date=start_date)
    return jobs.enqueue(
        bulk_assign_job,
        kind="billing.bulk_assign",
        name=_("Assign %(standard)s from %(d)s") % {"standard": standard.name, "d": start_date},
        actor=actor,
        project=selection.project,
        params={
            "standard_id": standard.pk,
            "start_date": start_date.isoformat(),
            "selection": selection.as_params(),
            "actor_id": getattr(actor, "pk", None),
        },
    )


# -- changing the price -----------------------------------------------------------------------------
COPIED_FIELDS = (
    "project_id",
    "item_id",
    "method",
    "tiers",
    "cycle",
    "due_day",
    "prorate",
    "late_fee_rule_id",
    "vacancy_rate",
    "vacancy_after_months",
    "prepay_months",
    "prepay_discount_rate",
)


def _current_assignments(old, start):
    return FeeAssignment.objects.filter(standard=old).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )


def _check_replace(old, start):
    if start is None:
        raise ValidationError({"effective_from": _("Enter the date from which the new price applies.")})
    if start <= old.effective_from:
        raise ValidationError(
            {
                "effective_from": _("The new price must start after %(d)s, when this standard started.")
                % {"d": old.effective_from}
            }
        )
    if old.effective_to and old.effective_to < start:
        raise ValidationError(
            {"effective_from": _("This standard already ended on %(d)s.") % {"d": old.effective_to}}
        )


def _billed_after(old, start) -> int:
    return (
        Bill.objects.filter(standard=old, period_end__gte=start)
        .exclude(status=BillStatusChoices.VOIDED)
        .count()
    )


def preview_replace_standard(*, old, effective_from: datetime.date) -> dict:
    """Counts for a price change: current assignments, how many end / move, bills in the way."""
    _check_replace(old, effective_from)
    current = _current_assignments(old, effective_from)
    moved = current.filter(start_date__gte=effective_from).count()
    total = current.count()
    return {
        "assignments": total,
        "ended": total - moved,
        "moved": moved,
        "billed": _billed_after(old, effective_from),
    }


def do_replace_standard(
    *, actor, old, effective_from: datetime.date, unit_price, name: str = "", ctx=None
) -> tuple[FeeStandard, dict]:
    """Change the price from ``effective_from``: a new standard (a copy of ``old`` with the new unit
    price) takes over every current assignment of ``old``, which ends the day before.

    Assignments that started before the date are ended and continued by a new one (same target,
    weight and end date); those starting on or after it are moved to the new standard. Refused when
    ``old`` has bills for periods on or after the date.
    """
    _require(actor, old.project, "billing.add_feestandard", "billing.add_feeassignment")
    _check_replace(old, effective_from)
    day_before = effective_from - datetime.timedelta(days=1)
    with transaction.atomic():
        FeeItem.objects.select_for_update(of=("self",)).filter(pk=old.item_id).first()
        old = FeeStandard.objects.select_for_update(of=("self",)).get(pk=old.pk)
        _check_replace(old, effective_from)
        billed = _billed_after(old, effective_from)
        if billed:
            raise ValidationError(
                _(
                    "%(n)s bills of this standard charge periods on or after %(d)s: void them first, "
                    "or choose a later date."
                )
                % {"n": billed, "d": effective_from}
            )
        new = FeeStandard(**{f: getattr(old, f) for f in COPIED_FIELDS})
        new.name = (name or f"{old.name} {effective_from:%Y-%m}")[:60]
        new.unit_price = to_decimal(unit_price)
        new.effective_from = effective_from
        new.effective_to = old.effective_to
        new.created_by = actor
        new.full_clean()
        new.save()
        old.effective_to = day_before
        old.save(update_fields=["effective_to", "updated_at"])
        current = _current_assignments(old, effective_from)
        moved = current.filter(start_date__gte=effective_from).update(standard=new)
        continuing = list(current.filter(start_date__lt=effective_from).order_by("pk"))
        total = len(continuing)
        for i in range(0, total, BATCH):
            chunk = continuing[i : i + BATCH]
            FeeAssignment.objects.bulk_create(
                [
                    FeeAssignment(
                        project_id=a.project_id,
                        standard=new,
                        unit_id=a.unit_id,
                        parking_space_id=a.parking_space_id,
                        start_date=effective_from,
                        end_date=a.end_date,
                        weight=a.weight,
                        created_by=actor,
                    )
                    for a in chunk
                ]
            )
            FeeAssignment.objects.filter(pk__in=[a.pk for a in chunk]).update(end_date=day_before)
            if ctx is not None:
                ctx.progress(min(i + BATCH, total), total, _("re-assigning"))
        result = {"standard": new.pk, "ended": total, "created": total, "moved": moved}
        message = _("%(old)s -> %(new)s from %(d)s (%(price)s)") % {
            "old": old.name,
            "new": new.name,
            "d": effective_from,
            "price": new.unit_price,
        }
        audit.record(actor=actor, action="billing.standard.replace", obj=old, message=message, data=result)
        audit.record(actor=actor, action="billing.standard.replaces", obj=new, message=message, data=result)
    return new, result


def replace_standard_job(ctx, *, old_id, effective_from, unit_price, name="", actor_id=None):
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    _new, result = do_replace_standard(
        actor=actor,
        old=FeeStandard.objects.select_related("project").get(pk=old_id),
        effective_from=datetime.date.fromisoformat(effective_from),
        unit_price=unit_price,
        name=name,
        ctx=ctx,
    )
    return result


def start_replace_standard(*, actor, old, effective_from, unit_price, name=""):
    """Change the price now (returns the new standard) or, with many assignments, as a Job."""
    _require(actor, old.project, "billing.add_feestandard", "billing.add_feeassignment")
    counts = preview_replace_standard(old=old, effective_from=effective_from)
    if counts["assignments"] <= inline_limit():
        new, _result = do_replace_standard(
            actor=actor, old=old, effective_from=effective_from, unit_price=unit_price, name=name
        )
        return new
    return jobs.enqueue(
        replace_standard_job,
        kind="billing.replace_standard",
        name=_("Change the price of %(standard)s from %(d)s") % {"standard": old.name, "d": effective_from},
        actor=actor,
        project=old.project,
        params={
            "old_id": old.pk,
            "effective_from": effective_from.isoformat(),
            "unit_price": str(unit_price),
            "name": name,
            "actor_id": getattr(actor, "pk", None),
        },
    )
