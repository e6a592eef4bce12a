"""Receivables: one Bill is one debt for one unit (or space), one item and one period."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuye.billing.choices import (
    BILL_STATUS_COLORS,
    AdjustmentKindChoices,
    BillEventKindChoices,
    BillSourceChoices,
    BillStatusChoices,
)
from wuye.core.models import ProjectScopedModel

ZERO = Decimal("0.00")
LIMITATION_YEARS = 3


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class BillingRun(ProjectScopedModel):
    """One billing run of a project for a period: what it created and skipped."""

    period = models.DateField(_("period"), help_text=_("First day of the billed month."))
    items = models.JSONField(_("items"), default=list, blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_count = models.PositiveIntegerField(_("created"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    total_amount = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=ZERO)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-created_at"]
        permissions = [("run_billing", "Can run billing")]

    def __str__(self):
        return f"{self.project} {self.period:%Y-%m}"


class Bill(ProjectScopedModel):
    """应收: one charge for one unit or parking space, one item, one period.

    Posted bills are never edited or deleted: a mistake is voided (unpaid bills) or corrected by an
    adjustment or a reversal. ``paid_amount`` is maintained by payment allocations under a row lock.
    """

    number = models.CharField(_("bill number"), max_length=32)
    unit = models.ForeignKey(
        "estate.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bills",
    )
    parking_space = models.ForeignKey(
        "estate.ParkingSpace",
        verbose_name=_("parking space"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bills",
    )
    payer = models.ForeignKey(
        "residents.Person",
        verbose_name=_("payer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bills",
    )
    payer_name = models.CharField(_("payer"), max_length=100, blank=True)
    item = models.ForeignKey(
        "billing.FeeItem", verbose_name=_("fee item"), on_delete=models.PROTECT, related_name="bills"
    )
    standard = models.ForeignKey(
        "billing.FeeStandard",
        verbose_name=_("fee standard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bills",
    )
    run = models.ForeignKey(BillingRun, null=True, blank=True, on_delete=models.PROTECT, related_name="bills")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_date = models.DateField(_("due date"), db_index=True)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=4)
    months = models.DecimalField(_("months"), max_digits=8, decimal_places=4, default=Decimal("1"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4)
    description = models.CharField(_("description"), max_length=200, blank=True)
    calc = models.JSONField(_("calculation"), default=dict, blank=True)
    discount_amount = models.DecimalField(_("reductions"), max_digits=14, decimal_places=2, default=ZERO)
    paid_amount = models.DecimalField(_("paid"), max_digits=14, decimal_places=2, default=ZERO)
    late_fee_paid = models.DecimalField(_("late fee paid"), max_digits=14, decimal_places=2, default=ZERO)
    late_fee_waived = models.DecimalField(_("late fee waived"), max_digits=14, decimal_places=2, default=ZERO)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=BillStatusChoices.choices,
        default=BillStatusChoices.OPEN,
        db_index=True,
    )
    source = models.CharField(
        _("source"), max_length=10, choices=BillSourceChoices.choices, default=BillSourceChoices.RUN
    )
    source_ref = models.CharField(max_length=64, blank=True)
    #: uniqueness key: the same unit/space, item and period segment is billed once
    dedup_key = models.CharField(max_length=80, blank=True)
    limitation_start = models.DateField(_("limitation period starts"))
    paid_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(_("void reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["project_id", "due_date", "pk"]
        permissions = [
            ("void_bill", "Can void unpaid bills"),
            ("reduce_bill", "Can grant reductions and discounts"),
            ("waive_late_fee", "Can waive late fees"),
            ("approve_reduction", "Can approve reductions, waivers and refunds above the limits"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="billing_bill_unique_number"),
            models.UniqueConstraint(
                fields=["project", "dedup_key"], condition=~Q(dedup_key=""), name="billing_bill_unique_period"
            ),
            models.CheckConstraint(condition=Q(paid_amount__gte=0), name="billing_bill_paid_not_negative"),
        ]
        indexes = [
            models.Index(fields=["project", "status", "due_date"], name="billing_bill_open"),
            models.Index(fields=["unit", "status"], name="billing_bill_unit_status"),
            models.Index(fields=["project", "period_start"], name="billing_bill_period"),
        ]

    def __str__(self):
        return f"{self.number} {self.item_id and self.item.name} {self.period_start:%Y-%m}"

    @property
    def status_color(self):
        return BILL_STATUS_COLORS.get(self.status, "secondary")

    @property
    def outstanding(self) -> Decimal:
        if self.status == BillStatusChoices.VOIDED:
            return ZERO
        return self.amount - self.discount_amount - self.paid_amount

    @property
    def limitation_date(self) -> datetime.date:
        """The 3-year limitation period (民法典 188) runs from the due date or the last interruption."""
        return add_years(self.limitation_start, LIMITATION_YEARS)

    @property
    def period_label(self) -> str:
        if (
            self.period_start.month == self.period_end.month
            and self.period_start.year == self.period_end.year
        ):
            if self.period_start.day == 1:
                return f"{self.period_start:%Y-%m}"
            return f"{self.period_start:%Y-%m-%d}~{self.period_end:%d}"
        return f"{self.period_start:%Y-%m}~{self.period_end:%Y-%m}"

    def refresh_status(self) -> None:
        if self.status == BillStatusChoices.VOIDED:
            return
        due = self.amount - self.discount_amount
        if self.paid_amount <= 0:
            self.status = BillStatusChoices.OPEN
        elif self.paid_amount >= due:
            self.status = BillStatusChoices.PAID
        else:
            self.status = BillStatusChoices.PARTIAL


class BillAdjustment(ProjectScopedModel):
    """A reduction, discount or late-fee waiver on a bill, with its reason (never an edit)."""

    bill = models.ForeignKey(
        Bill, verbose_name=_("bill"), on_delete=models.PROTECT, related_name="adjustments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AdjustmentKindChoices.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200)
    approval = models.ForeignKey(
        "core.ApprovalRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("bill adjustment")
        verbose_name_plural = _("bill adjustments")
        ordering = ["bill_id", "created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class BillEvent(ProjectScopedModel):
    """An event that restarts a bill's limitation period: delivered demand, part payment, agreement."""

    bill = models.ForeignKey(Bill, verbose_name=_("bill"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=24, choices=BillEventKindChoices.choices)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("limitation event")
        verbose_name_plural = _("limitation events")
        ordering = ["bill_id", "date"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


class BillingSchedule(ProjectScopedModel):
    """When a project's monthly billing runs by itself (a periodic task checks every day)."""

    day_of_month = models.PositiveSmallIntegerField(
        _("run on day"),
        default=1,
        help_text=_("Day of the month on which that month's bills are generated (1-28)."),
    )
    items = models.ManyToManyField(
        "billing.FeeItem",
        verbose_name=_("fee items"),
        blank=True,
        related_name="+",
        help_text=_("Empty: all active items."),
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    last_period = models.DateField(_("last period billed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("billing schedule")
        verbose_name_plural = _("billing schedules")
        ordering = ["project_id"]
        constraints = [models.UniqueConstraint(fields=["project"], name="billing_schedule_one_per_project")]

    def __str__(self):
        return f"{self.project} · {self.day_of_month}"

    def clean(self):
        if self.day_of_month is not None and not 1 <= self.day_of_month <= 28:
            raise ValidationError({"day_of_month": _("Choose a day between 1 and 28.")})
