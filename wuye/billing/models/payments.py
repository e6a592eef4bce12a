"""Money received (实收), its allocation to bills, receipts, prepaid balances and the day close."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuye.billing.choices import (
    AllocationKindChoices,
    PaymentChannelChoices,
    PaymentStatusChoices,
    PrepaidMovementKindChoices,
)
from wuye.core.models import ProjectScopedModel

ZERO = Decimal("0.00")


class CashierDayClose(ProjectScopedModel):
    """日结: one cashier's takings for one business day, locked once closed."""

    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cashier"), on_delete=models.PROTECT, related_name="+"
    )
    business_date = models.DateField(_("business date"))
    payment_count = models.PositiveIntegerField(_("payments"), default=0)
    amount_total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=ZERO)
    totals = models.JSONField(_("totals by channel"), default=dict)
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("day close")
        verbose_name_plural = _("day closes")
        ordering = ["-business_date", "cashier_id"]
        permissions = [("close_day", "Can close the cashier day"), ("review_day", "Can review day closes")]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "cashier", "business_date"], name="billing_dayclose_unique"
            )
        ]

    def __str__(self):
        return f"{self.cashier} {self.business_date}"


class Payment(ProjectScopedModel):
    """One receipt: money received for a unit, by one or more channels, settling one or more bills.

    A reversal is another Payment with negative amounts pointing at the original (``reversal_of``).
    """

    number = models.CharField(_("receipt number"), max_length=32)
    unit = models.ForeignKey(
        "estate.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    payer = models.ForeignKey(
        "residents.Person",
        verbose_name=_("payer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    payer_name = models.CharField(_("payer"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    business_date = models.DateField(_("business date"), db_index=True)
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cashier"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    to_prepaid = models.DecimalField(_("to prepaid balance"), max_digits=14, decimal_places=2, default=ZERO)
    cash_tendered = models.DecimalField(
        _("cash tendered"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    change_given = models.DecimalField(_("change"), max_digits=14, decimal_places=2, default=ZERO)
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentStatusChoices.choices, default=PaymentStatusChoices.POSTED
    )
    reversal_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    day_close = models.ForeignKey(
        CashierDayClose, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    print_count = models.PositiveSmallIntegerField(_("times printed"), default=0)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("collect_payment", "Can collect payments at the cashier desk"),
            ("refund_payment", "Can refund or reverse payments"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="billing_payment_unique_number")
        ]
        indexes = [
            models.Index(fields=["project", "cashier", "business_date"], name="billing_payment_cashier_day")
        ]

    def __str__(self):
        return self.number


class PaymentTender(models.Model):
    """How a payment was made: one row per channel (cash, WeChat, ...)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="tenders")
    channel = models.CharField(_("channel"), max_length=12, choices=PaymentChannelChoices.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("payment channel")
        ordering = ["payment_id", "pk"]

    def __str__(self):
        return f"{self.get_channel_display()} {self.amount}"


class PaymentAllocation(models.Model):
    """The part of a payment that settles one bill's charge or its late fee."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    bill = models.ForeignKey("billing.Bill", on_delete=models.PROTECT, related_name="allocations")
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=AllocationKindChoices.choices,
        default=AllocationKindChoices.PRINCIPAL,
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("allocation")
        ordering = ["payment_id", "pk"]

    def __str__(self):
        return f"{self.bill_id} {self.kind} {self.amount}"


class PrepaidAccount(ProjectScopedModel):
    """预存款: money held for a unit, optionally earmarked for one fee item."""

    unit = models.ForeignKey(
        "estate.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="prepaid_accounts"
    )
    item = models.ForeignKey(
        "billing.FeeItem",
        verbose_name=_("fee item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: usable for any fee item."),
    )
    balance = models.DecimalField(_("balance"), max_digits=14, decimal_places=2, default=ZERO)

    class Meta:
        verbose_name = _("prepaid account")
        verbose_name_plural = _("prepaid accounts")
        ordering = ["project_id", "unit_id", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "item"], name="billing_prepaid_unique_item"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(item__isnull=True), name="billing_prepaid_unique_general"
            ),
            models.CheckConstraint(condition=Q(balance__gte=0), name="billing_prepaid_not_negative"),
        ]

    def __str__(self):
        return f"{self.unit} {self.item or _('general')}"


class PrepaidMovement(ProjectScopedModel):
    """One change of a prepaid balance; the balance always equals the sum of its movements."""

    account = models.ForeignKey(
        PrepaidAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PrepaidMovementKindChoices.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    balance_after = models.DecimalField(_("balance after"), max_digits=14, decimal_places=2)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bill = models.ForeignKey(
        "billing.Bill", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("prepaid movement")
        verbose_name_plural = _("prepaid movements")
        ordering = ["account_id", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"
