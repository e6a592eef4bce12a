"""Billing API: meters and meter readings (抄表), and billing a month's confirmed readings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from wuye.billing.filters_meters import MeterFilterSet, MeterReadingFilterSet
from wuye.billing.models.meters import Meter, MeterReading
from wuye.billing.services import meters as service
from wuye.core.api.serializers import ValidatedModelSerializer
from wuye.core.api.viewsets import ScopedModelViewSet
from wuye.core.scoping import user_scope
from wuye.estate.models import Building, Project


class MeterSerializer(ValidatedModelSerializer):
    class Meta:
        model = Meter
        fields = [
            "id",
            "display",
            "project",
            "kind",
            "number",
            "is_public",
            "unit",
            "building",
            "standard",
            "multiplier",
            "digits",
            "initial_value",
            "location",
            "installed_on",
            "is_active",
            "note",
        ]


class MeterViewSet(ScopedModelViewSet):
    """Household and public meters."""

    queryset = Meter.objects.select_related("project", "unit", "building", "standard")
    serializer_class = MeterSerializer
    filterset_class = MeterFilterSet


class MeterReadingSerializer(ValidatedModelSerializer):
    bills = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = MeterReading
        fields = [
            "id",
            "display",
            "project",
            "meter",
            "period",
            "reading_date",
            "value",
            "previous_value",
            "usage",
            "average_usage",
            "flag",
            "is_rollover",
            "is_replacement",
            "old_final_value",
            "new_start_value",
            "note",
            "status",
            "revision",
            "bills",
        ]
        read_only_fields = [
            "project",
            "previous_value",
            "usage",
            "average_usage",
            "flag",
            "status",
            "revision",
            "bills",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # a reading stays with its meter
            fields["meter"] = serializers.PrimaryKeyRelatedField(read_only=True)
        return fields


BillRequest = inline_serializer(
    "MeterBillingRequest",
    {
        "project": serializers.IntegerField(),
        "period": serializers.CharField(help_text="2026-11"),
        "building": serializers.IntegerField(required=False, allow_null=True),
    },
)


class MeterReadingViewSet(ScopedModelViewSet):
    """Monthly readings; ``confirm``, ``unconfirm`` and ``reopen`` move one through its states;
    ``bill`` previews (GET) or creates (POST) the bills of a month's confirmed readings."""

    queryset = MeterReading.objects.select_related("project", "meter").prefetch_related("bills")
    serializer_class = MeterReadingSerializer
    filterset_class = MeterReadingFilterSet
    action_permissions = {
        "confirm": "change",
        "unconfirm": "change",
        "reopen": "run_billing",
        "bill": "run_billing",
    }

    def _transition(self, request, name):
        reading = self.get_object()
        try:
            if name == "reopen":
                reading = service.reopen_reading(actor=request.user, reading=reading)
            else:
                MeterReading.machine.apply(reading, name, actor=request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        reading.refresh_from_db()
        return Response(self.get_serializer(reading).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._transition(request, "confirm")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def unconfirm(self, request, pk=None):
        return self._transition(request, "unconfirm")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._transition(request, "reopen")

    def _target(self, data):
        from django.utils import timezone

        from wuye.billing.services.periods import parse_period

        try:
            period = parse_period(str(data.get("period") or f"{timezone.localdate():%Y-%m}"))
        except ValueError as exc:
            raise DjangoValidationError({"period": str(exc)}) from None
        projects = Project.objects.restrict(self.request.user, "view")
        if data.get("project"):
            project = projects.filter(pk=data["project"]).first()
        else:  # the project switched to, or the only one the user may bill
            current = getattr(self.request, "project", None)
            billable = [p for p in projects if p.pk in user_scope(self.request.user, "billing.run_billing")]
            project = current if current is not None else (billable[0] if len(billable) == 1 else None)
        if project is None or project.pk not in user_scope(self.request.user, "billing.run_billing"):
            raise DjangoValidationError({"project": "Unknown project, or you may not bill it."})
        building = None
        if data.get("building"):
            building = (
                Building.objects.restrict(self.request.user, "view")
                .filter(pk=data["building"], project=project)
                .first()
            )
            if building is None:
                raise DjangoValidationError({"building": "Unknown building in this project."})
        return project, period, building

    def _plan(self, request):
        project, period, building = self._target(request.query_params)
        plan = service.plan_meter_billing(project, period, building=building)
        return Response(
            {
                "project": project.pk,
                "period": f"{period:%Y-%m}",
                "drafts": plan.drafts,
                "bills": plan.line_count,
                "total": str(plan.total),
                "results": [
                    {
                        "id": rp.reading.pk,
                        "meter": rp.reading.meter.number,
                        "usage": str(rp.reading.usage),
                        "cost": str(rp.cost),
                        "lines": [
                            {
                                "unit": line.unit_code,
                                "quantity": str(line.quantity),
                                "amount": str(line.amount),
                            }
                            for line in rp.lines
                        ],
                        "already_billed": rp.already,
                        "problem": rp.problem,
                    }
                    for rp in plan.readings
                ],
            }
        )

    @extend_schema(
        methods=["GET"],
        responses=inline_serializer("MeterBillingPlan", {"results": serializers.ListField()}),
        description="Preview: ?project=&period=2026-11[&building=] (default: this month, and the project "
        "switched to or the only one the user may bill).",
    )
    @extend_schema(
        methods=["POST"],
        request=BillRequest,
        responses=inline_serializer("MeterBillingRun", {"run": serializers.IntegerField()}),
        description="Bill the confirmed readings of a month (one transaction; re-running creates nothing "
        "twice).",
    )
    @action(detail=False, methods=["get", "post"])
    def bill(self, request):
        """GET previews the bills a month's confirmed readings make; POST creates them."""
        if request.method == "GET":
            return self._plan(request)
        project, period, building = self._target(request.data)
        run = service.bill_meter_readings(
            actor=request.user, project=project, period=period, building=building
        )
        return Response(
            {
                "run": run.pk,
                "created": run.created_count,
                "skipped": run.skipped_count,
                "total": str(run.total_amount),
                "problems": run.summary.get("problems", []),
            },
            status=status.HTTP_201_CREATED,
        )


routes = [
    ("billing/meters", MeterViewSet, "billing-meter"),
    ("billing/meter-readings", MeterReadingViewSet, "billing-meterreading"),
]
