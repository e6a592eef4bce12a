"""API views of the platform itself: token login, and the core records."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from wuye.core import approvals
from wuye.core.api.serializers import ValidatedModelSerializer
from wuye.core.api.viewsets import ScopedReadOnlyViewSet
from wuye.core.models import ApprovalRequest, AuditEvent, Job


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenThrottle(AnonRateThrottle):
    rate = "30/min"


class TokenView(APIView):
    """Exchange a username and password for an API token (``Authorization: Token <key>``)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [TokenThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            return Response({"detail": "Invalid username or password."}, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """Revoke the token used for this request."""
        if not request.user.is_authenticated:
            return Response(status=status.HTTP_401_UNAUTHORIZED)
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_authenticators(self):
        if self.request is not None and self.request.method == "DELETE":
            from rest_framework.authentication import SessionAuthentication, TokenAuthentication

            return [TokenAuthentication(), SessionAuthentication()]
        return []

    def get_permissions(self):
        if self.request is not None and self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]


class JobSerializer(ValidatedModelSerializer):
    class Meta:
        model = Job
        fields = [
            "id",
            "display",
            "kind",
            "name",
            "project",
            "status",
            "progress",
            "progress_text",
            "result",
            "error",
            "output",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class JobViewSet(ScopedReadOnlyViewSet):
    """Long-running work (billing runs, imports, exports) and its progress."""

    queryset = Job.objects.select_related("project", "created_by")
    serializer_class = JobSerializer
    filterset_fields = ["kind", "status", "project"]


class AuditEventSerializer(ValidatedModelSerializer):
    content_type = serializers.SlugRelatedField(slug_field="model", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "project",
            "action",
            "content_type",
            "object_id",
            "object_repr",
            "amount",
            "message",
            "data",
        ]
        read_only_fields = fields


class AuditEventViewSet(ScopedReadOnlyViewSet):
    """Explicit audit rows written by business services."""

    queryset = AuditEvent.objects.select_related("content_type")
    serializer_class = AuditEventSerializer
    filterset_fields = ["action", "project", "actor"]


class ApprovalEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.PrimaryKeyRelatedField(read_only=True)
    step = serializers.IntegerField(allow_null=True)
    action = serializers.CharField()
    comment = serializers.CharField()


class ApprovalSerializer(ValidatedModelSerializer):
    events = ApprovalEventSerializer(many=True, read_only=True)
    can_decide = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "display",
            "project",
            "kind",
            "title",
            "reason",
            "amount",
            "steps",
            "current_step",
            "status",
            "created_by",
            "created_at",
            "decided_at",
            "events",
            "can_decide",
        ]
        read_only_fields = fields

    def get_can_decide(self, obj) -> bool:
        request = self.context.get("request")
        return approvals.can_decide(obj, request.user) if request else False


class DecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ApprovalViewSet(ScopedReadOnlyViewSet):
    """Approval requests; approve or reject the current step with POST .../approve/ or .../reject/."""

    queryset = ApprovalRequest.objects.select_related("project", "created_by").prefetch_related("events")
    serializer_class = ApprovalSerializer
    filterset_fields = ["status", "kind", "project"]
    action_permissions = {"approve": "view", "reject": "view"}

    def _decide(self, request, approve):
        req = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            req = approvals.do_decide_approval(
                actor=request.user, request=req, approve=approve, comment=data.validated_data["comment"]
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(self.get_serializer(req).data)

    @extend_schema(request=DecisionSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, True)

    @extend_schema(request=DecisionSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, False)
