from django import forms
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from wuye.accounts.models import Membership, Role, User
from wuye.accounts.roles import wuye_permissions
from wuye.core.forms import BaseModelForm


class UserForm(BaseModelForm):
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, required=False, strip=False)
    password2 = forms.CharField(
        label=_("Repeat password"), widget=forms.PasswordInput, required=False, strip=False
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "phone", "email", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["password1"].required = True
            self.fields["password2"].required = True
        else:
            self.fields["password1"].help_text = _("Leave empty to keep the current password.")

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 or p2:
            if p1 != p2:
                self.add_error("password2", _("The two passwords differ."))
            else:
                try:
                    validate_password(p1, self.instance)
                except forms.ValidationError as exc:
                    self.add_error("password1", exc)
        return data

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password1"):
            user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class PermissionMatrixField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class RoleForm(BaseModelForm):
    permissions = PermissionMatrixField(
        queryset=Permission.objects.none(), required=False, label=_("permissions")
    )

    class Meta:
        model = Role
        fields = ["name", "slug", "description", "permissions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = wuye_permissions().order_by(
            "content_type__app_label", "content_type__model", "codename"
        )

    def matrix(self):
        """Rows of (app verbose name, model verbose name, {view/add/change/delete: checkbox}, [custom])."""
        from django.apps import apps

        chosen = {str(v) for v in (self["permissions"].value() or [])}
        rows = {}
        for perm in self.fields["permissions"].queryset:
            ct = perm.content_type
            model = apps.get_model(ct.app_label, ct.model)
            key = (ct.app_label, ct.model)
            row = rows.setdefault(
                key,
                {
                    "app": apps.get_app_config(ct.app_label).verbose_name,
                    "model": model._meta.verbose_name_plural if model else ct.model,
                    "std": {},
                    "custom": [],
                },
            )
            action = perm.codename.split("_", 1)[0]
            entry = {
                "id": perm.pk,
                "name": perm.name,
                "checked": str(perm.pk) in chosen,
                "codename": perm.codename,
            }
            if perm.codename == f"{action}_{ct.model}" and action in ("view", "add", "change", "delete"):
                row["std"][action] = entry
            else:
                row["custom"].append(entry)
        for row in rows.values():
            row["cells"] = [(a, row["std"].get(a)) for a in ("view", "add", "change", "delete")]
        return list(rows.values())


class MembershipForm(BaseModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role", "project"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].required = False
        self.fields["project"].empty_label = str(_("All projects"))
        if self.instance.pk:
            self.fields["project"].disabled = False

    def clean(self):
        data = super().clean()
        # The unique constraint with a condition is not checked by validate_unique on all databases.
        if data.get("user") and data.get("role") and data.get("project") is None:
            clash = Membership.objects.filter(user=data["user"], role=data["role"], project__isnull=True)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(_("This user already has this role for all projects."))
        return data
