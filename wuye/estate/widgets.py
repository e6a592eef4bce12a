"""A select that renders its options in Python.

Django renders every ``<option>`` through a template (about half a millisecond each): a dropdown of
a big project's 400 entrances took longer than the rest of the unit list page. This widget builds
the same HTML with ``format_html`` (ten times faster); Tom Select still enhances it in the browser.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = {"name": name, **self.build_attrs(self.attrs, attrs)}
        wanted = {str(v) for v in self.format_value(value)}
        state = {"selected": False}
        parts = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # an option group
                inner = "".join(self._option(v, sub, wanted, state) for v, sub in label)
                parts.append(
                    format_html('<optgroup label="{}">{}</optgroup>', option_value, mark_safe(inner))
                )
            else:
                parts.append(self._option(option_value, label, wanted, state))
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe("".join(parts)))

    @staticmethod
    def _option(value, label, wanted, state) -> str:
        value = "" if value is None else str(value)
        # like Django: only the first matching option of a single select is selected
        selected = value in wanted and not state["selected"]
        state["selected"] = state["selected"] or selected
        return format_html(
            '<option value="{}"{}>{}</option>', value, mark_safe(" selected") if selected else "", label
        )
