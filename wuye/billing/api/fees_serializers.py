"""Serializers of the fees API (setup, runs, bills, corrections, statements)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from wuye.billing.choices import AdjustmentKindChoices, BillEventKindChoices
from wuye.billing.forms import overlapping_assignment
from wuye.billing.models import (
    Bill,
    BillAdjustment,
    BillEvent,
    BillingRun,
    BillingSchedule,
    FeeAssignment,
    FeeItem,
    FeeStandard,
    LateFeeRule,
    PaymentAllocation,
)
from wuye.billing.services.periods import parse_period
from wuye.core.api.serializers import ValidatedModelSerializer
from wuye.estate.choices import UnitStatusChoices, UnitUsageChoices

MONEY = {"max_digits": 14, "decimal_places": 2}


class FeeItemSerializer(ValidatedModelSerializer):
    class Meta:
        model = FeeItem
        validators = []
        fields = [
            "id",
            "display",
            "project",
            "name",
            "category",
            "tax_rate",
            "collected_on_behalf",
            "is_active",
            "sort_order",
            "note",
        ]


class LateFeeRuleSerializer(ValidatedModelSerializer):
    class Meta:
        model = LateFeeRule
        fields = ["id", "display", "project", "name", "daily_rate", "grace_days", "cap_ratio"]


class FeeStandardSerializer(ValidatedModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = FeeStandard
        fields = [
            "id",
            "display",
            "project",
            "item",
            "item_name",
            "name",
            "method",
            "unit_price",
            "tiers",
            "cycle",
            "due_day",
            "effective_from",
            "effective_to",
            "prorate",
            "late_fee_rule",
            "vacancy_rate",
            "vacancy_after_months",
            "prepay_months",
            "prepay_discount_rate",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance
        if instance is not None and instance.bills.exists():
            for name in ("method", "unit_price", "cycle", "tiers"):
                if name in attrs and attrs[name] != getattr(FeeStandard.objects.get(pk=instance.pk), name):
                    raise serializers.ValidationError(
                        {name: "This standard has bills: change the price with POST .../change-price/."}
                    )
        return attrs


class FeeAssignmentSerializer(ValidatedModelSerializer):
    target = serializers.SerializerMethodField()

    class Meta:
        model = FeeAssignment
        fields = [
            "id",
            "display",
            "project",
            "standard",
            "unit",
            "parking_space",
            "target",
            "start_date",
            "end_date",
            "weight",
        ]

    def get_target(self, obj) -> str:
        return str(obj.unit or obj.parking_space or "")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        probe = FeeAssignment(
            pk=getattr(self.instance, "pk", None),
            **{
                k: attrs.get(k, getattr(self.instance, k, None))
                for k in ("standard", "unit", "parking_space", "start_date", "end_date")
            },
        )
        if probe.standard_id and probe.start_date and (probe.unit_id or probe.parking_space_id):
            other = overlapping_assignment(probe)
            if other is not None:
                raise serializers.ValidationError(
                    {"start_date": f"Overlaps assignment {other.pk} ({other.standard}) of the same fee item."}
                )
        return attrs


class BillingScheduleSerializer(ValidatedModelSerializer):
    class Meta:
        model = BillingSchedule
        validators = []
        fields = ["id", "display", "project", "day_of_month", "items", "is_enabled", "last_period"]
        read_only_fields = ["last_period"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        project = attrs.get("project") or getattr(self.instance, "project", None)
        if project is not None and any(i.project_id != project.pk for i in attrs.get("items") or ()):
            raise serializers.ValidationError({"items": "Choose fee items of this project."})
        return attrs


class BillingRunSerializer(serializers.ModelSerializer):
    display = serializers.CharField(source="__str__", read_only=True)
    job = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = BillingRun
        fields = [
            "id",
            "display",
            "project",
            "period",
            "items",
            "job",
            "created_count",
            "skipped_count",
            "total_amount",
            "summary",
            "created_by",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class BillingRunRequestSerializer(serializers.Serializer):
    """POST /billing/runs/: start a run (a Job) for a project and a month, optionally some items."""

    project = serializers.IntegerField()
    period = serializers.CharField(help_text="month to bill, e.g. 2026-11")
    items = serializers.ListField(child=serializers.CharField(), required=False, default=list)

    def validate_period(self, value):
        try:
            parse_period(value)
        except ValueError:
            raise serializers.ValidationError("Enter a month like 2026-11.") from None
        return value


class JobStartedSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.CharField()
    url = serializers.CharField()


class BillSerializer(serializers.ModelSerializer):
    display = serializers.CharField(source="number", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    target = serializers.SerializerMethodField()
    outstanding = serializers.DecimalField(read_only=True, **MONEY)
    limitation_date = serializers.DateField(read_only=True)
    period_label = serializers.CharField(read_only=True)

    class Meta:
        model = Bill
        fields = [
            "id",
            "display",
            "number",
            "project",
            "unit",
            "parking_space",
            "target",
            "payer",
            "payer_name",
            "item",
            "item_name",
            "standard",
            "run",
            "period_start",
            "period_end",
            "period_label",
            "due_date",
            "quantity",
            "unit_price",
            "months",
            "amount",
            "tax_rate",
            "description",
            "calc",
            "discount_amount",
            "paid_amount",
            "outstanding",
            "late_fee_paid",
            "late_fee_waived",
            "status",
            "source",
            "limitation_start",
            "limitation_date",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = fields

    def get_target(self, obj) -> str:
        return str(obj.unit or obj.parking_space or "")


class AllocationSerializer(serializers.ModelSerializer):
    receipt = serializers.CharField(source="payment.number")
    date = serializers.DateField(source="payment.business_date")

    class Meta:
        model = PaymentAllocation
        fields = ["payment", "receipt", "date", "kind", "amount"]


class AdjustmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = BillAdjustment
        fields = ["id", "kind", "amount", "reason", "approval", "created_by", "created_at"]


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = BillEvent
        fields = ["id", "kind", "date", "note", "created_by", "created_at"]


class BillDetailSerializer(BillSerializer):
    late_fee = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()
    allocations = AllocationSerializer(many=True, read_only=True)
    adjustments = AdjustmentSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta(BillSerializer.Meta):
        fields = [
            *BillSerializer.Meta.fields,
            "late_fee",
            "explanation",
            "allocations",
            "adjustments",
            "events",
        ]
        read_only_fields = fields

    def get_late_fee(self, obj) -> str:
        from wuye.billing.services import late_fee_for

        return str(late_fee_for(obj, timezone.localdate()))

    def get_explanation(self, obj) -> list[str]:
        from wuye.billing.views.fees_bills import explain

        return [str(line) for line in explain(obj)]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class ReduceSerializer(serializers.Serializer):
    amount = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)
    reason = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(
        choices=[AdjustmentKindChoices.REDUCTION, AdjustmentKindChoices.DISCOUNT],
        default=AdjustmentKindChoices.REDUCTION,
    )


class WaiveSerializer(serializers.Serializer):
    amount = serializers.DecimalField(min_value=Decimal("0.01"), **MONEY)
    reason = serializers.CharField(max_length=200)


class BillEventRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[BillEventKindChoices.DEMAND_DELIVERED, BillEventKindChoices.REPAYMENT_AGREEMENT]
    )
    date = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ApprovalPendingSerializer(serializers.Serializer):
    approval = serializers.IntegerField()
    status = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()


class BulkAssignRequestSerializer(serializers.Serializer):
    standard = serializers.IntegerField()
    start_date = serializers.DateField()
    building = serializers.IntegerField(required=False, allow_null=True)
    usage = serializers.ChoiceField(choices=UnitUsageChoices.choices, required=False, allow_blank=True)
    statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=UnitStatusChoices.choices), required=False, default=list
    )
    lot = serializers.IntegerField(required=False, allow_null=True, help_text="assign to this lot's spaces")


class ChangePriceSerializer(serializers.Serializer):
    effective_from = serializers.DateField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=4, min_value=Decimal("0"))
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    dry_run = serializers.BooleanField(required=False, default=False)
