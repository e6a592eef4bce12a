"""Global search. Apps register providers in a ``search.py`` module defining ``providers``:

    providers = [SearchProvider(Building, label=_("Buildings"), fields=("name", "number"))]

A provider may override ``search(queryset, term)`` for smarter matching (unit codes, pinyin).
The search view always passes a queryset already restricted to the user and current project.
"""

from __future__ import annotations

import importlib
import operator
from functools import reduce

from django.apps import apps
from django.db.models import Q


class SearchProvider:
    def __init__(self, model, label=None, fields=(), permission_action="view", order=100, select_related=()):
        self.model = model
        self.label = label or model._meta.verbose_name_plural
        self.fields = fields
        self.permission_action = permission_action
        self.order = order
        self.select_related = select_related

    def search(self, queryset, term: str):
        if not self.fields:
            return queryset.none()
        return queryset.filter(reduce(operator.or_, [Q(**{f"{f}__icontains": term}) for f in self.fields]))

    def describe(self, obj) -> str:
        return ""

    def results(self, user, project, term: str, limit: int = 8):
        qs = self.model.objects.restrict(user, self.permission_action).in_project(project)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return list(self.search(qs, term)[:limit])


REGISTRY: list[SearchProvider] = []


def register(*providers: SearchProvider) -> None:
    REGISTRY.extend(providers)
    REGISTRY.sort(key=lambda p: p.order)


def autodiscover() -> None:
    REGISTRY.clear()
    for cfg in apps.get_app_configs():
        if not cfg.name.startswith("wuye."):
            continue
        try:
            module = importlib.import_module(f"{cfg.name}.search")
        except ModuleNotFoundError as exc:
            if exc.name != f"{cfg.name}.search":
                raise
            continue
        register(*getattr(module, "providers", []))


def search_all(user, project, term: str, limit: int = 8) -> list[dict]:
    from wuye.core.scoping import has_any_scope, permission_name

    term = (term or "").strip()
    if not term:
        return []
    groups = []
    for provider in REGISTRY:
        if not has_any_scope(user, permission_name(provider.model, provider.permission_action)):
            continue
        hits = provider.results(user, project, term, limit)
        if hits:
            groups.append(
                {
                    "label": provider.label,
                    "results": [
                        {
                            "object": o,
                            "url": o.get_absolute_url(),
                            "text": str(o),
                            "detail": provider.describe(o),
                        }
                        for o in hits
                    ],
                }
            )
    return groups
