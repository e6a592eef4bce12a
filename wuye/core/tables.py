"""Base table classes: every list in Wuye is a django-tables2 table built from these.

A page of 25 rows and 9 columns is 225 cells; django-tables2 spends most of a list page's time on
them. ``BaseTable`` keeps its output but cuts the cost per cell (measured on the unit list at 100,000
units, ``benchmarks/archive_scale.py``):

- ``render_foo``/``column.render`` are called with the arguments they declare: django-tables2 reads
  the signature with ``inspect.signature`` for every cell; here once per function (:func:`_call`);
- links (``linkify=True``, the edit and delete buttons) do not ``reverse()`` for every cell: the URL of
  a view name is reversed once per table with a marker for the id, then filled in (:class:`UrlTemplates`);
- the rows are rendered in Python (:func:`render_rows`, ``{% table_rows %}``), with each column's
  ``<td>`` attributes computed once instead of once per cell.
"""

from __future__ import annotations

import django_tables2 as tables
from django.template.base import render_value_in_context
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_tables2.columns.base import LinkTransform
from django_tables2.rows import BoundRow, BoundRows
from django_tables2.utils import Accessor
from django_tables2.utils import signature as _signature

from wuye.core.models import BaseModel


class UrlTemplates:
    """``reverse(viewname, kwargs={"pk": pk})`` for many integer ids, reversing each name once."""

    MARKER = 2147483647  # matches <int:pk>; never a real path segment of its own

    def __init__(self):
        self._templates: dict[str, tuple[str, str] | None] = {}

    def url(self, viewname: str, pk) -> str:
        """The URL, or NoReverseMatch as ``reverse`` raises it."""
        if viewname not in self._templates:
            try:
                parts = reverse(viewname, kwargs={"pk": self.MARKER}).split(str(self.MARKER))
            except NoReverseMatch:
                self._templates[viewname] = None
            else:
                self._templates[viewname] = (parts[0], parts[1]) if len(parts) == 2 else ("", "")
        template = self._templates[viewname]
        if template is None:
            raise NoReverseMatch(viewname)
        if not isinstance(pk, int) or template == ("", ""):
            return reverse(viewname, kwargs={"pk": pk})
        return f"{template[0]}{pk}{template[1]}"

    def detail_url(self, obj) -> str:
        """``obj.get_absolute_url()``; from the template when the model keeps the base one."""
        if type(obj).get_absolute_url is not BaseModel.get_absolute_url:
            return obj.get_absolute_url()
        opts = obj._meta
        try:
            return self.url(f"{opts.app_label}:{opts.model_name}_detail", obj.pk)
        except NoReverseMatch:
            return ""  # as BaseModel.get_absolute_url


class TemplateLinkTransform(LinkTransform):
    """``linkify=True`` through the table's :class:`UrlTemplates`; otherwise as django-tables2."""

    def __init__(self, link: LinkTransform, urls: UrlTemplates):
        super().__init__(url=link.url, accessor=link.accessor, attrs=link.attrs)
        self.reverse_args = link.reverse_args
        self.urls = urls

    def compose_url(self, **kwargs):
        if (self.url and callable(self.url)) or self.reverse_args.get("viewname") is not None:
            return super().compose_url(**kwargs)
        bound_column = kwargs.get("bound_column")
        record = kwargs["record"]
        if bound_column is None and self.accessor is None:
            accessor = Accessor("")
        else:
            accessor = Accessor(self.accessor if self.accessor is not None else bound_column.name)
        context = accessor.resolve(record)
        if not hasattr(context, "get_absolute_url"):
            if not hasattr(record, "get_absolute_url"):
                return super().compose_url(**kwargs)  # raises django-tables2's TypeError
            context = record
        return self.urls.detail_url(context)


_SIGNATURES: dict = {}


