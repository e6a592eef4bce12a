from django import forms
from django.utils.translation import gettext_lazy as _

from wuye.core.forms import BaseForm, BaseModelForm
from wuye.core.widgets import FastSelect
from wuye.estate.choices import UnitStatusChoices
from wuye.estate.models import Building, Entrance, ParkingLot, ParkingSpace, Project, Unit
from wuye.estate.search import normalize_input


class ProjectForm(BaseModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "code",
            "city",
            "district",
            "address",
            "service_grade",
            "fee_model",
            "managed_area",
            "handover_date",
            "status",
            "service_phone",
        ]


class ProjectChoicesMixin:
    """Related dropdowns (building, entrance, lot) list the rows of the object's project: the one
    being edited, else the project the user has switched to. With no project chosen they list
    every project the user may see, labelled with the project code so 3栋 of two projects differ.
    The base form has already restricted them to the user."""

    narrowed_fields: tuple = ()

    def narrow_choices(self, current_project):
        project = self.instance.project if self.instance.project_id else current_project
        for name in self.narrowed_fields:
            field = self.fields.get(name)
            if field is None:
                continue
            # The choices follow the widget once the queryset is set below.
            field.widget = FastSelect(attrs=field.widget.attrs)
            field.widget.is_required = field.required
            qs = field.queryset
            if qs.model is Entrance:
                qs = qs.select_related("building")
            if project is not None:
                field.queryset = qs.filter(project=project)
            else:
                field.queryset = qs.select_related("project")
                field.label_from_instance = lambda obj: f"{obj.project.code} · {obj}"


class BuildingForm(BaseModelForm):
    class Meta:
        model = Building
        fields = [
            "project",
            "number",
            "name",
            "building_type",
            "floors_above",
            "floors_below",
            "elevator_count",
            "completion_date",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class EntranceForm(ProjectChoicesMixin, BaseModelForm):
    narrowed_fields = ("building",)

    class Meta:
        model = Entrance
        fields = ["project", "building", "number", "name"]

    def __init__(self, *args, current_project=None, **kwargs):
        super().__init__(*args, current_project=current_project, **kwargs)
        self.narrow_choices(current_project)


class UnitForm(ProjectChoicesMixin, BaseModelForm):
    """A unit. Leave the code empty to use the conventional one (3-2-1201). A status change on an
    existing unit goes through ``services.set_unit_status`` (the view does it) so it is audited."""

    narrowed_fields = ("building", "entrance")

    class Meta:
        model = Unit
        fields = [
            "project",
            "building",
            "entrance",
            "room_number",
            "code",
            "floor",
            "building_area",
            "inner_area",
            "usage",
            "layout",
            "status",
            "delivery_date",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, current_project=None, **kwargs):
        super().__init__(*args, current_project=current_project, **kwargs)
        self.narrow_choices(current_project)
        self.fields["code"].required = False
        self.fields["code"].help_text = _("Leave empty for building-entrance-room, e.g. 3-2-1201.")

    def clean(self):
        data = super().clean()
        if not data.get("code") and data.get("building") and data.get("room_number"):
            data["code"] = Unit.default_code(data["building"], data.get("entrance"), data["room_number"])
        elif not data.get("code") and "code" not in self.errors:
            self.add_error("code", _("Enter a code, or choose the building and room to make one."))
        return data


class ParkingLotForm(BaseModelForm):
    class Meta:
        model = ParkingLot
        fields = ["project", "name", "kind", "location", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class ParkingSpaceForm(ProjectChoicesMixin, BaseModelForm):
    """The linked unit is typed as a unit code (a dropdown of every unit would be too long)."""

    narrowed_fields = ("lot",)

    unit_code = forms.CharField(
        label=_("linked unit"),
        required=False,
        help_text=_("The code of the unit whose owner holds or rents this space, e.g. 3-2-1201."),
    )

    class Meta:
        model = ParkingSpace
        fields = ["project", "lot", "code", "kind", "area", "status", "unit_code", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, current_project=None, **kwargs):
        super().__init__(*args, current_project=current_project, **kwargs)
        self.narrow_choices(current_project)
        if self.instance.unit_id and not self.is_bound:
            self.initial["unit_code"] = self.instance.unit.code

    def clean(self):
        data = super().clean()
        code = normalize_input(data.get("unit_code", ""))
        project = data.get("project") or (self.instance.project if self.instance.project_id else None)
        if not code:
            self.instance.unit = None
        elif project is not None:
            unit = Unit.objects.restrict(self.user, "view").filter(project=project, code__iexact=code).first()
            if unit is None:
                self.add_error("unit_code", _("There is no unit %(code)s in this project.") % {"code": code})
            else:
                self.instance.unit = unit
        return data


class UnitStatusForm(BaseForm):
    """Change a unit's status and its vacancy registration (both audited)."""

    status = forms.ChoiceField(label=_("status"), choices=UnitStatusChoices.choices)
    vacancy_registered = forms.BooleanField(
        label=_("vacancy registered"),
        required=False,
        help_text=_("The owner registered the delivered unit as vacant (for fee discounts)."),
    )
    vacancy_registered_on = forms.DateField(label=_("vacant since"), required=False, widget=forms.DateInput())
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, unit=None, **kwargs):
        self.unit = unit
        if unit is not None:
            kwargs.setdefault(
                "initial",
                {
                    "status": unit.status,
                    "vacancy_registered": unit.vacancy_registered,
                    "vacancy_registered_on": unit.vacancy_registered_on,
                },
            )
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("vacancy_registered") and data.get("status") != UnitStatusChoices.VACANT:
            self.add_error(
                "vacancy_registered", _("Only a delivered, vacant unit can be registered as vacant.")
            )
        return data
