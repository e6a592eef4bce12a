"""Built-in roles. Patterns are matched against every installed permission, so a module added
later automatically extends the roles that cover it (on the next ``migrate``)."""

from __future__ import annotations

from fnmatch import fnmatch

from django.utils.translation import gettext_lazy as _

#: slug -> (name, description, permission patterns "app_label.codename")
SYSTEM_ROLES: dict[str, tuple] = {
    "ops-admin": (
        _("Operations centre admin"),
        _("Oversees every project; manages users, roles and settings."),
        ["*.*"],
    ),
    "project-manager": (
        _("Project manager"),
        _("Runs one project: every business module of that project."),
        [
            "estate.*",
            # residents: listed explicitly, so a sensitive permission added later is not implied
            "residents.view_*",
            "residents.add_*",
            "residents.change_*",
            "residents.delete_*",
            "residents.reveal_person",
            "billing.*",
            "service.*",
            "assets.*",
            "safety.*",
            "parking.*",
            "environment.*",
            "community.*",
            "staff.*",
            "quality.*",
            "core.view_job",
            "core.view_auditevent",
            "core.view_approvalrequest",
            "core.decide_approvalrequest",
            "accounts.view_membership",
            "accounts.view_user",
            "!estate.add_project",
            "!estate.delete_project",
        ],
    ),
    "customer-service": (
        _("Customer service"),
        _("Front desk and hotline: archives, work orders, return visits, announcements."),
        [
            "estate.view_*",
            "residents.view_*",
            "residents.add_*",
            "residents.change_*",
            "residents.reveal_person",
            "service.*",
            "community.*",
            "billing.view_*",
            "core.view_job",
        ],
    ),
    "engineer": (
        _("Engineer"),
        _("Repairs, equipment maintenance and inspections."),
        [
            "estate.view_*",
            "residents.view_*",
            "service.view_*",
            "service.change_*",
            "service.handle_workorder",
            "assets.*",
            "billing.view_meter",
            "billing.view_meterreading",
            "billing.add_meterreading",
            "billing.change_meterreading",
            "core.view_job",
        ],
    ),
    "security-guard": (
        _("Security guard"),
        _("Patrols, visitors, vehicles and hazards."),
        ["estate.view_*", "residents.view_*", "safety.*", "parking.*"],
    ),
    "cleaning-greening": (
        _("Cleaning and greening"),
        _("Cleaning and greening tasks and quality checks."),
        ["estate.view_*", "environment.*"],
    ),
    "cashier": (
        _("Cashier"),
        _("Collects payments at the cashier desk and closes the day."),
        [
            "estate.view_*",
            "residents.view_*",
            "billing.view_*",
            "billing.collect_payment",
            "billing.close_day",
            "billing.add_payment",
            "core.view_job",
        ],
    ),
    "finance": (
        _("Finance"),
        _("Fee standards, billing runs, refunds, reports and approvals of reductions."),
        [
            "estate.view_*",
            "residents.view_*",
            "billing.*",
            "finance.*",
            "core.view_job",
            "core.view_auditevent",
            "core.view_approvalrequest",
            "core.decide_approvalrequest",
        ],
    ),
    "auditor": (
        _("Read-only auditor"),
        _("Reads everything, including the audit trail; changes nothing."),
        ["*.view_*", "!accounts.view_user"],
    ),
}


def permission_matches(perm: str, patterns: list[str]) -> bool:
    allowed = any(fnmatch(perm, p) for p in patterns if not p.startswith("!"))
    denied = any(fnmatch(perm, p[1:]) for p in patterns if p.startswith("!"))
    return allowed and not denied


def wuye_permissions():
    """Permissions of Wuye's own apps (not Django's admin, sessions, axes, ...)."""
    from django.apps import apps
    from django.contrib.auth.models import Permission

    labels = [cfg.label for cfg in apps.get_app_configs() if cfg.name.startswith("wuye.")]
    return Permission.objects.filter(content_type__app_label__in=labels).select_related("content_type")


def sync_system_roles() -> None:
    """Create the built-in roles and add every matching permission (never removes any)."""
    from wuye.accounts.models import Role

    perms = list(wuye_permissions())
    for slug, (name, description, patterns) in SYSTEM_ROLES.items():
        role, _created = Role.objects.get_or_create(
            slug=slug, defaults={"name": str(name), "description": str(description), "is_system": True}
        )
        if not role.is_system:
            continue
        wanted = [
            p for p in perms if permission_matches(f"{p.content_type.app_label}.{p.codename}", patterns)
        ]
        role.permissions.add(*wanted)


def sync_system_roles_after_migrate(sender, app_config=None, using="default", **kwargs):
    # Run once, after the last app's permissions exist (post_migrate is sent per app, in order).
    from django.apps import apps

    with_models = [cfg for cfg in apps.get_app_configs() if cfg.models_module is not None]
    if app_config is None or app_config is not with_models[-1]:
        return
    from django.db import connections

    if "accounts_role" not in connections[using].introspection.table_names():
        return
    sync_system_roles()