def _signature_of(fn):
    """django-tables2's ``signature(fn)``, read once per function (and per bound or not)."""
    bound = hasattr(fn, "__self__") and hasattr(fn, "__func__")
    key = (fn.__func__ if bound else fn, bound)
    try:
        return _SIGNATURES[key]
    except KeyError:
        pass
    except TypeError:  # not hashable
        return _signature(fn)
    found = _signature(fn)
    if len(_SIGNATURES) < 4096:  # functions of table classes: a bounded set; anything else is not kept
        _SIGNATURES[key] = found
    return found


def _call(fn, kwargs):
    """``django_tables2.utils.call_with_appropriate`` without ``inspect.signature`` for every cell."""
    args, kwargs_name = _signature_of(fn)
    if not kwargs_name:
        kwargs = {key: kwargs[key] for key in kwargs if key in args}
        if any(arg not in kwargs for arg in args):
            return None
    return fn(**kwargs)


class FastBoundRow(BoundRow):
    def _call_render(self, bound_column, value=None):
        render_kwargs = self._optional_cell_arguments(bound_column, value)
        content = _call(bound_column.render, render_kwargs)
        return bound_column.link(content, **render_kwargs) if bound_column.link else content

    def _call_value(self, bound_column, value=None):
        return _call(bound_column.value, self._optional_cell_arguments(bound_column, value))


class FastBoundRows(BoundRows):
    def __iter__(self):
        yield from self.generator_pinned_row(self.pinned_data.get("top"))
        for record in self.data:
            yield FastBoundRow(record, table=self.table)
        yield from self.generator_pinned_row(self.pinned_data.get("bottom"))

    def __getitem__(self, key):
        if isinstance(key, slice):
            return FastBoundRows(data=self.data[key], table=self.table, pinned_data=self.pinned_data)
        return FastBoundRow(record=self.data[key], table=self.table)


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
            viewname = f"{opts.app_label}:{opts.model_name}_{name}"
            urls = getattr(table, "url_templates", None)
            try:
                url = urls.url(viewname, record.pk) if urls else reverse(viewname, kwargs={"pk": record.pk})
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


def _static(value) -> bool:
    """No callables in an attrs value (django-tables2 calls them with the record of each cell)."""
    if isinstance(value, dict):
        return all(_static(v) for v in value.values())
    return not callable(value)


def _td_attrs_once(bound_column) -> str | None:
    """A column's ``<td>`` attributes, when they are the same for every row; None otherwise."""
    table = bound_column._table
    if type(table).get_column_class_names is not tables.Table.get_column_class_names:
        return None  # a table's own classes may look at the current record
    attrs = {**dict(table.attrs), **dict(bound_column.column.attrs)}
    if not _static(attrs.get("td", attrs.get("cell", {}))):
        return None
    return bound_column.attrs["td"].as_html()


def render_rows(table, context) -> str:
    """The ``<tr>`` rows of the current page, as ``core/tables/table.html`` would render them with
    ``{% for row in table.paginated_rows %}<tr {{ row.attrs.as_html }}>{% for column, cell in
    row.items %}<td {{ column.attrs.td.as_html }}>{{ cell }}</td>...``, but without the template
    engine's lookups for every cell, and each column's ``<td>`` attributes computed once."""
    once = {column.name: _td_attrs_once(column) for column in table.columns}
    out = []
    for row in table.paginated_rows:
        cells = []
        for column, cell in row.items():
            td = once[column.name]
            if td is None:
                td = column.attrs["td"].as_html()  # after items() set the column's current record
            cells.append(f"<td {td}>{render_value_in_context(cell, context)}</td>")
        out.append(f"<tr {row.attrs.as_html()}>{''.join(cells)}</tr>")
    return mark_safe("\n".join(out))


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
        self.url_templates = UrlTemplates()
        self.rows = FastBoundRows(data=self.data, table=self, pinned_data=self.rows.pinned_data)
        for bound_column in self.columns.iterall():
            if type(bound_column.link) is LinkTransform:  # linkify: the bound column keeps its own
                bound_column.link = TemplateLinkTransform(bound_column.link, self.url_templates)

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
