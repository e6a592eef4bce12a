from wuye.core.testing.factories import register, seq
from wuye.notifications.models import Notification, SmsMessage


@register(Notification)
def make_notification(project=None, recipient=None, **kw):
    """A notification in ``project`` for a user who works there."""
    if recipient is None:
        from wuye.core.testing.factories import make_user

        recipient = make_user(role_slug="customer-service", project=project) if project else make_user()
    return Notification.objects.create(
        recipient=recipient, project=project, title=kw.pop("title", f"通知{seq()}"), **kw
    )


@register(SmsMessage)
def make_sms(project=None, **kw):
    kw.setdefault("phone", "13800138000")
    kw.setdefault("text", f"短信{seq()}")
    return SmsMessage.objects.create(project=project, **kw)
