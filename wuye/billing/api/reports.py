"""Billing API: arrears, collection figures, dunning records."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from wuye.billing.models import Bill, DunningRecord, PaymentAllocation
from wuye.billing.services import dunning, reports
from wuye.core.api.serializers import ValidatedModelSerializer
from wuye.core.api.viewsets import ScopedCreateReadViewSet, ScopedModelPermissions
from wuye.core.money import fen


class DunningRecordSerializer(ValidatedModelSerializer):
    bills = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = DunningRecord
        fields = [
            "id",
            "display",
            "project",
            "unit",
            "bills",
            "channel",
            "at",
            "recipient",
            "amount",
            "delivered",
            "delivered_on",
            "note",
            "handled_by",
        ]
        read_only_fields = ["project", "bills", "at", "amount", "handled_by"]

    def create(self, validated_data):
        try:
            return dunning.do_record_dunning(
                actor=self.context["request"].user,
                unit=validated_data["unit"],
                channel=validated_data["channel"],
                delivered=validated_data.get("delivered", False),
                delivered_on=validated_data.get("delivered_on"),
                recipient=validated_data.get("recipient", ""),
                note=validated_data.get("note", ""),
            )
        except DjangoValidationError as exc:
            raise ValidationError({"unit": exc.messages}) from None

    def validate(self, attrs):
        unit = attrs.get("unit")
        if unit is not None:
            attrs.setdefault("project", unit.project)
        return super().validate(attrs)


class ConfirmDeliverySerializer(serializers.Serializer):
    delivered_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DunningRecordViewSet(ScopedCreateReadViewSet):
    """Reminders and demands for payment; POST .../confirm_delivery/ records delivery.

    Records are evidence: they are never edited or deleted through the API.
    """

    queryset = DunningRecord.objects.select_related("unit", "handled_by").prefetch_related("bills")
    serializer_class = DunningRecordSerializer
    filterset_fields = ["project", "unit", "channel", "delivered"]
    action_permissions = {"confirm_delivery": "change"}

    @extend_schema(request=ConfirmDeliverySerializer, responses=DunningRecordSerializer)
    @action(detail=True, methods=["post"])
    def confirm_delivery(self, request, pk=None):
        record = self.get_object()
        data = ConfirmDeliverySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            record = dunning.do_confirm_delivery(actor=request.user, record=record, **data.validated_data)
        except DjangoValidationError as exc:
            raise ValidationError({"detail": exc.messages}) from None
        return Response(self.get_serializer(record).data)


def _date(value, default):
    if not value:
        return default
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({"date": f"use YYYY-MM-DD, got {value!r}"}) from None


def _money(value):
    """Decimals as strings with two places (aggregates may come back as 600 rather than 600.00)."""
    return str(fen(value)) if isinstance(value, Decimal) else value


class _ReportViewSet(viewsets.ViewSet):
    permission_classes = [ScopedModelPermissions]
    queryset = Bill.objects.all()

    def get_permission_action(self):
        return "view"

    def bills(self):
        return Bill.objects.restrict(self.request.user, "view").in_project(
            getattr(self.request, "project", None)
        )


class ArrearsViewSet(_ReportViewSet):
    """Overdue amounts by unit, building or item and age bucket (0-30, 31-90, 91-180, 181-365, >365 days)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", str),
            OpenApiParameter("group", str, enum=["unit", "building", "item"]),
        ]
    )
    def list(self, request):
        as_of = _date(request.query_params.get("as_of"), timezone.localdate())
        group = request.query_params.get("group", "unit")
        if group not in ("unit", "building", "item"):
            raise ValidationError({"group": "unit, building or item"})
        bills = self.bills()
        project = request.query_params.get("project")
        if project and project.isdigit():
            bills = bills.filter(project_id=int(project))
        rows = [{k: _money(v) for k, v in row.items()} for row in reports.arrears(bills, as_of, group)[:1000]]
        totals = {k: _money(v) for k, v in reports.arrears_totals(bills, as_of).items()}
        return Response({"as_of": as_of, "group": group, "totals": totals, "results": rows})


class CollectionViewSet(_ReportViewSet):
    """收缴率 for a month by project, building or item, with the recovery of older arrears."""

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM"),
            OpenApiParameter("group", str, enum=["project", "building", "item"]),
        ]
    )
    def list(self, request):
        month = _date(
            (request.query_params.get("month") or "") + "-01" if request.query_params.get("month") else "",
            timezone.localdate().replace(day=1),
        )
        group = request.query_params.get("group", "project")
        if group not in ("project", "building", "item"):
            raise ValidationError({"group": "project, building or item"})
        bills = self.bills()
        allocations = PaymentAllocation.objects.filter(bill__in=bills.values("pk"))
        rows = reports.collection(bills, allocations, month, group)
        data = [{k: _money(v) for k, v in row.items()} for row in rows]
        return Response({"month": month.strftime("%Y-%m"), "group": group, "results": data})


routes = [
    ("billing/dunning", DunningRecordViewSet, "billing-dunningrecord"),
    ("billing/arrears", ArrearsViewSet, "billing-arrears"),
    ("billing/collection", CollectionViewSet, "billing-collection"),
]
