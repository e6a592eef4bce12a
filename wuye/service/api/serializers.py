from rest_framework import serializers

from wuye.core.api.serializers import ValidatedModelSerializer
from wuye.service.choices import PauseReasonChoices, PhotoStageChoices, VisitMethodChoices
from wuye.service.models import (
    Category,
    PriceItem,
    QuoteLine,
    ReturnVisit,
    ServiceSettings,
    SlaClock,
    SlaRule,
    Team,
    WorkOrder,
)


class TeamSerializer(ValidatedModelSerializer):
    class Meta:
        model = Team
        fields = [
            "id",
            "display",
            "project",
            "name",
            "leader",
            "members",
            "dispatch_mode",
            "is_active",
            "note",
        ]

    def get_fields(self):
        fields = super().get_fields()
        from wuye.accounts.models import User

        request = self.context.get("request")
        users = User.objects.restrict(getattr(request, "user", None), "view")
        fields["leader"].queryset = users
        fields["members"].child_relation.queryset = users
        return fields


class CategorySerializer(ValidatedModelSerializer):
    class Meta:
        model = Category
        fields = [
            "id",
            "display",
            "project",
            "parent",
            "name",
            "full_name",
            "default_team",
            "default_priority",
            "sort_order",
            "is_active",
        ]
        read_only_fields = ["full_name"]


class SlaRuleSerializer(ValidatedModelSerializer):
    class Meta:
        model = SlaRule
        fields = [
            "id",
            "display",
            "project",
            "name",
            "kind",
            "category",
            "priority",
            "accept_minutes",
            "arrive_minutes",
            "arrive_at_appointment",
            "complete_minutes",
            "is_active",
        ]


class PriceItemSerializer(ValidatedModelSerializer):
    class Meta:
        model = PriceItem
        fields = ["id", "display", "project", "name", "kind", "unit_label", "price", "is_active", "note"]


class ServiceSettingsSerializer(ValidatedModelSerializer):
    class Meta:
        model = ServiceSettings
        fields = [
            "id",
            "display",
            "project",
            "auto_confirm_days",
            "repair_return_visit",
            "warning_percent",
            "escalation_interval_minutes",
            "repeat_window_days",
            "unsatisfied_threshold",
            "unsatisfied_action",
        ]
        read_only_fields = ["project"]


class SlaClockSerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaClock
        fields = [
            "deadline",
            "started_at",
            "due_at",
            "warn_at",
            "warned_at",
            "breached_at",
            "stopped_at",
            "met",
            "level",
        ]


class QuoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuoteLine
        fields = ["id", "price_item", "name", "quantity", "unit_price", "amount"]


WORKORDER_READ_ONLY = [
    "number",
    "status",
    "assignee",
    "is_repeat",
    "repeat_of",
    "resolution",
    "materials",
    "pause_reason",
    "pause_note",
    "paused_seconds",
    "cancel_reason",
    "reopen_count",
    "return_visit_required",
    "needs_attention",
    "reported_at",
    "assigned_at",
    "accepted_at",
    "arrived_at",
    "completed_at",
    "confirmed_at",
    "visited_at",
    "closed_at",
    "cancelled_at",
    "response_seconds",
    "arrival_seconds",
    "completion_seconds",
    "sla_breached",
    "satisfaction",
    "reporter_rating",
    "quote_status",
    "quote_total",
    "bill_id",
    "bill_number",
    "created_at",
    "updated_at",
]


class WorkOrderSerializer(ValidatedModelSerializer):
    contact_phone_masked = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    contact_phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "display",
            "project",
            "kind",
            "repair_scope",
            "source",
            "category",
            "priority",
            "unit",
            "building",
            "location",
            "reporter",
            "anonymous",
            "contact_name",
            "contact_phone",
            "contact_phone_masked",
            "description",
            "appointment_at",
            "responsible_department",
            "complaint_cause",
            "team",
            "is_paid",
            "status_display",
            *WORKORDER_READ_ONLY,
        ]
        read_only_fields = WORKORDER_READ_ONLY


class WorkOrderDetailSerializer(WorkOrderSerializer):
    clocks = SlaClockSerializer(many=True, read_only=True)
    quote_lines = QuoteLineSerializer(many=True, read_only=True)

    class Meta(WorkOrderSerializer.Meta):
        fields = [*WorkOrderSerializer.Meta.fields, "clocks", "quote_lines"]


class ReturnVisitSerializer(ValidatedModelSerializer):
    class Meta:
        model = ReturnVisit
        fields = [
            "id",
            "display",
            "project",
            "order",
            "visited_at",
            "method",
            "reached",
            "satisfaction",
            "comment",
            "outcome",
            "created_by",
        ]
        read_only_fields = fields


# -- step payloads --------------------------------------------------------------------------
class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField()
    team = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TeamStepSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class PauseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=PauseReasonChoices.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CompleteSerializer(serializers.Serializer):
    resolution = serializers.CharField()
    materials = serializers.CharField(required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.ImageField(), required=False, default=list, max_length=9)


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField()


class ConfirmSerializer(serializers.Serializer):
    satisfied = serializers.BooleanField(default=True)
    rating = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnVisitStepSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=VisitMethodChoices.choices, default="phone")
    reached = serializers.BooleanField(default=True)
    satisfaction = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    close = serializers.BooleanField(default=False)


class CommentSerializer(serializers.Serializer):
    body = serializers.CharField()


class PhotosSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=PhotoStageChoices.choices, default="report")
    photos = serializers.ListField(child=serializers.FileField(), max_length=9)


class QuoteLineInSerializer(serializers.Serializer):
    price_item = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, default="")
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2, default=1, min_value=0)
    unit_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0
    )


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    title = serializers.CharField()
    text = serializers.CharField(required=False)
    actor = serializers.CharField(allow_null=True)
