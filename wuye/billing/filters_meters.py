"""Filter sets of the meters screens (UI list filters and API query parameters)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from wuye.billing.models.meters import (
    Meter,
    MeterKindChoices,
    MeterReading,
    MeterReadingStatusChoices,
    UsageFlagChoices,
)
from wuye.core.filters import BaseFilterSet, ProjectFilterSetMixin
from wuye.estate.filters import CurrentProjectChoicesMixin
from wuye.estate.models import Building


def hide(filterset, name):
    """Long dropdowns (every unit, every meter) stay usable as ``?name=<id>`` links, not as menus."""
    flt = filterset.filters.get(name)
    if flt is not None:
        flt.extra["widget"] = forms.HiddenInput()


class MeterFilterSet(CurrentProjectChoicesMixin, ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("number", "unit__code", "location", "note")
    narrowed_filters = ("building",)
    kind = django_filters.ChoiceFilter(choices=MeterKindChoices.choices, label=_("kind"))
    building = django_filters.ModelChoiceFilter(queryset=Building.objects.all(), label=_("building"))

    class Meta:
        model = Meter
        fields = ["project", "kind", "building", "is_public", "is_active", "unit", "standard"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.narrow_choices()
        hide(self, "unit")


class MeterReadingFilterSet(CurrentProjectChoicesMixin, ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("meter__number", "meter__unit__code", "note")
    narrowed_filters = ("building",)
    period = django_filters.CharFilter(method="filter_period", label=_("period (2026-11)"))
    building = django_filters.ModelChoiceFilter(
        queryset=Building.objects.all(), field_name="meter__building", label=_("building")
    )
    status = django_filters.ChoiceFilter(choices=MeterReadingStatusChoices.choices, label=_("status"))
    flag = django_filters.ChoiceFilter(
        choices=[c for c in UsageFlagChoices.choices if c[0]], label=_("check")
    )
    kind = django_filters.ChoiceFilter(
        field_name="meter__kind", choices=MeterKindChoices.choices, label=_("kind")
    )

    class Meta:
        model = MeterReading
        fields = ["project", "period", "building", "kind", "status", "flag", "meter"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.narrow_choices()
        hide(self, "meter")

    def filter_period(self, queryset, name, value):
        from wuye.billing.services.periods import parse_period

        try:
            return queryset.filter(period=parse_period(value))
        except ValueError:
            return queryset.none()
