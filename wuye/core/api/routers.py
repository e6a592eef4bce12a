"""One API router for all apps. Each app's ``api/urls.py`` lists its endpoints:

    routes = [("estate/projects", views.ProjectViewSet, "estate-project")]

and ``build_router()`` collects them under /api/v1/ with one browsable root.
"""

from __future__ import annotations

import importlib

from django.apps import apps
from rest_framework.routers import DefaultRouter


class WuyeRouter(DefaultRouter):
    include_format_suffixes = False


def build_router() -> DefaultRouter:
    router = WuyeRouter(trailing_slash=True)
    for cfg in apps.get_app_configs():
        if not cfg.name.startswith("wuye."):
            continue
        try:
            module = importlib.import_module(f"{cfg.name}.api.urls")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"{cfg.name}.api.urls", f"{cfg.name}.api"):
                raise
            continue
        for prefix, viewset, basename in getattr(module, "routes", []):
            router.register(prefix, viewset, basename=basename)
    return router
