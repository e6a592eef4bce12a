import django_filters
from django.utils.translation import gettext_lazy as _

from wuye.core.filters import BaseFilterSet, ProjectFilterSetMixin
from wuye.service.choices import OPEN_STATUSES
from wuye.service.models import Category, PriceItem, ReturnVisit, ServiceSettings, SlaRule, Team, WorkOrder


class WorkOrderFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("number", "description", "location", "contact_name", "unit__code", "contact_phone")
    open = django_filters.BooleanFilter(method="filter_open", label=_("open"))
    reported_after = django_filters.DateFilter(
        field_name="reported_at", lookup_expr="date__gte", label=_("from")
    )
    reported_before = django_filters.DateFilter(
        field_name="reported_at", lookup_expr="date__lte", label=_("to")
    )

    class Meta:
        model = WorkOrder
        fields = [
            "kind",
            "status",
            "priority",
            "category",
            "team",
            "assignee",
            "source",
            "sla_breached",
            "is_repeat",
            "project",
        ]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)
        )


class WorkOrderApiFilterSet(WorkOrderFilterSet):
    """The API also filters by unit and reporter (ids), which the UI finds through search."""

    unit = django_filters.NumberFilter(field_name="unit_id", label=_("unit"))
    reporter = django_filters.NumberFilter(field_name="reporter_id", label=_("reporter"))
    assignee = django_filters.NumberFilter(field_name="assignee_id", label=_("assignee"))


class CategoryFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("full_name",)

    class Meta:
        model = Category
        fields = ["is_active", "default_team", "project"]


class TeamFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Team
        fields = ["dispatch_mode", "is_active", "project"]


class SlaRuleFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("name",)

    class Meta:
        model = SlaRule
        fields = ["kind", "priority", "is_active", "project"]


class PriceItemFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("name", "note")

    class Meta:
        model = PriceItem
        fields = ["kind", "is_active", "project"]


class ServiceSettingsFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    class Meta:
        model = ServiceSettings
        fields = ["project"]


class ReturnVisitFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("comment", "order__number")

    class Meta:
        model = ReturnVisit
        fields = ["method", "reached", "satisfaction", "outcome", "project"]
