"""Forms of the billing screens: fee setup, bulk assignment, runs, bill corrections, statements."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.billing.choices import (
    AdjustmentKindChoices,
    BillEventKindChoices,
    FeeItemCategoryChoices,
    PricingMethodChoices,
)
from wuye.billing.models import (
    BillingSchedule,
    FeeAssignment,
    FeeItem,
    FeeStandard,
    LateFeeRule,
)
from wuye.billing.models.fees import TAX_RATE_DEFAULTS, normalize_tiers
from wuye.billing.services.assignments import Selection
from wuye.billing.services.periods import parse_period
from wuye.core.forms import BaseForm, BaseModelForm
from wuye.core.scoping import ALL, user_scope
from wuye.estate.choices import UnitStatusChoices, UnitUsageChoices
from wuye.estate.forms import ProjectChoicesMixin
from wuye.estate.models import Building, ParkingLot, ParkingSpace, Project, Unit
from wuye.estate.search import normalize_input

MANAGE = "billing.manage_standards"
TIER_ROWS = 6


class MonthField(forms.CharField):
    """A month as ``2026-11`` (an ``<input type=month>``), cleaned to its first day."""

    widget = type("MonthInput", (forms.TextInput,), {"input_type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_period(value)
        except ValueError:
            raise ValidationError(_("Enter a month like 2026-11.")) from None


def projects_where(user, *perms):
    """The projects in which ``user`` holds every one of ``perms``."""
    qs = Project.objects.all()
    for perm in perms:
        scope = user_scope(user, perm)
        if scope is not ALL:
            qs = qs.filter(pk__in=sorted(scope))
    return qs


class ModelErrorsMixin:
    """Model ``clean()`` errors on fields the form shows differently (``unit`` typed as a code,
    ``tiers`` as rows) go to those fields, or to the form, instead of failing."""

    error_field_map: dict = {}

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            remapped: dict = {}
            for name, messages in errors.error_dict.items():
                target = self.error_field_map.get(name, name)
                if target != NON_FIELD_ERRORS and target not in self.fields:
                    target = NON_FIELD_ERRORS
                remapped.setdefault(target, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)


class ManagedProjectMixin:
    """The project dropdown offers only projects where the user may also manage standards."""

    def limit_projects_to_managed(self):
        field = self.fields.get("project")
        if field is not None and self.user is not None and not field.disabled:
            field.queryset = field.queryset.filter(pk__in=projects_where(self.user, MANAGE).values("pk"))


# -- fee setup --------------------------------------------------------------------------------------
def choice_field(label, choices):
    """A required choice field with a blank first choice, declared on the form: the generated one of
    a model field without a default carries a lazy choice iterator that ``style_fields`` cannot size."""
    return forms.ChoiceField(label=label, choices=[("", "---------"), *choices])


class FeeItemForm(BaseModelForm):
    category = choice_field(_("category"), FeeItemCategoryChoices.choices)

    class Meta:
        model = FeeItem
        fields = [
            "project",
            "name",
            "category",
            "tax_rate",
            "collected_on_behalf",
            "is_active",
            "sort_order",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax_rate"].required = False
        self.fields["tax_rate"].help_text = _(
            "Empty: the usual rate of the category (property 6%, parking 9%, water collected on behalf 3%)."
        )

    def clean(self):
        data = super().clean()
        if data.get("tax_rate") is None and data.get("category"):
            data["tax_rate"] = TAX_RATE_DEFAULTS.get(data["category"], Decimal("0.06"))
            self.instance.tax_rate = data["tax_rate"]
        return data


class LateFeeRuleForm(BaseModelForm):
    class Meta:
        model = LateFeeRule
        fields = ["project", "name", "daily_rate", "grace_days", "cap_ratio"]


#: what cannot change on a standard once it has bills: use "change the price" instead
PRICE_FIELDS = ("method", "unit_price", "cycle")


class FeeStandardForm(ModelErrorsMixin, ManagedProjectMixin, ProjectChoicesMixin, BaseModelForm):
    """A fee standard; metered tiers are edited as rows (upper limit, price), the last one open."""

    narrowed_fields = ("item", "late_fee_rule")
    error_field_map = {"tiers": "tier_price_0"}
    method = choice_field(_("pricing method"), PricingMethodChoices.choices)

    class Meta:
        model = FeeStandard
        fields = [
            "project",
            "item",
            "name",
            "method",
            "unit_price",
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

    def __init__(self, *args, current_project=None, **kwargs):
        super().__init__(*args, current_project=current_project, **kwargs)
        self.narrow_choices(current_project)
        self.limit_projects_to_managed()
        for i in range(TIER_ROWS):
            self.fields[f"tier_up_to_{i}"] = forms.DecimalField(
                label=_("Tier %(n)s up to") % {"n": i + 1},
                required=False,
                min_value=0,
                decimal_places=4,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
            )
            self.fields[f"tier_price_{i}"] = forms.DecimalField(
                label=_("Tier %(n)s price") % {"n": i + 1},
                required=False,
                min_value=0,
                decimal_places=4,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "any"}),
            )
        if not self.is_bound:
            for i, tier in enumerate((self.instance.tiers or [])[:TIER_ROWS]):
                self.initial[f"tier_up_to_{i}"] = tier.get("up_to")
                self.initial[f"tier_price_{i}"] = tier.get("price")
        self.has_bills = bool(self.instance.pk) and self.instance.bills.exists()

    def main_fields(self):
        return [self[name] for name in self.Meta.fields if name in self.fields]

    def tier_rows(self):
        return [(i + 1, self[f"tier_up_to_{i}"], self[f"tier_price_{i}"]) for i in range(TIER_ROWS)]

    def clean(self):
        data = super().clean()
        tiers = []
        for i in range(TIER_ROWS):
            up_to, price = data.get(f"tier_up_to_{i}"), data.get(f"tier_price_{i}")
            if up_to is None and price is None:
                continue
            if price is None:
                self.add_error(f"tier_price_{i}", _("Give the price of this tier."))
                continue
            tiers.append({"up_to": None if up_to is None else str(up_to), "price": str(price)})
        if tiers:
            if data.get("method") != PricingMethodChoices.METERED:
                self.add_error("tier_price_0", _("Tiers only apply to metered pricing."))
            else:
                try:
                    tiers = normalize_tiers(tiers)
                except ValueError as exc:
                    self.add_error("tier_price_0", str(exc))
        self.instance.tiers = tiers
        if self.has_bills:
            for name in PRICE_FIELDS:
                if name in self.changed_data:
                    self.add_error(
                        name,
                        _("This standard has bills: use “Change the price” for a new price from a date."),
                    )
            if tiers != (FeeStandard.objects.get(pk=self.instance.pk).tiers or []):
                self.add_error(
                    "tier_price_0", _("This standard has bills: change tiers with a new standard.")
                )
        return data


class TargetCodesMixin:
    """The unit or parking space is typed as its code (a dropdown of every unit would be too long)."""

    def find_target(self, data, project):
        unit_code = normalize_input(data.get("unit_code", ""))
        space_code = normalize_input(data.get("space_code", ""))
        if bool(unit_code) == bool(space_code):
            self.add_error("unit_code", _("Enter either a unit code or a parking space code."))
            return None, None
        if project is None:
            return None, None
        if unit_code:
            unit = (
                Unit.objects.restrict(self.user, "view")
                .filter(project=project, code__iexact=unit_code)
                .first()
            )
            if unit is None:
                self.add_error(
                    "unit_code", _("There is no unit %(code)s in this project.") % {"code": unit_code}
                )
            return unit, None
        space = (
            ParkingSpace.objects.restrict(self.user, "view")
            .filter(project=project, code__iexact=space_code)
            .first()
        )
        if space is None:
            self.add_error(
                "space_code", _("There is no parking space %(code)s in this project.") % {"code": space_code}
            )
        return None, space


def overlapping_assignment(assignment: FeeAssignment):
    """Another assignment of the same fee item on the same unit/space whose dates overlap, or None."""
    end = assignment.end_date or datetime.date.max
    qs = FeeAssignment.objects.filter(standard__item_id=assignment.standard.item_id).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=assignment.start_date), start_date__lte=end
    )
    if assignment.unit_id:
        qs = qs.filter(unit_id=assignment.unit_id)
    else:
        qs = qs.filter(parking_space_id=assignment.parking_space_id)
    if assignment.pk:
        qs = qs.exclude(pk=assignment.pk)
    return qs.select_related("standard").first()


class FeeAssignmentForm(
    ModelErrorsMixin, TargetCodesMixin, ManagedProjectMixin, ProjectChoicesMixin, BaseModelForm
):
    narrowed_fields = ("standard",)
    error_field_map = {"unit": "unit_code", "parking_space": "space_code"}

    unit_code = forms.CharField(label=_("unit code"), required=False, help_text=_("e.g. 3-2-1201"))
    space_code = forms.CharField(
        label=_("parking space code"), required=False, help_text=_("For parking fees, instead of a unit.")
    )

    class Meta:
        model = FeeAssignment
        fields = ["project", "standard", "unit_code", "space_code", "start_date", "end_date", "weight"]

    def __init__(self, *args, current_project=None, **kwargs):
        super().__init__(*args, current_project=current_project, **kwargs)
        self.narrow_choices(current_project)
        self.limit_projects_to_managed()
        if not self.is_bound:
            if self.instance.unit_id:
                self.initial["unit_code"] = self.instance.unit.code
            if self.instance.parking_space_id:
                self.initial["space_code"] = self.instance.parking_space.code

    def clean(self):
        data = super().clean()
        project = data.get("project") or (self.instance.project if self.instance.project_id else None)
        unit, space = self.find_target(data, project)
        self.instance.unit, self.instance.parking_space = unit, space
        standard, start = data.get("standard"), data.get("start_date")
        if standard is not None and start is not None and (unit or space) and not self.errors:
            self.instance.standard, self.instance.start_date = standard, start
            self.instance.end_date = data.get("end_date")
            other = overlapping_assignment(self.instance)
            if other is not None:
                self.add_error(
                    "start_date",
                    _(
                        "%(target)s already has %(standard)s of this fee item from %(start)s%(end)s: "
                        "end it first, or use bulk assignment, which ends it for you."
                    )
                    % {
                        "target": unit or space,
                        "standard": other.standard,
                        "start": other.start_date,
                        "end": f" ~ {other.end_date}" if other.end_date else "",
                    },
                )
        return data


class BillingScheduleForm(ProjectChoicesMixin, BaseModelForm):
    narrowed_fields = ("items",)

    class Meta:
        model = BillingSchedule
        fields = ["project", "day_of_month", "items", "is_enabled"]

    def __init__(self, *args, current_project=None, **kwargs):
        super().__init__(*args, current_project=current_project, **kwargs)
        self.narrow_choices(current_project)

    def clean(self):
        data = super().clean()
        project = data.get("project") or (self.instance.project if self.instance.project_id else None)
        if project is not None and any(i.project_id != project.pk for i in data.get("items") or ()):
            self.add_error("items", _("Choose fee items of this project."))
        return data


# -- bulk assignment and price changes -------------------------------------------------------------
class BulkAssignForm(BaseForm):
    """Assign a standard to all units of a building / usage / status, or to a lot's spaces."""

    TARGETS = (("units", _("Units")), ("spaces", _("Parking spaces of a lot")))

    standard = forms.ModelChoiceField(label=_("fee standard"), queryset=FeeStandard.objects.none())
    start_date = forms.DateField(label=_("applies from"), widget=forms.DateInput())
    target = forms.ChoiceField(
        label=_("assign to"),
        choices=TARGETS,
        initial="units",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    building = forms.ModelChoiceField(
        label=_("building"), queryset=Building.objects.none(), required=False, empty_label=_("All buildings")
    )
    usage = forms.ChoiceField(
        label=_("usage"), choices=[("", _("Any usage")), *UnitUsageChoices.choices], required=False
    )
    statuses = forms.MultipleChoiceField(
        label=_("unit status"),
        choices=UnitStatusChoices.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("None ticked: every status."),
    )
    lot = forms.ModelChoiceField(label=_("parking lot"), queryset=ParkingLot.objects.none(), required=False)

    def __init__(self, *args, user=None, project=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        managed = projects_where(user, MANAGE, "billing.add_feeassignment")
        standards = FeeStandard.objects.restrict(user, "view").filter(project__in=managed.values("pk"))
        buildings = Building.objects.restrict(user, "view").filter(project__in=managed.values("pk"))
        lots = ParkingLot.objects.restrict(user, "view").filter(project__in=managed.values("pk"))
        if project is not None:
            standards, buildings, lots = (qs.filter(project=project) for qs in (standards, buildings, lots))
        self.fields["standard"].queryset = standards.select_related("project", "item")
        self.fields["standard"].label_from_instance = lambda s: f"{s.project.code} · {s.item.name} · {s.name}"
        self.fields["building"].queryset = buildings.select_related("project")
        self.fields["building"].label_from_instance = lambda b: f"{b.project.code} · {b}"
        self.fields["lot"].queryset = lots.select_related("project")
        self.fields["lot"].label_from_instance = lambda lot: f"{lot.project.code} · {lot}"

    def clean(self):
        data = super().clean()
        standard = data.get("standard")
        if standard is None:
            return data
        if data.get("target") == "spaces":
            lot = data.get("lot")
            if lot is None:
                self.add_error("lot", _("Choose the parking lot."))
            elif lot.project_id != standard.project_id:
                self.add_error("lot", _("The lot is in another project than the standard."))
        else:
            building = data.get("building")
            if building is not None and building.project_id != standard.project_id:
                self.add_error("building", _("The building is in another project than the standard."))
        return data

    def selection(self) -> Selection:
        data = self.cleaned_data
        standard = data["standard"]
        if data.get("target") == "spaces":
            return Selection(project=standard.project, lot_id=data["lot"].pk)
        return Selection(
            project=standard.project,
            building_id=data["building"].pk if data.get("building") else None,
            usage=data.get("usage") or "",
            statuses=tuple(data.get("statuses") or ()),
        )


class ReplaceStandardForm(BaseForm):
    """Change the price from a date: a new standard replaces this one on all its assignments."""

    unit_price = forms.DecimalField(label=_("new unit price"), min_value=0, decimal_places=4, max_digits=12)
    effective_from = forms.DateField(label=_("effective from"), widget=forms.DateInput())
    name = forms.CharField(
        label=_("name of the new standard"),
        max_length=60,
        required=False,
        help_text=_("Empty: a name is made."),
    )


# -- billing runs -----------------------------------------------------------------------------------
class BillingRunForm(BaseForm):
    project = forms.ModelChoiceField(label=_("project"), queryset=Project.objects.none())
    period = MonthField(label=_("period"), help_text=_("The month to bill, e.g. 2026-11."))
    items = forms.ModelMultipleChoiceField(
        label=_("fee items"),
        queryset=FeeItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("None ticked: every active item."),
    )

    def __init__(self, *args, user=None, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        projects = projects_where(user, "billing.run_billing")
        self.fields["project"].queryset = projects
        if project is None:
            candidates = list(projects[:2])
            if len(candidates) == 1:  # a one-project user bills that project
                project = candidates[0]
        items = FeeItem.objects.restrict(user, "view").filter(
            is_active=True, project__in=projects.values("pk")
        )
        if project is not None:
            items = items.filter(project=project)
            self.initial.setdefault("project", project.pk)
        self.fields["items"].queryset = items.select_related("project")
        if project is None:
            self.fields["items"].label_from_instance = lambda i: f"{i.project.code} · {i.name}"
        self.initial.setdefault("period", f"{timezone.localdate():%Y-%m}")

    def clean(self):
        data = super().clean()
        project = data.get("project")
        if project is not None and any(i.project_id != project.pk for i in data.get("items") or ()):
            self.add_error("items", _("Choose fee items of this project."))
        return data


# -- bill corrections -------------------------------------------------------------------------------
class VoidBillForm(BaseForm):
    reason = forms.CharField(label=_("reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class ReduceBillForm(BaseForm):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            (AdjustmentKindChoices.REDUCTION, AdjustmentKindChoices.REDUCTION.label),
            (AdjustmentKindChoices.DISCOUNT, AdjustmentKindChoices.DISCOUNT.label),
        ],
    )
    amount = forms.DecimalField(label=_("amount"), min_value=Decimal("0.01"), decimal_places=2, max_digits=14)
    reason = forms.CharField(label=_("reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class WaiveLateFeeForm(BaseForm):
    amount = forms.DecimalField(label=_("amount"), min_value=Decimal("0.01"), decimal_places=2, max_digits=14)
    reason = forms.CharField(label=_("reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class BillEventForm(BaseForm):
    kind = forms.ChoiceField(
        label=_("event"),
        choices=[
            (BillEventKindChoices.DEMAND_DELIVERED, BillEventKindChoices.DEMAND_DELIVERED.label),
            (BillEventKindChoices.REPAYMENT_AGREEMENT, BillEventKindChoices.REPAYMENT_AGREEMENT.label),
        ],
    )
    date = forms.DateField(label=_("date"), widget=forms.DateInput())
    note = forms.CharField(
        label=_("note"),
        max_length=200,
        required=False,
        help_text=_("How it was delivered or signed (registered mail number, signed by...)."),
    )


class StatementForm(BaseForm):
    date_from = forms.DateField(label=_("From date"), required=False, widget=forms.DateInput())
    date_to = forms.DateField(label=_("To date"), required=False, widget=forms.DateInput())

    def range(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to.replace(month=1, day=1)
        if date_from > date_to:
            date_from, date_to = date_to, date_from
        return date_from, date_to
