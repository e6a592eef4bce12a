"""Who may run which import where, and who may see which import batch.

An import of kind K into project P needs every permission of K's spec in P (``estate.add_unit``
for units, ``residents.add_person`` and ``residents.add_ownership`` for owners, ...). The same rule
decides who sees a batch: anyone who may run that import in its project (a batch holds the
uploaded personal data, so a narrower permission would not do).
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings

from wuye.core.importing.models import ImportBatch
from wuye.core.importing.spec import all_specs, get_spec
from wuye.core.scoping import ALL, has_any_scope, user_scope


def project_scope(user, spec):
    """ALL or the frozenset of project ids where ``user`` holds every permission of ``spec``."""
    scope = ALL
    for perm in spec.permissions:
        granted = user_scope(user, perm)
        if granted is ALL:
            continue
        scope = granted if scope is ALL else scope & granted
    return scope


def may_import(user, spec) -> bool:
    return all(has_any_scope(user, perm) for perm in spec.permissions) and bool(project_scope(user, spec))


def specs_for(user) -> list:
    return [spec for spec in all_specs() if may_import(user, spec)]


def projects_for(user, spec):
    """The projects ``user`` may import ``spec`` into (restricted like every project dropdown)."""
    Project = apps.get_model(settings.WUYE_PROJECT_MODEL)
    qs = Project.objects.restrict(user, "view")
    scope = project_scope(user, spec)
    if scope is not ALL:
        qs = qs.filter(pk__in=sorted(scope))
    return qs.order_by("code")


def visible_batches(user):
    """Batches of every kind, each in the projects where the user may run that kind of import."""
    qs = None
    for spec in all_specs():
        if not spec.permissions:
            continue
        part = ImportBatch.objects.restrict(user, spec.permissions[0]).filter(kind=spec.kind)
        for perm in spec.permissions[1:]:
            scope = user_scope(user, perm)
            if scope is not ALL:
                part = part.filter(project_id__in=sorted(scope))
        qs = part if qs is None else qs | part
    return qs if qs is not None else ImportBatch.objects.none()


def batch_spec(batch):
    return get_spec(batch.kind)
