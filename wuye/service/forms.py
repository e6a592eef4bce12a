from django import forms
from django.utils.translation import gettext_lazy as _

from wuye.core.forms import BaseForm, BaseModelForm
from wuye.service.choices import PauseReasonChoices, PhotoStageChoices, VisitMethodChoices
from wuye.service.models import Category, PriceItem, ServiceSettings, SlaRule, Team, WorkOrder


def listed_choices(form_class):
    """Blank-able choice fields carry a lazy choices iterator; the shared widget styling needs a list."""
    for field in form_class.base_fields.values():
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            field.choices = list(field.choices)
    return form_class


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Up to 9 pictures; each is checked (type and size) when the service saves it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        kwargs.setdefault("help_text", _("JPEG, PNG or WebP, up to 5 MB each, at most 9."))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(d, initial) for d in data if d]
        else:
            files = [single(data, initial)] if data else []
        if len(files) > 9:
            raise forms.ValidationError(_("At most 9 photos."))
        from wuye.service.models.orders import validate_photo

        errors = []
        for f in files:
            try:
                validate_photo(f)
            except forms.ValidationError as exc:
                errors.extend(f"{f.name}: {m}" for m in exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return files


@listed_choices
class TeamForm(BaseModelForm):
    class Meta:
        model = Team
        fields = ["project", "name", "leader", "members", "dispatch_mode", "is_active", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from wuye.accounts.models import User

        users = User.objects.restrict(self.user, "view") if self.user is not None else User.objects.none()
        self.fields["leader"].queryset = users
        self.fields["members"].queryset = users


@listed_choices
class CategoryForm(BaseModelForm):
    class Meta:
        model = Category
        fields = ["project", "parent", "name", "default_team", "default_priority", "sort_order", "is_active"]


@listed_choices
class SlaRuleForm(BaseModelForm):
    class Meta:
        model = SlaRule
        fields = [
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


@listed_choices
class PriceItemForm(BaseModelForm):
    class Meta:
        model = PriceItem
        fields = ["project", "name", "kind", "unit_label", "price", "is_active", "note"]


@listed_choices
class ServiceSettingsForm(BaseModelForm):
    class Meta:
        model = ServiceSettings
        fields = [
            "project",
            "auto_confirm_days",
            "repair_return_visit",
            "warning_percent",
            "escalation_interval_minutes",
            "repeat_window_days",
            "unsatisfied_threshold",
            "unsatisfied_action",
        ]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(**kwargs)


INTAKE_FIELDS = [
    "project",
    "kind",
    "repair_scope",
    "source",
    "category",
    "priority",
    "unit",
    "reporter",
    "location",
    "anonymous",
    "contact_name",
    "contact_phone",
    "description",
    "appointment_at",
    "responsible_department",
    "complaint_cause",
    "is_paid",
]


@listed_choices
class WorkOrderForm(BaseModelForm):
    """The hotline intake form (and the edit form for the same fields before work starts)."""

    photos = MultiplePhotoField()

    class Meta:
        model = WorkOrder
        fields = INTAKE_FIELDS
        widgets = {
            "unit": forms.HiddenInput(),
            "reporter": forms.HiddenInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "appointment_at": DateTimeInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = self.fields["category"].queryset.filter(is_active=True)
        self.fields["category"].widget.attrs["data-tom-select"] = "1"
        self.fields["appointment_at"].input_formats = [
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
        ]
        if self.instance.pk:
            self.fields.pop("photos")
        elif "project" in self.fields and not self.initial.get("project"):
            projects = list(self.fields["project"].queryset[:2])
            if len(projects) == 1:  # the usual case: staff of one project
                self.initial["project"] = projects[0].pk

    def clean(self):
        data = super().clean()
        reporter = data.get("reporter")
        if reporter is not None and not data.get("contact_phone"):
            data["contact_phone"] = reporter.phone
            self.instance.contact_phone = reporter.phone
        if reporter is not None and not data.get("contact_name"):
            data["contact_name"] = reporter.name
            self.instance.contact_name = reporter.name
        return data


# -- action forms (one per step on the order page and the engineer's task list) --------------
class NoteForm(BaseForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class AssignForm(BaseForm):
    assignee = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Assignee"))
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Team"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, order=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from wuye.accounts.models import User

        handlers = User.objects.filter(is_active=True)
        if order is not None:
            handlers = (
                handlers.filter(
                    memberships__role__permissions__codename="handle_workorder",
                    memberships__role__permissions__content_type__app_label="service",
                )
                .filter(models_q_project(order.project_id))
                .distinct()
            )
        self.fields["assignee"].queryset = handlers.order_by("username")
        teams = Team.objects.restrict(user, "view").filter(is_active=True)
        if order is not None:
            teams = teams.filter(project_id=order.project_id)
        self.fields["team"].queryset = teams


def models_q_project(project_id):
    from django.db.models import Q

    return Q(memberships__project_id=project_id) | Q(memberships__project__isnull=True)


class TransferForm(BaseForm):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Team"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, order=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.restrict(user, "view").filter(is_active=True)
        if order is not None:
            teams = teams.filter(project_id=order.project_id).exclude(pk=order.team_id)
        self.fields["team"].queryset = teams


class ReasonForm(BaseForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class PauseForm(BaseForm):
    reason = forms.ChoiceField(label=_("Why"), choices=PauseReasonChoices.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class CompleteForm(BaseForm):
    resolution = forms.CharField(label=_("Work done"), widget=forms.Textarea(attrs={"rows": 3}))
    materials = forms.CharField(
        label=_("Materials used"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = MultiplePhotoField()


class ResolveForm(BaseForm):
    resolution = forms.CharField(label=_("Answer / resolution"), widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(BaseForm):
    satisfied = forms.TypedChoiceField(
        label=_("Reporter satisfied"),
        choices=[("1", _("Yes, confirm")), ("0", _("No, reopen"))],
        coerce=lambda v: v == "1",
        initial="1",
    )
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        choices=[("", "—")] + [(str(i), str(i)) for i in range(5, 0, -1)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=1000)


class ReturnVisitForm(BaseForm):
    method = forms.ChoiceField(label=_("Method"), choices=VisitMethodChoices.choices)
    reached = forms.BooleanField(label=_("Reached the reporter"), required=False, initial=True)
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=[("", "—")] + [(str(i), f"{i} ★") for i in range(5, 0, -1)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    close = forms.BooleanField(label=_("Close the order when satisfied"), required=False, initial=True)


class CommentForm(BaseForm):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class PhotoForm(BaseForm):
    stage = forms.ChoiceField(label=_("Stage"), choices=PhotoStageChoices.choices)
    photos = MultiplePhotoField(required=True)


class QuoteLineForm(BaseForm):
    price_item = forms.ModelChoiceField(
        queryset=PriceItem.objects.none(), label=_("Price item"), required=False
    )
    name = forms.CharField(label=_("Item"), required=False, max_length=80)
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=0, max_digits=10, decimal_places=2, initial=1
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"), min_value=0, max_digits=14, decimal_places=2, required=False
    )

    def __init__(self, *args, order=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        items = PriceItem.objects.restrict(user, "view").filter(is_active=True)
        if order is not None:
            items = items.filter(project_id=order.project_id)
        self.fields["price_item"].queryset = items
