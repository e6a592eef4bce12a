"""Sending notifications: ``notify`` for users (inbox, e-mail, SMS), ``send_sms`` for any phone.

Both write their rows in the caller's transaction and deliver after it commits (through Huey), so a
rolled-back business step sends nothing, and a slow mail server never holds a request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from wuye.notifications.models import DeliveryStatus, Notification, SmsMessage
from wuye.notifications.sms import SmsError, get_backend

log = logging.getLogger(__name__)

CHANNELS = ("inbox", "email", "sms")


def notify(
    *,
    recipients: Iterable,
    title: str,
    body: str = "",
    link: str = "",
    channels: Iterable[str] = CHANNELS,
    project=None,
    kind: str = "",
) -> list[Notification]:
    """Notify each distinct active user in ``recipients`` (``None`` entries are ignored).

    ``channels``: any of "inbox", "email", "sms". A row is always written (it records the
    deliveries); it shows in the inbox only with "inbox". E-mail and SMS go out on commit.
    """
    channels = tuple(channels)
    unknown = set(channels) - set(CHANNELS)
    if unknown:
        raise ValueError(f"unknown notification channels: {sorted(unknown)}")
    seen: set[int] = set()
    users = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        users.append(user)
    if not users:
        return []
    now = timezone.now()
    rows = []
    for user in users:
        email = DeliveryStatus.NONE
        if "email" in channels:
            email = DeliveryStatus.PENDING if user.email else DeliveryStatus.SKIPPED
        sms = DeliveryStatus.NONE
        if "sms" in channels:
            sms = DeliveryStatus.PENDING if getattr(user, "phone", "") else DeliveryStatus.SKIPPED
        rows.append(
            Notification(
                recipient=user,
                project=project,
                kind=kind,
                title=str(title)[:200],
                body=str(body),
                link=link[:300],
                created_at=now,
                in_inbox="inbox" in channels,
                read_at=None if "inbox" in channels else now,
                email_status=email,
                sms_status=sms,
            )
        )
    created = Notification.objects.bulk_create(rows)
    # SQLite and PostgreSQL both return the new ids from a bulk insert.
    ids = [n.pk for n in created if DeliveryStatus.PENDING in (n.email_status, n.sms_status)]
    if ids:
        transaction.on_commit(lambda: _enqueue_delivery(ids))
    return created


def _enqueue_delivery(ids):
    from wuye.notifications.tasks import deliver_notifications

    deliver_notifications(ids)


def deliver(ids: Iterable[int]) -> None:
    """Send the pending e-mails and SMS of these notifications (the Huey task calls this)."""
    site = getattr(settings, "WUYE_SITE_URL", "").rstrip("/")
    for n in Notification.objects.filter(pk__in=list(ids)).select_related("recipient"):
        if n.email_status == DeliveryStatus.PENDING:
            text = n.body
            if n.link:
                text = f"{text}\n\n{site}{n.link}" if text else f"{site}{n.link}"
            try:
                send_mail(n.title, text, None, [n.recipient.email], fail_silently=False)
            except Exception as exc:  # any transport error is recorded, never raised to the caller
                log.warning("e-mail to user %s failed: %s", n.recipient_id, exc)
                status = DeliveryStatus.FAILED
            else:
                status = DeliveryStatus.SENT
            Notification.objects.filter(pk=n.pk).update(email_status=status)
        if n.sms_status == DeliveryStatus.PENDING:
            sms = SmsMessage.objects.create(
                project=n.project,
                phone=n.recipient.phone,
                text=_sms_text(n),
                kind=n.kind,
                notification=n,
            )
            _send_one(sms)
            Notification.objects.filter(pk=n.pk).update(sms_status=sms.status)


def _sms_text(n: Notification) -> str:
    return f"【{settings.WUYE_SMS_SIGNATURE}】{n.title}" + (f"：{n.body}" if n.body else "")


def send_sms(*, phone: str, text: str, project=None, kind: str = "") -> SmsMessage:
    """Send one SMS to any phone (an owner's reminder, say) after the transaction commits."""
    sms = SmsMessage.objects.create(project=project, phone=phone.strip(), text=text, kind=kind)
    transaction.on_commit(lambda: _enqueue_sms(sms.pk))
    return sms


def _enqueue_sms(pk):
    from wuye.notifications.tasks import deliver_sms

    deliver_sms(pk)


def deliver_sms_now(pk: int) -> SmsMessage:
    sms = SmsMessage.objects.get(pk=pk)
    if sms.status == DeliveryStatus.PENDING:
        _send_one(sms)
    return sms


def _send_one(sms: SmsMessage) -> None:
    backend = get_backend()
    sms.backend = backend.name
    try:
        sms.provider_id = backend.send(sms.phone, sms.text) or ""
    except SmsError as exc:
        sms.status = DeliveryStatus.FAILED
        sms.error = str(exc)[:2000]
    else:
        sms.status = DeliveryStatus.SENT
        sms.sent_at = timezone.now()
    sms.save(update_fields=["backend", "provider_id", "status", "error", "sent_at"])


def do_mark_read(*, actor, notifications) -> int:
    """Mark the actor's own notifications read; returns how many changed."""
    return (
        Notification.objects.restrict(actor)
        .filter(pk__in=[n.pk for n in notifications], read_at__isnull=True)
        .update(read_at=timezone.now())
    )


def do_mark_all_read(*, actor) -> int:
    return Notification.objects.restrict(actor).unread().update(read_at=timezone.now())
