from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.core.forms import BaseForm, BaseModelForm
from wuye.residents.choices import OccupancyRelationChoices, PersonGenderChoices
from wuye.residents.models import Occupancy, Ownership, Person, Vehicle

#: rows offered for new owners (transfer) and household members (move-in) on one form
OWNER_ROWS = 4
OCCUPANT_ROWS = 4


class PersonForm(BaseModelForm):
    """Phone and ID number are entered in full but never shown back: when editing, leave them empty
    to keep the current values (the masked value is the hint)."""

    id_number = forms.CharField(label=_("ID number"), required=False, max_length=40, strip=True)
    # Declared with a plain list: core.forms.style_fields calls len() on the choices, which Django's
    # lazy BlankChoiceIterator (a blank=True field with choices) does not support.
    gender = forms.ChoiceField(
        label=_("Gender"), required=False, choices=[("", "---------"), *PersonGenderChoices.choices]
    )

    class Meta:
        model = Person
        fields = [
            "project",
            "kind",
            "name",
            "phone",
            "id_type",
            "id_number",
            "gender",
            "birth_date",
            "is_developer",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs["autocomplete"] = "off"
        self.fields["phone"].widget.attrs["autocomplete"] = "off"
        if self.instance.pk:
            # Never put the stored values into the page.
            self.initial["phone"] = ""
            self.initial["id_number"] = ""
            if self.instance.phone:
                self.fields["phone"].help_text = _("Current: %(masked)s. Leave empty to keep it.") % {
                    "masked": self.instance.phone_masked
                }
            if self.instance.id_number:
                self.fields["id_number"].help_text = _("Current: %(masked)s. Leave empty to keep it.") % {
                    "masked": self.instance.id_number_masked
                }
        else:
            self.fields["id_number"].help_text = _("Stored encrypted; shown masked.")

    def clean_phone(self):
        value = (self.cleaned_data.get("phone") or "").strip()
        if not value and self.instance.pk:
            return self.instance.phone
        return value

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip()
        if not value and self.instance.pk:
            return self.instance.id_number
        return value


class OwnershipForm(BaseModelForm):
    """The project follows the unit."""

    class Meta:
        model = Ownership
        fields = [
            "unit",
            "person",
            "share",
            "is_representative",
            "certificate_number",
            "start_date",
            "end_date",
            "note",
        ]

    def clean(self):
        data = super().clean()
        unit = data.get("unit")
        if unit is not None:
            self.instance.project = unit.project
        return data


class OccupancyForm(BaseModelForm):
    class Meta:
        model = Occupancy
        fields = ["unit", "person", "kind", "relationship", "is_payer", "start_date", "end_date", "note"]

    def clean(self):
        data = super().clean()
        unit = data.get("unit")
        if unit is not None:
            self.instance.project = unit.project
        return data


class VehicleForm(BaseModelForm):
    class Meta:
        model = Vehicle
        fields = ["project", "plate", "vehicle_type", "brand", "color", "person", "parking_space", "note"]


# -- unit actions ----------------------------------------------------------------------------------
class UnitActionForm(BaseForm):
    """A form about one unit: person dropdowns offer only that unit's project's people."""

    def __init__(self, *args, unit, people, **kwargs):
        self.unit = unit
        self.people = people
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField):
                field.queryset = people
                if isinstance(field.widget, forms.Select):
                    field.widget.attrs["data-tom-select"] = "1"

    def layout(self):
        """Rows of bound fields: a share or relationship field sits beside the person before it."""
        rows = []
        for bound in self:
            if rows and bound.name.startswith(("share_", "relationship_")):
                rows[-1].append(bound)
            else:
                rows.append([bound])
        return rows

    def person_field(self, label, required=False):
        return forms.ModelChoiceField(
            label=label,
            queryset=self.people,
            required=required,
            widget=forms.Select(attrs={"class": "form-select", "data-tom-select": "1"}),
        )


def _date_field(label):
    return forms.DateField(label=label, initial=timezone.localdate, widget=forms.DateInput())


class RegisterOwnerForm(UnitActionForm):
    person = forms.ModelChoiceField(label=_("Owner"), queryset=Person.objects.none())
    share = forms.DecimalField(label=_("Share (%)"), initial=100, min_value=0.01, max_value=100)
    is_representative = forms.BooleanField(
        label=_("Representative"),
        required=False,
        help_text=_("Leave unticked to keep the current representative (the first owner becomes it)."),
    )
    certificate_number = forms.CharField(label=_("Title certificate"), max_length=60, required=False)
    start_date = forms.DateField(label=_("Start date"), required=False, widget=forms.DateInput())


class TransferForm(UnitActionForm):
    date = _date_field(_("Transfer date"))
    certificate_number = forms.CharField(label=_("Title certificate"), max_length=60, required=False)
    deliver = forms.BooleanField(
        label=_("Hand over now"),
        required=False,
        help_text=_("The new owner receives the unit today: it becomes delivered and vacant."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, OWNER_ROWS + 1):
            self.fields[f"owner_{i}"] = self.person_field(_("New owner %(n)s") % {"n": i}, required=i == 1)
            self.fields[f"share_{i}"] = forms.DecimalField(
                label=_("Share (%)"),
                required=False,
                min_value=0.01,
                max_value=100,
                initial=100 if i == 1 else None,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
            )
        self.order_fields(
            [
                "date",
                *[n for i in range(1, OWNER_ROWS + 1) for n in (f"owner_{i}", f"share_{i}")],
                "certificate_number",
                "deliver",
            ]
        )

    def clean(self):
        data = super().clean()
        owners = []
        for i in range(1, OWNER_ROWS + 1):
            person, share = data.get(f"owner_{i}"), data.get(f"share_{i}")
            if person is None:
                continue
            if share is None:
                self.add_error(f"share_{i}", _("Enter the share."))
                continue
            owners.append((person, share))
        data["new_owners"] = owners
        return data


class MoveInForm(UnitActionForm):
    date = _date_field(_("Move-in date"))
    tenant = forms.ModelChoiceField(
        label=_("Tenant"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Only when the unit is let: the tenant moves in and the unit becomes rented."),
    )
    tenant_pays = forms.BooleanField(label=_("The tenant pays the fees"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, OCCUPANT_ROWS + 1):
            self.fields[f"occupant_{i}"] = self.person_field(_("Household member %(n)s") % {"n": i})
            self.fields[f"relationship_{i}"] = forms.ChoiceField(
                label=_("Relationship"),
                required=False,
                choices=OccupancyRelationChoices.choices,
                initial=OccupancyRelationChoices.SELF if i == 1 else OccupancyRelationChoices.OTHER,
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def clean(self):
        data = super().clean()
        occupants = []
        for i in range(1, OCCUPANT_ROWS + 1):
            person = data.get(f"occupant_{i}")
            if person is not None:
                occupants.append((person, data.get(f"relationship_{i}") or OccupancyRelationChoices.OTHER))
        data["occupants"] = occupants
        if not occupants and data.get("tenant") is None and not self.errors:
            raise forms.ValidationError(_("Name at least one person who moves in."))
        return data


class MoveOutForm(UnitActionForm):
    date = _date_field(_("Move-out date"))
    people = forms.ModelMultipleChoiceField(
        label=_("Who moves out"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked when everybody moves out."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
