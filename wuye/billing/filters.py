"""Filter sets of the billing screens: they drive the list filters and the API query parameters."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.billing.choices import (
    BillSourceChoices,
    BillStatusChoices,
    FeeItemCategoryChoices,
    PricingMethodChoices,
)
from wuye.billing.models import (
    Bill,
    BillingRun,
    BillingSchedule,
    FeeAssignment,
    FeeItem,
    FeeStandard,
    LateFeeRule,
)
from wuye.billing.services.periods import add_months, parse_period
from wuye.core.filters import BaseFilterSet, ProjectFilterSetMixin
from wuye.estate.filters import CurrentProjectChoicesMixin
from wuye.estate.models import Building, ParkingLot
from wuye.estate.search import normalize_input, unit_search_q

OPEN = (BillStatusChoices.OPEN, BillStatusChoices.PARTIAL)


class MonthInput(forms.TextInput):
    input_type = "month"


def month_filter(queryset, field: str, value):
    """``2026-11`` keeps rows whose ``field`` (a date) falls in that month; bad input keeps none."""
    value = (value or "").strip()
    if not value:
        return queryset
    try:
        start = parse_period(value)
    except ValueError:
        return queryset.none()
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": add_months(start, 1)})


class NarrowedFilterSet(CurrentProjectChoicesMixin, ProjectFilterSetMixin, BaseFilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.narrow_choices()


class FeeItemFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("name", "note")
    category = django_filters.ChoiceFilter(choices=FeeItemCategoryChoices.choices, label=_("category"))

    class Meta:
        model = FeeItem
        fields = ["project", "category", "is_active", "collected_on_behalf"]


class LateFeeRuleFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("name",)

    class Meta:
        model = LateFeeRule
        fields = ["project"]


class FeeStandardFilterSet(NarrowedFilterSet):
    search_fields = ("name", "item__name")
    item = django_filters.ModelChoiceFilter(queryset=FeeItem.objects.all(), label=_("fee item"))
    method = django_filters.ChoiceFilter(choices=PricingMethodChoices.choices, label=_("pricing method"))
    in_force = django_filters.BooleanFilter(method="filter_in_force", label=_("In force today"))
    narrowed_filters = ("item",)

    class Meta:
        model = FeeStandard
        fields = ["project", "item", "method", "cycle"]

    def filter_in_force(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        now = Q(effective_from__lte=today) & (Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        return queryset.filter(now) if value else queryset.exclude(now)


class FeeAssignmentFilterSet(NarrowedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Unit or space code"))
    standard = django_filters.ModelChoiceFilter(queryset=FeeStandard.objects.all(), label=_("fee standard"))
    item = django_filters.ModelChoiceFilter(
        field_name="standard__item", queryset=FeeItem.objects.all(), label=_("fee item")
    )
    building = django_filters.ModelChoiceFilter(
        field_name="unit__building", queryset=Building.objects.all(), label=_("building")
    )
    lot = django_filters.ModelChoiceFilter(
        field_name="parking_space__lot", queryset=ParkingLot.objects.all(), label=_("parking lot")
    )
    current = django_filters.BooleanFilter(method="filter_current", label=_("Current only"))
    narrowed_filters = ("standard", "item", "building", "lot")

    class Meta:
        model = FeeAssignment
        fields = ["project", "standard", "item", "building", "lot"]

    def search(self, queryset, name, value):
        if not normalize_input(value):
            return queryset
        return queryset.filter(
            unit_search_q(value, prefix="unit__") | Q(parking_space__code__icontains=value.strip())
        )

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        now = Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
        return queryset.filter(now) if value else queryset.exclude(now)


class FeeAssignmentAPIFilterSet(FeeAssignmentFilterSet):
    unit = django_filters.NumberFilter(field_name="unit", label=_("unit"))
    parking_space = django_filters.NumberFilter(field_name="parking_space", label=_("parking space"))


class BillingScheduleFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    class Meta:
        model = BillingSchedule
        fields = ["project", "is_enabled"]


class BillingRunFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("items",)
    period = django_filters.CharFilter(
        method="filter_period", label=_("period"), widget=MonthInput(attrs={"placeholder": "2026-11"})
    )

    class Meta:
        model = BillingRun
        fields = ["project", "period"]

    def filter_period(self, queryset, name, value):
        return month_filter(queryset, "period", value)


class BillFilterSet(NarrowedFilterSet):
    """Bills: by period (month), item, status, building, unit code, payer, overdue, source."""

    search_fields = ("number", "payer_name", "description")
    period = django_filters.CharFilter(
        method="filter_period", label=_("period"), widget=MonthInput(attrs={"placeholder": "2026-11"})
    )
    item = django_filters.ModelChoiceFilter(queryset=FeeItem.objects.all(), label=_("fee item"))
    status = django_filters.ChoiceFilter(choices=BillStatusChoices.choices, label=_("status"))
    building = django_filters.ModelChoiceFilter(
        field_name="unit__building", queryset=Building.objects.all(), label=_("building")
    )
    unit_code = django_filters.CharFilter(method="filter_unit", label=_("Unit code"))
    payer = django_filters.CharFilter(field_name="payer_name", lookup_expr="icontains", label=_("payer"))
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue only"), widget=forms.CheckboxInput
    )
    source = django_filters.ChoiceFilter(choices=BillSourceChoices.choices, label=_("source"))
    narrowed_filters = ("item", "building")

    class Meta:
        model = Bill
        fields = ["project", "period", "item", "status", "building", "source"]

    def filter_period(self, queryset, name, value):
        return month_filter(queryset, "period_start", value)

    def filter_unit(self, queryset, name, value):
        if not normalize_input(value):
            return queryset
        return queryset.filter(unit_search_q(value, prefix="unit__"))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN, due_date__lt=timezone.localdate())


class BillAPIFilterSet(BillFilterSet):
    unit = django_filters.NumberFilter(field_name="unit", label=_("unit"))
    run = django_filters.NumberFilter(field_name="run", label=_("billing run"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("due by"))
