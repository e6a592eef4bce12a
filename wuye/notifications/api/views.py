from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.viewsets import ReadOnlyModelViewSet

from wuye.core.api.viewsets import ScopedReadOnlyViewSet
from wuye.notifications import services
from wuye.notifications.api.serializers import NotificationSerializer, SmsMessageSerializer
from wuye.notifications.models import Notification, SmsMessage


class NotificationViewSet(ReadOnlyModelViewSet):
    """The caller's own inbox. ``?unread=1`` lists unread ones; POST .../read/ and read-all/ mark them."""

    queryset = Notification.objects.filter(in_inbox=True).select_related("project")
    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["kind", "project"]

    def get_queryset(self):
        qs = super().get_queryset().restrict(self.request.user)
        if self.action == "list" and self.request.query_params.get("unread"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        n = self.get_object()
        services.do_mark_read(actor=request.user, notifications=[n])
        n.refresh_from_db()
        return Response(self.get_serializer(n).data)


class InboxViewSet(viewsets.ViewSet):
    """``POST /api/v1/inbox/read-all/`` marks all the caller's notifications read."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()})
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.do_mark_all_read(actor=request.user)})


class SmsMessageViewSet(ScopedReadOnlyViewSet):
    queryset = SmsMessage.objects.select_related("project")
    serializer_class = SmsMessageSerializer
    filterset_fields = ["status", "kind", "project"]
