"""What is charged (FeeItem), how it is priced (FeeStandard), to whom (FeeAssignment), late fees."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuye.billing.choices import (
    CYCLE_MONTHS,
    BillingCycleChoices,
    FeeItemCategoryChoices,
    PricingMethodChoices,
)
from wuye.core.models import ProjectScopedModel

TAX_RATE_DEFAULTS = {
    FeeItemCategoryChoices.PROPERTY_FEE: Decimal("0.06"),
    FeeItemCategoryChoices.PARKING: Decimal("0.09"),
    FeeItemCategoryChoices.WATER: Decimal("0.03"),
    FeeItemCategoryChoices.ELECTRICITY: Decimal("0.13"),
    FeeItemCategoryChoices.GAS: Decimal("0.09"),
    FeeItemCategoryChoices.SHARED_UTILITY: Decimal("0.06"),
    FeeItemCategoryChoices.RENOVATION_DEPOSIT: Decimal("0"),
    FeeItemCategoryChoices.REPAIR: Decimal("0.06"),
    FeeItemCategoryChoices.OTHER: Decimal("0.06"),
}


class FeeItem(ProjectScopedModel):
    """A thing the project charges for (收费项目), with its tax rate."""

    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=24, choices=FeeItemCategoryChoices.choices)
    tax_rate = models.DecimalField(
        _("tax rate"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("e.g. 0.06 for property services, 0.09 for parking, 0.03 for water collected on behalf."),
    )
    collected_on_behalf = models.BooleanField(
        _("collected on behalf"),
        default=False,
        help_text=_("Utility fees collected for a utility company: no handling fee may be added."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        ordering = ["project", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="billing_feeitem_unique_name")
        ]

    def __str__(self):
        return self.name


class LateFeeRule(ProjectScopedModel):
    """违约金: a contractual penalty, configured per contract. Never law; always capped."""

    name = models.CharField(_("name"), max_length=60)
    daily_rate = models.DecimalField(
        _("daily rate"),
        max_digits=8,
        decimal_places=6,
        default=Decimal("0.000500"),
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("0.01"))],
        help_text=_("Share of the unpaid amount per day, e.g. 0.0005 = 0.05% per day."),
    )
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=0)
    cap_ratio = models.DecimalField(
        _("cap (share of the charge)"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.3000"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("The late fee never exceeds this share of the charge, e.g. 0.30."),
    )

    class Meta:
        verbose_name = _("late-fee rule")
        verbose_name_plural = _("late-fee rules")
        ordering = ["project", "name"]

    def __str__(self):
        return self.name


class FeeStandard(ProjectScopedModel):
    """How an item is priced (收费标准): method, unit price, cycle, due day, validity, rules."""

    item = models.ForeignKey(
        FeeItem, verbose_name=_("fee item"), on_delete=models.PROTECT, related_name="standards"
    )
    name = models.CharField(_("name"), max_length=60)
    method = models.CharField(_("pricing method"), max_length=20, choices=PricingMethodChoices.choices)
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=12,
        decimal_places=4,
        validators=[MinValueValidator(0)],
        help_text=_(
            "Per ㎡ per month for area methods, per month for fixed methods, per unit of quantity for meters."
        ),
    )
    tiers = models.JSONField(
        _("tiers"),
        default=list,
        blank=True,
        help_text=_(
            'Metered tiers, e.g. [{"up_to": "10", "price": "3.50"}, {"up_to": null, "price": "4.20"}].'
        ),
    )
    cycle = models.CharField(
        _("cycle"), max_length=12, choices=BillingCycleChoices.choices, default=BillingCycleChoices.MONTHLY
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Day of the period's first month on which the bill falls due."),
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    prorate = models.BooleanField(_("prorate partial periods by days"), default=True)
    late_fee_rule = models.ForeignKey(
        LateFeeRule,
        verbose_name=_("late-fee rule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="standards",
    )
    vacancy_rate = models.DecimalField(
        _("vacancy rate"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Share payable for registered vacant units, e.g. 0.70; empty = no vacancy discount."),
    )
    vacancy_after_months = models.PositiveSmallIntegerField(
        _("vacant for at least (months)"),
        default=6,
    )
    prepay_months = models.PositiveSmallIntegerField(
        _("prepay discount: months ahead"),
        null=True,
        blank=True,
        help_text=_("Paying at least this many months ahead earns the prepay discount."),
    )
    prepay_discount_rate = models.DecimalField(
        _("prepay discount rate"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        # xgettext:no-python-format
        help_text=_("e.g. 0.05 = 5% off."),
    )

    class Meta:
        verbose_name = _("fee standard")
        verbose_name_plural = _("fee standards")
        ordering = ["project", "item__sort_order", "name"]
        permissions = [("manage_standards", "Can manage fee standards and assignments")]

    def __str__(self):
        return self.name

    @property
    def cycle_months(self) -> int:
        return CYCLE_MONTHS[self.cycle]

    def clean(self):
        errors = {}
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            errors["effective_to"] = _("The end date is before the start date.")
        if self.item_id and self.project_id and self.item.project_id != self.project_id:
            errors["item"] = _("The fee item belongs to another project.")
        if self.late_fee_rule_id and self.project_id and self.late_fee_rule.project_id != self.project_id:
            errors["late_fee_rule"] = _("The late-fee rule belongs to another project.")
        if self.tiers:
            try:
                self.tiers = normalize_tiers(self.tiers)
            except ValueError as exc:
                errors["tiers"] = str(exc)
            if self.method != PricingMethodChoices.METERED:
                errors["tiers"] = _("Tiers only apply to metered pricing.")
        if (self.prepay_months is None) != (self.prepay_discount_rate is None):
            errors["prepay_discount_rate"] = _(
                "Give both the months ahead and the discount rate, or neither."
            )
        if errors:
            raise ValidationError(errors)


def normalize_tiers(tiers) -> list[dict]:
    """Validate tiers: ascending ``up_to`` limits, the last one open (null), prices >= 0."""
    if not isinstance(tiers, list) or not tiers:
        raise ValueError(_("Tiers must be a non-empty list."))
    out, last = [], Decimal("-1")
    for index, tier in enumerate(tiers):
        try:
            price = Decimal(str(tier["price"]))
            up_to = tier.get("up_to")
            up_to = None if up_to in (None, "") else Decimal(str(up_to))
        except (KeyError, TypeError, InvalidOperation):
            raise ValueError(
                _("Tier %(n)s needs a price and an upper limit (or null).") % {"n": index + 1}
            ) from None
        if price < 0:
            raise ValueError(_("Tier %(n)s has a negative price.") % {"n": index + 1})
        if up_to is None and index != len(tiers) - 1:
            raise ValueError(_("Only the last tier may be open-ended."))
        if up_to is not None and up_to <= last:
            raise ValueError(_("Tier limits must increase."))
        last = up_to if up_to is not None else last
        out.append({"up_to": None if up_to is None else str(up_to), "price": str(price)})
    if out[-1]["up_to"] is not None:
        raise ValueError(_("The last tier must be open-ended (up_to null)."))
    return out


class FeeAssignment(ProjectScopedModel):
    """A standard applied to a unit or a parking space from a date; ended rows keep the history."""

    standard = models.ForeignKey(
        FeeStandard, verbose_name=_("fee standard"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        "estate.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fee_assignments",
    )
    parking_space = models.ForeignKey(
        "estate.ParkingSpace",
        verbose_name=_("parking space"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fee_assignments",
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Custom weight for shared costs split by weights."),
    )

    class Meta:
        verbose_name = _("fee assignment")
        verbose_name_plural = _("fee assignments")
        ordering = ["project", "standard", "unit", "parking_space", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(unit__isnull=False, parking_space__isnull=True)
                    | models.Q(unit__isnull=True, parking_space__isnull=False)
                ),
                name="billing_assignment_one_target",
            )
        ]
        indexes = [models.Index(fields=["project", "standard", "end_date"], name="billing_assign_current")]

    def __str__(self):
        return f"{self.standard} · {self.unit or self.parking_space}"

    def clean(self):
        errors = {}
        if bool(self.unit_id) == bool(self.parking_space_id):
            errors["unit"] = _("Choose either a unit or a parking space.")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        for field in ("standard", "unit", "parking_space"):
            related = getattr(self, field) if getattr(self, f"{field}_id") else None
            if related is not None and self.project_id and related.project_id != self.project_id:
                errors[field] = _("It belongs to another project.")
        if (
            self.standard_id
            and self.parking_space_id
            and self.standard.method
            not in (
                PricingMethodChoices.FIXED_SPACE,
                PricingMethodChoices.METERED,
            )
        ):
            errors["standard"] = _("Parking spaces take a fixed-per-space standard.")
        if self.standard_id and self.unit_id and self.standard.method == PricingMethodChoices.FIXED_SPACE:
            errors["standard"] = _("A fixed-per-space standard applies to parking spaces, not units.")
        if errors:
            raise ValidationError(errors)
