"""Base forms: Bootstrap widgets, and every related-object dropdown restricted to the user."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.conf import settings

from wuye.core.scoping import ALL, RestrictedQuerySet, permission_name, user_scope


def _choice_count(field) -> int:
    """How many options a choice field offers (querysets are counted lazily by the widget: skip)."""
    choices = getattr(field, "choices", None)
    if choices is None or hasattr(choices, "queryset"):
        return 13 if choices is not None else 0  # model choices: make them searchable
    try:
        return len(list(choices))
    except TypeError:
        return 0


def style_fields(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
            if isinstance(widget, forms.SelectMultiple) or _choice_count(field) > 12:
                widget.attrs.setdefault("data-tom-select", "1")
        elif isinstance(widget, forms.DateInput):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
            widget.attrs.setdefault("class", "form-control")
        else:
            widget.attrs.setdefault("class", "form-control")


def restrict_form_fields(form, user, action="view"):
    """Limit each ModelChoiceField over a scoped model to what ``user`` may see (NetBox's idea)."""
    for field in form.fields.values():
        qs = getattr(field, "queryset", None)
        if isinstance(qs, RestrictedQuerySet) and not qs.is_restricted:
            field.queryset = qs.restrict(user, action)


class BaseModelForm(forms.ModelForm):
    """ModelForm with the request user: dropdowns are restricted and ``project`` offers only the
    projects where the user may perform this add/change."""

    def __init__(self, *args, user=None, current_project=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        restrict_form_fields(self, user)
        if "project" in self.fields and user is not None:
            Project = apps.get_model(settings.WUYE_PROJECT_MODEL)
            action = "change" if self.instance.pk else "add"
            scope = user_scope(user, permission_name(self._meta.model, action))
            qs = Project.objects.all() if scope is ALL else Project.objects.filter(pk__in=sorted(scope))
            self.fields["project"].queryset = qs
            if not self.instance.pk and current_project is not None and not self.initial.get("project"):
                self.initial["project"] = current_project.pk
            if self.instance.pk:
                self.fields["project"].disabled = True
        style_fields(self)


class BaseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
