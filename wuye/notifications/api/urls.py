from wuye.notifications.api import views

routes = [
    ("notifications", views.NotificationViewSet, "notifications-notification"),
    ("inbox", views.InboxViewSet, "notifications-inbox"),
    ("sms-messages", views.SmsMessageViewSet, "notifications-smsmessage"),
]
