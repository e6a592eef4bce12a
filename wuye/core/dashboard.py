"""Home-page widgets. Apps register callables ``widget(request) -> dict | None`` in a
``dashboard.py`` module (``widgets = [...]``); each returns a title and figures, or None."""

from __future__ import annotations

import importlib

from django.apps import apps


def widgets_for(request) -> list[dict]:
    out = []
    for cfg in apps.get_app_configs():
        if not cfg.name.startswith("wuye.") or cfg.name == "wuye.core":
            continue
        try:
            module = importlib.import_module(f"{cfg.name}.dashboard")
        except ModuleNotFoundError as exc:
            if exc.name != f"{cfg.name}.dashboard":
                raise
            continue
        for widget in getattr(module, "widgets", []):
            data = widget(request)
            if data:
                out.append(data)
    return out
