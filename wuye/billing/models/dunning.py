"""Dunning (催缴): reminders and demands, with proof of delivery."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuye.core.models import ProjectScopedModel


class DunningChannelChoices(models.TextChoices):
    PHONE = "phone", _("Phone call")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    LETTER = "letter", _("Letter / notice delivered")
    VISIT = "visit", _("Home visit")
    BOARD = "board", _("Notice board")


#: channels that reach the debtor individually; a delivered demand through them restarts the
#: limitation period. A notice on a board is weak proof and does not.
INDIVIDUAL_CHANNELS = {"phone", "sms", "wechat", "letter", "visit"}


class DunningRecord(ProjectScopedModel):
    """One reminder or demand for a unit's open bills, and whether (and how) it was delivered."""

    unit = models.ForeignKey(
        "estate.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="dunning_records"
    )
    bills = models.ManyToManyField("billing.Bill", verbose_name=_("bills"), related_name="dunning_records")
    channel = models.CharField(_("channel"), max_length=10, choices=DunningChannelChoices.choices)
    at = models.DateTimeField(_("time"))
    recipient = models.CharField(_("recipient"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount demanded"), max_digits=14, decimal_places=2)
    delivered = models.BooleanField(_("delivered"), default=False)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    proof = models.FileField(
        _("proof of delivery"),
        upload_to="dunning/%Y/%m/",
        blank=True,
        help_text=_("Signed receipt, photo, courier record or screenshot."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dunning record")
        verbose_name_plural = _("dunning records")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["project", "at"], name="billing_dunning_at")]

    def __str__(self):
        return f"{self.unit} {self.get_channel_display()} {self.at:%Y-%m-%d}"

    @property
    def restarts_limitation(self) -> bool:
        return self.delivered and self.channel in INDIVIDUAL_CHANNELS
