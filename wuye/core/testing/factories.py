"""Factories for tests, with a registry: every scoped model has one, so generic tests (the route
walker, CRUD cases) can make "an object of project X" of any model.

Apps register theirs in ``<app>/tests/factories.py`` with ``@register(Model)``; ``factory_for``
imports those modules on first use.
"""

from __future__ import annotations

import functools
import importlib
import itertools
from collections.abc import Callable

from django.apps import apps

_counter = itertools.count(1)
REGISTRY: dict = {}


def seq() -> int:
    return next(_counter)


def register(model):
    def decorator(func: Callable):
        REGISTRY[model] = func
        return func

    return decorator


def _discover():
    for cfg in apps.get_app_configs():
        if cfg.name.startswith("wuye."):
            try:
                importlib.import_module(f"{cfg.name}.tests.factories")
            except ModuleNotFoundError as exc:
                if exc.name not in (f"{cfg.name}.tests.factories", f"{cfg.name}.tests"):
                    raise


def factory_for(model) -> Callable:
    """``factory_for(Model)(project=p)`` returns a saved object of that model in project p."""
    if model not in REGISTRY:
        _discover()
    try:
        return REGISTRY[model]
    except KeyError:
        raise LookupError(f"no test factory registered for {model._meta.label}") from None


@functools.cache
def password_hash() -> str:
    """One real (Argon2) hash of the demo password, computed once per test run."""
    from django.contrib.auth.hashers import make_password

    return make_password("wuye-demo")


def make_project(code=None, name=None, **extra):
    from wuye.estate.models import Project

    n = seq()
    return Project.objects.create(code=code or f"T{n:04d}", name=name or f"测试项目{n}", **extra)


def make_user(username=None, role_slug=None, project=None, **extra):
    from wuye.accounts.models import Membership, Role, User

    n = seq()
    user = User.objects.create(
        username=username or f"user{n}",
        display_name=extra.pop("display_name", f"用户{n}"),
        password=password_hash(),
        **extra,
    )
    if role_slug:
        Membership.objects.create(user=user, role=Role.objects.get(slug=role_slug), project=project)
    return user
