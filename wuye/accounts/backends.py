"""Django permission backend that reads roles through memberships, per project."""

from __future__ import annotations

from wuye.core.scoping import ALL


class ScopedPermissionBackend:
    """Authenticates like ModelBackend; ``has_perm(perm)`` is true when any membership grants it.

    ``has_perm(perm, obj)`` is true when the membership covers the object's project. Views do not
    rely on this for querysets: they use ``restrict()``; this answers "may the user do X at all".
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        from django.contrib.auth.backends import ModelBackend

        return ModelBackend().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        User = get_user_model()
        try:
            user = User._default_manager.get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if user.is_active else None

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or getattr(user_obj, "is_anonymous", True):
            return False
        if user_obj.is_superuser:
            return True
        scope = user_obj.scope_for(perm)
        if obj is None:
            return scope is ALL or bool(scope)
        project = getattr(obj, "project_for_scope", None)
        if project is None:
            return scope is ALL
        return project.pk in scope

    def has_module_perms(self, user_obj, app_label):
        if not user_obj.is_active:
            return False
        if user_obj.is_superuser:
            return True
        return any(p.startswith(app_label + ".") for p in user_obj.all_scoped_perms())

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or getattr(user_obj, "is_anonymous", True):
            return set()
        return user_obj.all_scoped_perms()
