"""API views of the platform itself: token login, and the core records."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from wuye.core.api.serializers import ValidatedModelSerializer
from wuye.core.api.viewsets import ScopedReadOnlyViewSet
from wuye.core.models import AuditEvent, Job


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
            request._request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if user is None or not user.is_active:
            return Response(
                {"detail": "Invalid username or password."}, status=status.HTTP_400_BAD_REQUEST
            )
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
            "id", "display", "kind", "name", "project", "status", "progress", "progress_text", "result",
            "error", "output", "created_by", "created_at", "started_at", "finished_at",
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
            "id", "at", "actor", "project", "action", "content_type", "object_id", "object_repr", "amount",
            "message", "data",
        ]
        read_only_fields = fields


class AuditEventViewSet(ScopedReadOnlyViewSet):
    """Explicit audit rows written by business services."""

    queryset = AuditEvent.objects.select_related("content_type")
    serializer_class = AuditEventSerializer
    filterset_fields = ["action", "project", "actor"]
