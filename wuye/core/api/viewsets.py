"""Base API viewset: scoped by ``restrict``, HTTP method mapped to the permission action."""

from __future__ import annotations

from django.db import transaction
from rest_framework import mixins, permissions, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied

from wuye.core.scoping import has_any_scope, permission_name

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class ScopedModelPermissions(permissions.BasePermission):
    """403 when the user holds the model permission in no project; rows are narrowed by restrict."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        model = view.queryset.model
        action = view.get_permission_action()
        if has_any_scope(request.user, permission_name(model, action)):
            return True
        # An object the user cannot even see answers 404, not 403, whatever the method.
        lookup = view.kwargs.get(view.lookup_url_kwarg or view.lookup_field)
        if lookup is not None and not model.objects.restrict(request.user, "view").filter(pk=lookup).exists():
            raise NotFound
        return False


class ScopedViewSetMixin:
    """Scoping and permission mapping shared by the scoped viewsets below."""

    permission_classes = [ScopedModelPermissions]
    #: custom @action name -> permission action (defaults to the HTTP method's)
    action_permissions: dict = {}

    def get_permission_action(self) -> str:
        if self.action in self.action_permissions:
            return self.action_permissions[self.action]
        return METHOD_ACTIONS.get(self.request.method, "view")

    def get_queryset(self):
        qs = super().get_queryset().restrict(self.request.user, self.get_permission_action())
        if self.action == "list":
            project = self.request.query_params.get("project")
            if project is None:
                qs = qs.in_project(getattr(self.request, "project", None))
        return qs

    def _check_scope(self, obj, action):
        if not self.queryset.model.objects.restrict(self.request.user, action).filter(pk=obj.pk).exists():
            raise PermissionDenied("The result would be outside the projects you may manage.")

    def perform_create(self, serializer):
        with transaction.atomic():
            extra = (
                {"created_by": self.request.user} if hasattr(serializer.Meta.model, "created_by_id") else {}
            )
            obj = serializer.save(**extra)
            self._check_scope(obj, "add")

    def perform_update(self, serializer):
        with transaction.atomic():
            obj = serializer.save()
            self._check_scope(obj, "change")

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """List, retrieve, create, update and delete, all scoped."""


class ScopedCreateReadViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """For records that are evidence (never edited or deleted through the API): list, retrieve, create."""


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve, scoped; custom @action methods map to permissions via action_permissions."""
