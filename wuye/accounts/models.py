"""Users, roles (named sets of permissions) and memberships (user x role x project or all)."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Permission, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from wuye.core.models import BaseModel
from wuye.core.scoping import ALL, RestrictedQuerySet


class UserQuerySet(RestrictedQuerySet):
    def restrict(self, user, action="view"):
        """Users are company-wide; a project-scoped viewer sees the members of their projects."""
        from wuye.core.scoping import permission_name, user_scope

        scope = user_scope(user, permission_name(self.model, action))
        if scope is ALL:
            return self._mark_restricted()
        if not scope:
            return self.none()
        members = Membership.objects.filter(project_id__in=sorted(scope)).values("user_id")
        return self.filter(pk__in=members)._mark_restricted()


class WuyeUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A login. Staff act through memberships; residents (owners, tenants) use the portal."""

    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_resident = models.BooleanField(
        _("resident account"), default=False, help_text=_("Owner or tenant account for the portal.")
    )

    objects = WuyeUserManager()
    scope_field = None  # company-wide: managing users needs the permission for all projects

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("accounts:user_detail", kwargs={"pk": self.pk})

    # -- scoping ----------------------------------------------------------------------------
    def _load_scopes(self) -> dict:
        """perm name -> ALL | set of project ids, from this user's memberships (one query)."""
        scopes: dict = defaultdict(set)
        if not self.is_active or not self.pk:
            return scopes
        rows = (
            Membership.objects.filter(user_id=self.pk, role__permissions__isnull=False)
            .values_list(
                "project_id",
                "role__permissions__content_type__app_label",
                "role__permissions__codename",
            )
            .distinct()
        )
        for project_id, app_label, codename in rows:
            perm = f"{app_label}.{codename}"
            if project_id is None:
                scopes[perm] = ALL
            elif scopes[perm] is not ALL:
                scopes[perm].add(project_id)
        return scopes

    def scope_for(self, perm: str):
        cache = getattr(self, "_wuye_scopes", None)
        if cache is None:
            cache = self._wuye_scopes = self._load_scopes()
        scope = cache.get(perm)
        if scope is ALL:
            return ALL
        return frozenset(scope or ())

    def all_scoped_perms(self) -> set[str]:
        cache = getattr(self, "_wuye_scopes", None)
        if cache is None:
            cache = self._wuye_scopes = self._load_scopes()
        return {perm for perm, scope in cache.items() if scope}

    def clear_scope_cache(self):
        self.__dict__.pop("_wuye_scopes", None)
        self.__dict__.pop("_wuye_projects", None)

    def accessible_project_ids(self):
        """Projects where this user has any membership: ALL or a frozenset."""
        if self.is_superuser:
            return ALL
        cached = getattr(self, "_wuye_projects", None)
        if cached is None:
            ids = set()
            for project_id in Membership.objects.filter(user_id=self.pk).values_list("project_id", flat=True):
                if project_id is None:
                    cached = ALL
                    break
                ids.add(project_id)
            else:
                cached = frozenset(ids)
            self._wuye_projects = cached
        return cached


class Role(BaseModel):
    """A named set of permissions: model permissions plus custom actions."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("code"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_system = models.BooleanField(
        _("built-in"),
        default=False,
        help_text=_("Built-in roles get new permissions when modules are added."),
    )
    permissions = models.ManyToManyField(
        Permission, verbose_name=_("permissions"), blank=True, related_name="+"
    )

    scope_field = None

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(BaseModel):
    """``user`` acts as ``role`` in ``project``, or in every project when project is empty."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="memberships"
    )
    project = models.ForeignKey(
        settings.WUYE_PROJECT_MODEL,
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text=_("Leave empty for all projects (operations centre)."),
    )

    scope_field = "project"

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user__username", "role__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "project"], name="accounts_membership_unique"),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(project__isnull=True),
                name="accounts_membership_unique_all",
            ),
        ]

    def __str__(self):
        where = self.project or _("All projects")
        return f"{self.user} · {self.role} · {where}"

    @property
    def project_for_scope(self):
        return self.project

    def get_absolute_url(self):
        return self.user.get_absolute_url()
