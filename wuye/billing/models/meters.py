"""Meters (水表/电表/燃气表) and their monthly readings (抄表), billed as metered or shared (公摊) bills.

A reading's usage is ``(value - previous value) x multiplier``; a rollover (the register passed
10^digits and restarted at 0) adds 10^digits, a replacement adds the old meter's last stretch
(``old_final_value - previous``) to the new meter's (``value - new_start_value``). A reading lower
than the previous one is refused unless it is marked as one of those two.

Readings are kept in period order per meter: a reading can be added or changed only while no later
reading of the meter exists, so every stored ``previous_value`` is the value of the reading before.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from wuye.billing.choices import METER_METHODS, PricingMethodChoices
from wuye.core.models import ProjectScopedModel
from wuye.core.states import StateMachine, Transition
from wuye.estate.models import FieldUniqueErrorsMixin

USAGE_PLACES = Decimal("0.0001")
#: a usage above this multiple of the recent average is flagged as abnormal
HIGH_USAGE_FACTOR = Decimal("3")
#: how many earlier periods the average usage is taken over
AVERAGE_PERIODS = 3


class MeterKindChoices(models.TextChoices):
    WATER = "water", _("Water")
    ELECTRICITY = "electricity", _("Electricity")
    GAS = "gas", _("Gas")
    OTHER = "other", _("Other")


METER_KIND_UNITS = {"water": "m³", "electricity": "kWh", "gas": "m³", "other": ""}


class MeterReadingStatusChoices(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    BILLED = "billed", _("Billed")


READING_STATUS_COLORS = {"draft": "yellow", "confirmed": "blue", "billed": "green"}


class UsageFlagChoices(models.TextChoices):
    NORMAL = "", _("Normal")
    ZERO = "zero", _("No usage")
    HIGH = "high", _("Unusually high")


SHARED_METHODS = METER_METHODS - {PricingMethodChoices.METERED}


class Meter(FieldUniqueErrorsMixin, ProjectScopedModel):
    """A meter: a household meter of one unit, or a public meter whose cost is shared (公摊)."""

    kind = models.CharField(
        _("kind"), max_length=12, choices=MeterKindChoices.choices, default=MeterKindChoices.WATER
    )
    number = models.CharField(_("meter number"), max_length=40, help_text=_("Unique in the project."))
    is_public = models.BooleanField(
        _("public meter"),
        default=False,
        help_text=_("A public meter (corridor lights, lifts, pumps) has no unit: its cost is shared."),
    )
    unit = models.ForeignKey(
        "estate.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meters",
        help_text=_("The unit a household meter measures; empty for a public meter."),
    )
    building = models.ForeignKey(
        "estate.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meters",
        help_text=_("Taken from the unit for household meters; a public meter's cost is shared in it."),
    )
    standard = models.ForeignKey(
        "billing.FeeStandard",
        verbose_name=_("fee standard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meters",
        help_text=_("Metered standard for a household meter, a shared (公摊) standard for a public one."),
    )
    multiplier = models.DecimalField(
        _("multiplier"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("倍率: usage = difference of readings x multiplier (e.g. 40 for a CT meter)."),
    )
    digits = models.PositiveSmallIntegerField(
        _("digits"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(11)],
        help_text=_("Whole-number digits of the register; it rolls over to 0 at 10^digits."),
    )
    initial_value = models.DecimalField(
        _("initial reading"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text=_("The register when the meter was installed (the previous value of its first reading)."),
    )
    location = models.CharField(_("location"), max_length=100, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        ordering = ["project_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="billing_meter_unique_number"),
            models.CheckConstraint(
                condition=models.Q(is_public=True, unit__isnull=True) | models.Q(is_public=False),
                name="billing_meter_public_has_no_unit",
            ),
        ]
        indexes = [models.Index(fields=["project", "building", "is_active"], name="billing_meter_building")]

    unique_field_errors = {
        ("project", "number"): ("number", _("A meter with this number already exists in the project."))
    }

    def __str__(self):
        return self.number

    @property
    def quantity_unit(self) -> str:
        return METER_KIND_UNITS.get(self.kind, "")

    @property
    def rollover_at(self) -> Decimal:
        return Decimal(10) ** (self.digits or 6)

    def clean(self):
        errors = {}
        unit = self.unit if self.unit_id else None
        building = self.building if self.building_id else None
        if unit is not None and building is None:
            self.building = building = unit.building
        if self.is_public and unit is not None:
            errors["unit"] = _("A public meter has no unit: leave the unit empty.")
        if not self.is_public and unit is None:
            errors["unit"] = _("Choose the unit of this household meter, or mark it as a public meter.")
        if unit is not None and building is not None and unit.building_id != building.pk:
            errors["building"] = _("The unit is in another building.")
        for name, related in (("unit", unit), ("building", building)):
            if related is not None and self.project_id and related.project_id != self.project_id:
                errors[name] = _("It belongs to another project.")
        standard = self.standard if self.standard_id else None
        if standard is not None:
            if self.project_id and standard.project_id != self.project_id:
                errors["standard"] = _("The fee standard belongs to another project.")
            elif self.is_public and standard.method not in SHARED_METHODS:
                errors["standard"] = _(
                    "A public meter is billed with a shared standard (split by area, household or weights)."
                )
            elif not self.is_public and standard.method != PricingMethodChoices.METERED:
                errors["standard"] = _("A household meter is billed with a metered standard.")
        if self.initial_value is not None and self.digits and self.initial_value >= self.rollover_at:
            errors["initial_value"] = _("The initial reading has more digits than the meter.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.unit_id and not self.building_id:
            self.building_id = self.unit.building_id
        super().save(*args, **kwargs)


@dataclass
class ReadingContext:
    """What a reading needs to know about the readings before it (loaded in bulk by grids/imports)."""

    previous: Decimal
    later_period: datetime.date | None = None
    usages: list[Decimal] = field(default_factory=list)  # the last periods' usages, newest first

    @property
    def average(self) -> Decimal | None:
        recent = self.usages[:AVERAGE_PERIODS]
        if not recent:
            return None
        return (sum(recent, Decimal(0)) / len(recent)).quantize(USAGE_PLACES)


def reading_contexts(meters, period: datetime.date, exclude_ids=()) -> dict[int, ReadingContext]:
    """ReadingContext per meter id for readings of ``period``, in two queries for all ``meters``."""
    meters = list(meters)
    ids = [m.pk for m in meters]
    earlier = MeterReading.objects.filter(period__lt=period).exclude(pk__in=list(exclude_ids))
    before: dict[int, list] = {}
    # the last year is enough for the average; a meter unread for longer gets its last reading alone
    recent = period.replace(year=period.year - 1)
    rows = (
        earlier.filter(meter_id__in=ids, period__gte=recent)
        .order_by("meter_id", "-period")
        .values_list("meter_id", "value", "usage")
    )
    for meter_id, value, usage in rows:
        before.setdefault(meter_id, []).append((value, usage))
    stale = [pk for pk in ids if pk not in before]
    if stale:
        last = earlier.filter(meter_id=models.OuterRef("meter_id")).order_by("-period").values("period")[:1]
        rows = earlier.filter(meter_id__in=stale, period=models.Subquery(last)).values_list(
            "meter_id", "value", "usage"
        )
        for meter_id, value, usage in rows:
            before[meter_id] = [(value, usage)]
    later = dict(
        MeterReading.objects.filter(meter_id__in=ids, period__gt=period)
        .exclude(pk__in=list(exclude_ids))
        .values("meter_id")
        .annotate(first=models.Min("period"))
        .values_list("meter_id", "first")
    )
    out = {}
    for meter in meters:
        history = before.get(meter.pk, [])
        previous = history[0][0] if history else meter.initial_value
        out[meter.pk] = ReadingContext(
            previous=previous,
            later_period=later.get(meter.pk),
            usages=[u for _v, u in history[:AVERAGE_PERIODS]],
        )
    return out


class MeterReading(FieldUniqueErrorsMixin, ProjectScopedModel):
    """One meter's reading for one month (``period`` is the first day of that month)."""

    meter = models.ForeignKey(
        Meter, verbose_name=_("meter"), on_delete=models.PROTECT, related_name="readings"
    )
    period = models.DateField(_("period"), help_text=_("The month the usage is billed for."))
    reading_date = models.DateField(_("reading date"))
    value = models.DecimalField(
        _("reading"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    previous_value = models.DecimalField(
        _("previous reading"), max_digits=14, decimal_places=2, null=True, blank=True, editable=False
    )
    usage = models.DecimalField(
        _("usage"), max_digits=18, decimal_places=4, default=Decimal(0), editable=False
    )
    average_usage = models.DecimalField(
        _("average usage"), max_digits=18, decimal_places=4, null=True, blank=True, editable=False
    )
    flag = models.CharField(
        _("check"), max_length=8, choices=UsageFlagChoices.choices, default="", blank=True, editable=False
    )
    is_rollover = models.BooleanField(
        _("rollover"), default=False, help_text=_("The register passed its maximum and restarted at 0.")
    )
    is_replacement = models.BooleanField(
        _("meter replaced"),
        default=False,
        help_text=_(
            "The meter was replaced this period: give the old meter's final reading and the new start."
        ),
    )
    old_final_value = models.DecimalField(
        _("old meter's final reading"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    new_start_value = models.DecimalField(
        _("new meter's start reading"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MeterReadingStatusChoices.choices,
        default=MeterReadingStatusChoices.DRAFT,
        db_index=True,
        editable=False,
    )
    #: bumped when a billed reading whose bills were all voided is reopened, so it can be billed again
    revision = models.PositiveSmallIntegerField(default=0, editable=False)
    bills = models.ManyToManyField(
        "billing.Bill", verbose_name=_("bills"), blank=True, editable=False, related_name="meter_readings"
    )

    class Meta:
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        ordering = ["project_id", "-period", "meter__number"]
        constraints = [
            models.UniqueConstraint(fields=["meter", "period"], name="billing_reading_one_per_period"),
        ]
        indexes = [models.Index(fields=["project", "period", "status"], name="billing_reading_period")]

    machine = StateMachine(
        "status",
        [
            Transition(
                "confirm",
                source=[MeterReadingStatusChoices.DRAFT],
                target=MeterReadingStatusChoices.CONFIRMED,
                permission="billing.change_meterreading",
                label=_("confirm"),
            ),
            Transition(
                "unconfirm",
                source=[MeterReadingStatusChoices.CONFIRMED],
                target=MeterReadingStatusChoices.DRAFT,
                permission="billing.change_meterreading",
                label=_("back to draft"),
            ),
            Transition(
                "bill",
                source=[MeterReadingStatusChoices.CONFIRMED],
                target=MeterReadingStatusChoices.BILLED,
                permission="billing.run_billing",
                label=_("bill"),
            ),
            Transition(
                "reopen",
                source=[MeterReadingStatusChoices.BILLED],
                target=MeterReadingStatusChoices.DRAFT,
                permission="billing.run_billing",
                label=_("reopen"),
                condition=lambda r: r.reopen_problem(),
            ),
        ],
    )

    unique_field_errors = {
        ("meter", "period"): ("period", _("This meter already has a reading for this period."))
    }

    def __str__(self):
        number = self.meter.number if self.meter_id else "?"
        return f"{number} {self.period:%Y-%m}" if self.period else number

    @property
    def status_color(self):
        return READING_STATUS_COLORS.get(self.status, "secondary")

    @property
    def flag_color(self):
        return {"zero": "orange", "high": "red"}.get(self.flag, "green")

    @property
    def dedup_prefix(self) -> str:
        """``m<id>`` (``m<id>.<revision>`` after a reopen): the bills' dedup keys start with it."""
        return f"m{self.pk}" if not self.revision else f"m{self.pk}.{self.revision}"

    def reopen_problem(self):
        if self.bills.exclude(status="voided").exists():
            return _("Void this reading's bills first; then it can be corrected and billed again.")
        return None

    # -- derived values ---------------------------------------------------------------------------
    def load_context(self) -> ReadingContext:
        ctx = getattr(self, "_context", None)
        if ctx is None:
            ctx = reading_contexts([self.meter], self.period, exclude_ids=[self.pk] if self.pk else [])[
                self.meter_id
            ]
            self._context = ctx
        return ctx

    def compute_usage(self) -> Decimal:
        """The usage from the values and flags (previous_value must be known)."""
        meter = self.meter
        previous = self.previous_value if self.previous_value is not None else meter.initial_value
        if self.is_replacement:
            diff = (self.old_final_value - previous) + (self.value - self.new_start_value)
        elif self.is_rollover:
            diff = meter.rollover_at - previous + self.value
        else:
            diff = self.value - previous
        return (diff * meter.multiplier).quantize(USAGE_PLACES)

    def apply_context(self, ctx: ReadingContext) -> None:
        self.previous_value = ctx.previous
        self.average_usage = ctx.average
        if self._values_ok():
            self.usage = self.compute_usage()
            if self.usage == 0:
                self.flag = UsageFlagChoices.ZERO
            elif self.average_usage and self.usage > self.average_usage * HIGH_USAGE_FACTOR:
                self.flag = UsageFlagChoices.HIGH
            else:
                self.flag = UsageFlagChoices.NORMAL

    def _values_ok(self) -> bool:
        if self.value is None or self.previous_value is None:
            return False
        if self.is_replacement:
            return self.old_final_value is not None and self.new_start_value is not None
        return True

    def clean(self):
        errors = {}
        if self.period:
            self.period = self.period.replace(day=1)
        meter = self.meter if self.meter_id else None
        if meter is not None and not self.project_id:
            self.project_id = meter.project_id
        if meter is not None and self.project_id and meter.project_id != self.project_id:
            errors["meter"] = _("The meter belongs to another project.")
        if self.status == MeterReadingStatusChoices.BILLED:
            raise ValidationError(_("This reading has been billed and can no longer be changed."))
        if meter is None or self.value is None or not self.period:
            if errors:
                raise ValidationError(errors)
            return
        ctx = self.load_context()
        if ctx.later_period is not None:
            errors["period"] = _(
                "Meter %(meter)s already has a reading for %(later)s; readings are entered in order."
            ) % {"meter": meter.number, "later": f"{ctx.later_period:%Y-%m}"}
        self.previous_value = ctx.previous
        errors.update(self._check_values(meter))
        if not errors:
            self.apply_context(ctx)
        if errors:
            raise ValidationError(errors)

    def _check_values(self, meter) -> dict:
        errors = {}
        previous = self.previous_value
        top = meter.rollover_at
        for name in ("value", "old_final_value", "new_start_value"):
            value = getattr(self, name)
            if value is not None and value >= top:
                errors[name] = _("%(value)s has more digits than the meter (%(digits)s).") % {
                    "value": value,
                    "digits": meter.digits,
                }
        if errors:
            return errors
        if self.is_rollover and self.is_replacement:
            errors["is_rollover"] = _("A reading is either a rollover or a meter replacement, not both.")
        elif self.is_replacement:
            if self.old_final_value is None:
                errors["old_final_value"] = _("Give the old meter's final reading.")
            elif self.old_final_value < previous:
                errors["old_final_value"] = _(
                    "The old meter's final reading %(final)s is lower than the previous reading %(previous)s."
                ) % {"final": self.old_final_value, "previous": previous}
            if self.new_start_value is None:
                errors["new_start_value"] = _("Give the new meter's start reading.")
            elif self.value < self.new_start_value:
                errors["value"] = _(
                    "The reading %(value)s is lower than the new meter's start reading %(start)s."
                ) % {"value": self.value, "start": self.new_start_value}
        elif self.is_rollover:
            if self.value >= previous:
                errors["is_rollover"] = _(
                    "A rollover reading restarts from 0, so it is lower than the previous "
                    "reading %(previous)s."
                ) % {"previous": previous}
        elif self.value < previous:
            errors["value"] = _(
                "The reading %(value)s is lower than the previous reading %(previous)s. If the meter "
                "rolled over or was replaced, mark the reading as such."
            ) % {"value": self.value, "previous": previous}
        return errors

    def save(self, *args, **kwargs):
        if self.meter_id and not self.project_id:
            self.project_id = self.meter.project_id
        if self.period:
            self.period = self.period.replace(day=1)
        if kwargs.get("update_fields") is None and self.meter_id and self.value is not None:
            if self.previous_value is None:
                self.apply_context(self.load_context())
            elif self._values_ok():
                self.usage = self.compute_usage()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == MeterReadingStatusChoices.BILLED:
            raise ProtectedError(
                _("A billed reading cannot be deleted; void its bills and reopen it first."),
                set(self.bills.all()),
            )
        later = list(MeterReading.objects.filter(meter_id=self.meter_id, period__gt=self.period)[:20])
        if later:
            raise ProtectedError(_("Only the latest reading of a meter can be deleted."), set(later))
        return super().delete(*args, **kwargs)
