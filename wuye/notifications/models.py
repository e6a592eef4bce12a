"""In-app notifications (the inbox) and the outgoing SMS log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.core.privacy import mask_phone
from wuye.core.scoping import RestrictedManager, RestrictedQuerySet


class DeliveryStatus(models.TextChoices):
    NONE = "", _("Not requested")
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("No address")


DELIVERY_COLORS = {
    DeliveryStatus.PENDING: "yellow",
    DeliveryStatus.SENT: "green",
    DeliveryStatus.FAILED: "red",
    DeliveryStatus.SKIPPED: "secondary",
}


class NotificationQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view"):
        """A notification belongs to its recipient: everyone sees their own inbox, nobody else's."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(recipient_id=user.pk)._mark_restricted()

    def unread(self):
        return self.filter(read_at__isnull=True, in_inbox=True)


class Notification(models.Model):
    """One message to one user, shown in the inbox and optionally sent by e-mail and SMS."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    project = models.ForeignKey(
        settings.WUYE_PROJECT_MODEL,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=60, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    in_inbox = models.BooleanField(default=True)
    email_status = models.CharField(
        _("e-mail"), max_length=10, choices=DeliveryStatus.choices, default="", blank=True
    )
    sms_status = models.CharField(
        _("SMS"), max_length=10, choices=DeliveryStatus.choices, default="", blank=True
    )

    objects = RestrictedManager.from_queryset(NotificationQuerySet)()
    scope_field = "project"

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("notifications:notification_open", kwargs={"pk": self.pk})

    @property
    def project_for_scope(self):
        return self.project

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class SmsMessage(models.Model):
    """Every SMS the platform sent or tried to send (reminders, alerts): the delivery record."""

    project = models.ForeignKey(
        settings.WUYE_PROJECT_MODEL,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=20)
    text = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=60, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    backend = models.CharField(_("channel"), max_length=100, blank=True)
    provider_id = models.CharField(_("provider reference"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="sms_messages"
    )

    objects = RestrictedManager()
    scope_field = "project"

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.phone_masked} · {self.text[:30]}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("notifications:smsmessage_detail", kwargs={"pk": self.pk})

    @property
    def project_for_scope(self):
        return self.project

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def status_color(self):
        return DELIVERY_COLORS.get(self.status, "secondary")
