from rest_framework import serializers

from wuye.core.api.serializers import ValidatedModelSerializer
from wuye.notifications.models import Notification, SmsMessage


class NotificationSerializer(ValidatedModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "display", "project", "kind", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class SmsMessageSerializer(ValidatedModelSerializer):
    phone = serializers.CharField(source="phone_masked", read_only=True)

    class Meta:
        model = SmsMessage
        fields = [
            "id",
            "display",
            "project",
            "kind",
            "phone",
            "text",
            "status",
            "backend",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields
