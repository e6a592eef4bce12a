"""Forms of the meters screens."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from wuye.billing.choices import METER_METHODS
from wuye.billing.models.meters import Meter, MeterReading
from wuye.core.forms import BaseForm, BaseModelForm
from wuye.estate.forms import ProjectChoicesMixin
from wuye.estate.models import Building, Project


class MonthInput(forms.TextInput):
    """``<input type=month>`` showing a date as ``2026-11`` (not a DateInput: those become date pickers)."""

    input_type = "month"

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m}"
        return super().format_value(value)


class MonthField(forms.DateField):
    """A month as ``2026-11`` (an ``<input type=month>``), cleaned to its first day."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d", "%Y/%m"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class MeterForm(ProjectChoicesMixin, BaseModelForm):
    narrowed_fields = ("unit", "building", "standard")

    class Meta:
        model = Meter
        fields = [
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

    def __init__(self, *args, current_project=None, **kwargs):
        super().__init__(*args, current_project=current_project, **kwargs)
        self.narrow_choices(current_project)
        if "standard" in self.fields:
            self.fields["standard"].queryset = self.fields["standard"].queryset.filter(
                method__in=METER_METHODS
            )


class MeterReadingForm(BaseModelForm):
    period = MonthField(label=_("Period"))

    class Meta:
        model = MeterReading
        fields = [
            "meter",
            "period",
            "reading_date",
            "value",
            "is_rollover",
            "is_replacement",
            "old_final_value",
            "new_start_value",
            "note",
        ]

    def __init__(self, *args, current_project=None, **kwargs):
        super().__init__(*args, current_project=current_project, **kwargs)
        meter = self.fields["meter"]
        project = self.instance.project if self.instance.project_id else current_project
        meter.queryset = meter.queryset.filter(is_active=True) if not self.instance.pk else meter.queryset
        if project is not None:
            meter.queryset = meter.queryset.filter(project=project)
        meter.queryset = meter.queryset.select_related("unit")
        meter.label_from_instance = lambda m: f"{m.number} · {m.unit or m.building or ''}"
        if not self.instance.pk:
            today = datetime.date.today()
            self.initial["reading_date"] = self.initial.get("reading_date") or today
            self.initial["period"] = self.initial.get("period") or today.replace(day=1)
        else:
            meter.disabled = True
            self.fields["period"].disabled = True


class EntryForm(BaseForm):
    """Which building and month the reading grid shows."""

    building = forms.ModelChoiceField(queryset=Building.objects.none(), label=_("building"))
    period = MonthField(label=_("Period"))
    reading_date = forms.DateField(label=_("reading date"), required=False)

    def __init__(self, *args, buildings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings if buildings is not None else Building.objects.none()
        self.fields["building"].widget.attrs.pop("data-tom-select", None)


class BillPeriodForm(BaseForm):
    """Which project, month (and optionally building) to bill from confirmed readings."""

    project = forms.ModelChoiceField(queryset=Project.objects.none(), label=_("project"))
    period = MonthField(label=_("Period"))
    building = forms.ModelChoiceField(
        queryset=Building.objects.none(),
        label=_("building"),
        required=False,
        help_text=_("Empty: every building's confirmed readings of the month."),
    )

    def __init__(self, *args, projects=None, buildings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects if projects is not None else Project.objects.none()
        self.fields["building"].queryset = buildings if buildings is not None else Building.objects.none()
        self.fields["building"].widget.attrs.pop("data-tom-select", None)

    def clean(self):
        data = super().clean()
        project, building = data.get("project"), data.get("building")
        if project is not None and building is not None and building.project_id != project.pk:
            self.add_error("building", _("The building belongs to another project."))
        return data
