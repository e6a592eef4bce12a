"""Base table classes: every list in Wuye is a django-tables2 table built from these."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class ActionsColumn(tables.Column):
    """Edit and delete buttons, shown only when the viewer may use them."""

    empty_values = ()
    exclude_from_export = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", "")
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}})
        super().__init__(*args, **kwargs)

    def render(self, record, table, **kwargs):
        opts = record._meta
        out = []
        perms = getattr(table, "row_permissions", {})
        for action, icon, label in (("change", "edit", _("Edit")), ("delete", "trash", _("Delete"))):
            if not perms.get(action):
                continue
            name = "edit" if action == "change" else "delete"
            try:
                url = reverse(f"{opts.app_label}:{opts.model_name}_{name}", kwargs={"pk": record.pk})
            except NoReverseMatch:
                continue
            out.append(
                format_html(
                    '<a href="{}" class="btn btn-sm btn-ghost-secondary btn-icon" title="{}" aria-label="{}">'
                    '<i class="ti ti-{}"></i></a>',
                    url,
                    label,
                    label,
                    icon,
                )
            )
        return format_html("".join(["{}"] * len(out)), *out) if out else ""


class StatusColumn(tables.Column):
    """A choice field rendered as a coloured badge (the model provides ``<field>_color``)."""

    def render(self, value, record, bound_column):
        color = getattr(record, f"{bound_column.name}_color", None) or "secondary"
        return format_html('<span class="badge bg-{}-lt">{}</span>', color, value)

    def value(self, value, **kwargs):
        return value


class BaseTable(tables.Table):
    """Subclasses declare columns; ``Meta.default_columns`` lists those shown before customising."""

    actions = ActionsColumn()

    class Meta:
        attrs = {"class": "table card-table table-vcenter text-nowrap datatable"}
        template_name = "core/tables/table.html"
        default_columns: tuple = ()

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        self.row_permissions = kwargs.pop("row_permissions", {})
        super().__init__(*args, **kwargs)

    @classmethod
    def choosable_columns(cls):
        model = getattr(cls._meta, "model", None)
        out = []
        for name, col in cls.base_columns.items():
            if name == "actions":
                continue
            label = col.verbose_name
            if not label and model is not None:
                try:
                    label = model._meta.get_field(name).verbose_name
                except Exception:
                    label = name
            out.append((name, capfirst(label or name)))
        return out

    @classmethod
    def default_visible(cls):
        defaults = getattr(cls._meta, "default_columns", None) or getattr(cls.Meta, "default_columns", ())
        return list(defaults) or [name for name, _label in cls.choosable_columns()]

    def apply_column_choice(self, visible: list[str]):
        for name in self.columns.names():
            if name == "actions":
                continue
            if name in visible:
                self.columns.show(name)
            else:
                self.columns.hide(name)


class ProjectColumnsMixin(tables.Table):
    project = tables.Column(verbose_name=_("project"), linkify=True)
