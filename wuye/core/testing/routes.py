"""Enumerate every URL pattern (UI and API) with the model it serves, for the isolation tests."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass
class Route:
    name: str  # namespaced, e.g. "estate:project_detail"
    callback: object
    params: tuple[str, ...]
    pattern: str

    @property
    def model(self):
        cb = self.callback
        initkwargs = getattr(cb, "view_initkwargs", None) or {}
        if initkwargs.get("model") is not None:
            return initkwargs["model"]
        view_class = getattr(cb, "view_class", None)
        if view_class is not None and getattr(view_class, "model", None) is not None:
            return view_class.model
        cls = getattr(cb, "cls", None)  # DRF views and viewsets
        if cls is not None and getattr(cls, "queryset", None) is not None:
            return cls.queryset.model
        return getattr(cb, "scoped_model", None)

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def api_actions(self) -> dict:
        return getattr(self.callback, "actions", None) or {}


def iter_routes(patterns=None, namespace="", prefix="", params=()):
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        here = prefix + str(entry.pattern)
        groups = tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            child_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from iter_routes(entry.url_patterns, child_ns, here, params + groups)
        elif isinstance(entry, URLPattern):
            if not entry.name:
                continue
            full = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(full, entry.callback, params + groups, here)
