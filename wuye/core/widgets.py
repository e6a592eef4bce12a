"""Select widgets for big option lists.

``FastSelect`` renders its options in Python: Django renders every ``<option>`` through a template
(about half a millisecond each), so a dropdown of a big project's 400 entrances took longer than the
rest of a list page. It builds the same HTML with ``format_html`` (ten times faster).

``AutocompleteSelect`` renders no options at all but the selected ones: Tom Select loads the others
from the API as the user types (``wuye/static/wuye/app.js``). For foreign keys with thousands of
rows (906 buildings and 2,196 entrances in a project of 100,000 units; every unit, every person).
The field keeps its full queryset, so a submitted value is still validated against what the user
may see; only the rendered choices shrink.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = {"name": name, **self.build_attrs(self.attrs, attrs)}
        wanted = {str(v) for v in self.format_value(value)}
        state = {"selected": False}
        parts = []
        for option_value, label in self.rendered_choices(wanted):
            if isinstance(label, list | tuple):  # an option group
                inner = "".join(self._option(v, sub, wanted, state) for v, sub in label)
                parts.append(
                    format_html('<optgroup label="{}">{}</optgroup>', option_value, mark_safe(inner))
                )
            else:
                parts.append(self._option(option_value, label, wanted, state))
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe("".join(parts)))

    def rendered_choices(self, wanted: set[str]):
        """The (value, label) pairs to render: all of them here."""
        return self.choices

    @staticmethod
    def _option(value, label, wanted, state) -> str:
        value = "" if value is None else str(value)
        # like Django: only the first matching option of a single select is selected
        selected = value in wanted and not state["selected"]
        state["selected"] = state["selected"] or selected
        return format_html(
            '<option value="{}"{}>{}</option>', value, mark_safe(" selected") if selected else "", label
        )


class AutocompleteSelect(FastSelect):
    """A select of the selected option only; the browser loads the rest from ``url`` as the user types.

    ``url``: an API list endpoint (a URL name such as ``"estate-building-list"``, or a path) that
    answers ``?q=<typed text>`` with ``{"results": [{"id": ..., "display": ...}]}``, as every Wuye
    API list does. ``forward``: other fields of the same form whose values go along as query
    parameters, ``"building"`` or ``"param=field"`` (entrances of the chosen building); when one of
    them changes, the loaded options and this field's value are cleared.
    """

    def __init__(
        self, url: str, *, forward=(), search_param: str = "q", label_field: str = "display", attrs=None
    ):
        super().__init__(attrs=attrs)
        self.url = url
        self.forward = tuple(forward)
        self.search_param = search_param
        self.label_field = label_field

    def resolved_url(self) -> str:
        if "/" in self.url:
            return self.url
        try:
            return reverse(self.url)
        except NoReverseMatch:
            return ""

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs.pop("data-tom-select", None)  # enhanced as an autocomplete, not as a plain searchable select
        attrs["data-autocomplete-url"] = self.resolved_url()
        if self.forward:
            attrs["data-autocomplete-forward"] = ",".join(self.forward)
        if self.search_param != "q":
            attrs["data-autocomplete-param"] = self.search_param
        if self.label_field != "display":
            attrs["data-label-field"] = self.label_field
        return attrs

    def rendered_choices(self, wanted: set[str]):
        """The empty option, and the selected objects looked up by key (one query, only when a
        value is selected) instead of every row of the queryset."""
        choices = self.choices
        field = getattr(choices, "field", None)
        queryset = getattr(choices, "queryset", None)
        values = sorted(v for v in wanted if v not in ("", "None"))
        if field is None or queryset is None:  # plain choices: keep the selected ones
            return [(v, label) for v, label in choices if v in ("", None) or str(v) in wanted]
        out = []
        if field.empty_label is not None:
            out.append(("", field.empty_label))
        null_label = getattr(field, "null_label", None)  # django-filter's "no value" choice
        if null_label is not None:
            out.append((field.null_value, null_label))
            values = [v for v in values if v != str(field.null_value)]
        if values:
            key = field.to_field_name or "pk"
            try:
                objects = list(queryset.filter(**{f"{key}__in": values}))
            except (ValueError, TypeError, ValidationError):  # not a key at all: nothing selected
                objects = []
            out.extend(choices.choice(obj) for obj in objects)
        return out
