"""The one enforcement point for project scoping.

``Model.objects.restrict(user, action)`` returns only the rows ``user`` may act on. The generic UI
views, the base API viewset, form dropdowns and the global search all call it; app code never
queries a scoped model for a request without it.

A user's scope for a permission is either ``ALL`` (a membership that covers all projects, or a
superuser) or a frozenset of project ids. Users provide it through ``user.scope_for(perm)``
(see ``wuye.accounts.models.User``); anonymous users have no scope.
"""

from __future__ import annotations

from django.db import models


class _All:
    """Sentinel: the permission holds in every project."""

    def __repr__(self):
        return "ALL"

    def __contains__(self, item):
        return True

    def __bool__(self):
        return True


ALL = _All()

STANDARD_ACTIONS = ("view", "add", "change", "delete")


def permission_name(model, action: str) -> str:
    """``view`` on estate.Building -> ``estate.view_building``; a custom action names its codename.

    ``restrict(user, "collect_payment")`` on a billing model checks ``billing.collect_payment``.
    """
    opts = model._meta
    if action in STANDARD_ACTIONS:
        return f"{opts.app_label}.{action}_{opts.model_name}"
    if "." in action:
        return action
    return f"{opts.app_label}.{action}"


def user_scope(user, perm: str):
    """The projects in which ``user`` holds ``perm``: ``ALL`` or a frozenset of ids (maybe empty)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return ALL
    scope_for = getattr(user, "scope_for", None)
    if scope_for is None:
        return frozenset()
    return scope_for(perm)


def has_any_scope(user, perm: str) -> bool:
    scope = user_scope(user, perm)
    return scope is ALL or bool(scope)


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Rows of this queryset that ``user`` may ``action``; none for anonymous users.

        Models declare how a row maps to a project with ``scope_field`` (``"project"`` for
        project-scoped records, ``"pk"`` for the Project itself, ``None`` for company-wide
        records, which need the permission across all projects). A model may also define
        ``restrict_resident(queryset, user)`` to let owners and tenants see their own rows.
        """
        model = self.model
        perm = permission_name(model, action)
        scope = user_scope(user, perm)
        if scope is ALL:
            return self._mark_restricted()
        resident_hook = getattr(model, "restrict_resident", None)
        if resident_hook is not None and getattr(user, "is_resident", False):
            return resident_hook(self, user, action)._mark_restricted()
        field = getattr(model, "scope_field", "project")
        if not scope or field is None:
            return self.none()
        lookup = "pk__in" if field == "pk" else f"{field}__in"
        return self.filter(**{lookup: sorted(scope)})._mark_restricted()

    def _mark_restricted(self):
        qs = self.all()
        qs._wuye_restricted = True
        return qs

    def _clone(self):
        clone = super()._clone()
        if getattr(self, "_wuye_restricted", False):
            clone._wuye_restricted = True
        return clone

    @property
    def is_restricted(self) -> bool:
        return getattr(self, "_wuye_restricted", False)

    def in_project(self, project):
        """Narrow to the project the user has switched to (``None`` means all of theirs)."""
        if project is None:
            return self
        field = getattr(self.model, "scope_field", "project")
        if field == "pk":
            return self.filter(pk=project.pk)
        if field is None:
            return self
        return self.filter(**{field: project.pk})


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)
