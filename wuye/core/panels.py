"""Panels (tabs) on an object's detail page that other apps fill.

The unit page belongs to ``estate``, but its owners tab comes from ``residents``, its bills from
``billing`` and its work orders from ``service``. Apps register panels in a ``panels.py`` module:

    panels = [
        Panel(model="estate.unit", key="owners", label=_("Owners"), order=10,
              template="residents/panels/unit_owners.html",
              permission="residents.view_ownership",
              context=lambda request, unit: {"ownerships": ...}),
    ]

``context(request, obj)`` returns the template context, or None to hide the panel. It must query
through ``restrict(request.user, ...)`` like any view. ``ObjectDetailView`` renders the panels of its
model below the main card; ``?panel=<key>`` with an HTMX request returns one panel alone.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.template.loader import render_to_string

from wuye.core.scoping import has_any_scope


@dataclass
class Panel:
    model: str  # "app_label.model_name"
    key: str
    label: str
    template: str
    context: Callable
    permission: str | None = None
    order: int = 100


_REGISTRY: dict[str, list[Panel]] | None = None


def _load() -> dict[str, list[Panel]]:
    global _REGISTRY
    if _REGISTRY is None:
        registry: dict[str, list[Panel]] = {}
        for cfg in apps.get_app_configs():
            if not cfg.name.startswith("wuye."):
                continue
            try:
                module = importlib.import_module(f"{cfg.name}.panels")
            except ModuleNotFoundError as exc:
                if exc.name != f"{cfg.name}.panels":
                    raise
                continue
            for panel in getattr(module, "panels", []):
                registry.setdefault(panel.model, []).append(panel)
        for items in registry.values():
            items.sort(key=lambda p: p.order)
        _REGISTRY = registry
    return _REGISTRY


def panels_for(request, obj, only: str | None = None) -> list[dict]:
    label = obj._meta.label_lower
    out = []
    for panel in _load().get(label, []):
        if only and panel.key != only:
            continue
        if panel.permission and not has_any_scope(request.user, panel.permission):
            continue
        context = panel.context(request, obj)
        if context is None:
            continue
        html = render_to_string(panel.template, {"object": obj, **context}, request=request)
        out.append({"key": panel.key, "label": panel.label, "html": html, "count": context.get("count")})
    return out
