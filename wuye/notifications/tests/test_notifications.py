"""notify(): inbox rows in the transaction, e-mail (through a real SMTP sink) and SMS after commit."""

from __future__ import annotations

import socket

import pytest
from django.db import transaction
from django.urls import reverse

from wuye.notifications.models import Notification, SmsMessage
from wuye.notifications.services import notify, send_sms
from wuye.notifications.sms import LocmemSmsBackend


@pytest.fixture
def smtp_sink(settings):
    """An SMTP server on loopback (aiosmtpd) for the duration of the test; yields received messages."""
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield received
    finally:
        controller.stop()


@pytest.fixture
def sms(settings):
    settings.WUYE_SMS_BACKEND = "wuye.notifications.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    return LocmemSmsBackend.outbox


def test_notify_sends_inbox_email_and_sms_on_commit(cast, smtp_sink, sms, django_capture_on_commit_callbacks):
    user = cast.engineer_a
    user.email, user.phone = "eng@example.com", "13700137000"
    user.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = notify(
            recipients=[user, user, None],
            title="电梯困人",
            body="2栋1号梯",
            link="/service/orders/1/",
            project=cast.project_a,
            kind="test",
        )
    assert len(rows) == 1 and smtp_sink == [] and sms == []  # nothing leaves before the commit
    for cb in callbacks:
        cb()
    assert len(smtp_sink) == 1
    message = smtp_sink[0]
    assert message.rcpt_tos == ["eng@example.com"]
    assert b"/service/orders/1/" in message.content
    assert sms == [("13700137000", "【物业服务中心】电梯困人：2栋1号梯")]
    n = Notification.objects.get()
    assert n.email_status == "sent" and n.sms_status == "sent" and n.read_at is None
    assert SmsMessage.objects.get().status == "sent"


def test_rolled_back_business_step_sends_nothing(cast, sms, django_capture_on_commit_callbacks):
    cast.engineer_a.phone = "13700137000"
    cast.engineer_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(recipients=[cast.engineer_a], title="x", project=cast.project_a)
                raise RuntimeError("the business step failed")
        except RuntimeError:
            pass
    assert sms == [] and not Notification.objects.exists()


def test_missing_addresses_and_failures_are_recorded(cast, settings, django_capture_on_commit_callbacks):
    settings.WUYE_SMS_BACKEND = "wuye.notifications.sms.FailingSmsBackend"
    cast.cashier_a.phone = "13700000000"
    cast.cashier_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[cast.engineer_a, cast.cashier_a], title="t", channels=("inbox", "email", "sms"))
    by_user = {n.recipient_id: n for n in Notification.objects.all()}
    assert by_user[cast.engineer_a.pk].email_status == "skipped"
    assert by_user[cast.cashier_a.pk].sms_status == "failed"
    assert "refused" in SmsMessage.objects.get().error


def test_send_sms_to_any_phone(cast, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        msg = send_sms(
            phone="13911112222", text="您的物业费已逾期", project=cast.project_a, kind="billing.dunning"
        )
    msg.refresh_from_db()
    assert msg.status == "sent" and sms == [("13911112222", "您的物业费已逾期")]
    assert str(msg).startswith("139****2222")


def test_logging_backend_masks_the_phone(cast, caplog, settings, django_capture_on_commit_callbacks):
    settings.WUYE_SMS_BACKEND = "wuye.notifications.sms.LoggingSmsBackend"
    with caplog.at_level("INFO", logger="wuye.sms"), django_capture_on_commit_callbacks(execute=True):
        send_sms(phone="13911112222", text="测试")
    assert "139****2222" in caplog.text and "13911112222" not in caplog.text


def test_inbox_badge_and_read(cast, client_for):
    mine = notify(recipients=[cast.manager_a], title="给我的", link="/service/board/", channels=("inbox",))[0]
    notify(recipients=[cast.staff_b], title="给别人的", channels=("inbox",))
    client = client_for(cast.manager_a)
    body = client.get(reverse("notifications:inbox")).content.decode()
    assert "给我的" in body and "给别人的" not in body
    badge = client.get(reverse("notifications:badge")).content.decode()
    assert 'data-testid="unread-count">1<' in badge
    home = client.get("/").content.decode()
    assert 'data-testid="notification-badge"' in home  # the header include
    response = client.get(mine.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == "/service/board/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    other = Notification.objects.get(title="给别人的")
    assert client.get(other.get_absolute_url()).status_code == 404
    notify(recipients=[cast.manager_a], title="第二条", channels=("inbox",))
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.restrict(cast.manager_a).unread().exists()
    assert Notification.objects.restrict(cast.staff_b).unread().exists()


def test_api_inbox(cast, api_for):
    n = notify(recipients=[cast.engineer_a], title="API通知", channels=("inbox",))[0]
    notify(recipients=[cast.manager_a], title="别人的", channels=("inbox",))
    api = api_for(cast.engineer_a)
    rows = api.get("/api/v1/notifications/", {"unread": 1}).json()["results"]
    assert [r["title"] for r in rows] == ["API通知"]
    assert api.post(f"/api/v1/notifications/{n.pk}/read/").json()["read_at"]
    assert api.get("/api/v1/notifications/", {"unread": 1}).json()["results"] == []
    assert api.post("/api/v1/inbox/read-all/").json() == {"marked": 0}
    other = Notification.objects.get(title="别人的")
    assert api.get(f"/api/v1/notifications/{other.pk}/").status_code == 404


def test_sms_log_is_for_operations(cast, client_for):
    SmsMessage.objects.create(project=cast.project_a, phone="13911112222", text="短信甲")
    SmsMessage.objects.create(project=cast.project_b, phone="13911113333", text="短信乙")
    assert client_for(cast.manager_a).get(reverse("notifications:smsmessage_list")).status_code == 403
    body = client_for(cast.ops_admin).get(reverse("notifications:smsmessage_list")).content.decode()
    assert "短信甲" in body and "短信乙" in body and "139****2222" in body and "13911112222" not in body
