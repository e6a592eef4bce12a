"""Left navigation, grouped by module. Each app may have a ``navigation.py`` defining ``menu``:

    menu = [MenuGroup(_("Archives"), icon="building", order=20, items=[
        MenuItem(_("Buildings"), "estate:building_list", permission="estate.view_building"),
    ])]

Items the user has no permission for (in any project) are hidden; empty groups too.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from wuye.core.scoping import has_any_scope


@dataclass
class MenuItem:
    label: str
    url_name: str
    permission: str | None = None
    icon: str = ""

    @property
    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


@dataclass
class MenuGroup:
    label: str
    items: list[MenuItem] = field(default_factory=list)
    icon: str = "folder"
    order: int = 100
    key: str = ""


REGISTRY: list[MenuGroup] = []


def register(*groups: MenuGroup) -> None:
    for group in groups:
        key = group.key or str(group.label)
        existing = next((g for g in REGISTRY if (g.key or str(g.label)) == key), None)
        if existing:
            existing.items.extend(group.items)
        else:
            REGISTRY.append(group)
    REGISTRY.sort(key=lambda g: g.order)


def autodiscover() -> None:
    REGISTRY.clear()
    for cfg in apps.get_app_configs():
        if not cfg.name.startswith("wuye."):
            continue
        try:
            module = importlib.import_module(f"{cfg.name}.navigation")
        except ModuleNotFoundError as exc:
            if exc.name != f"{cfg.name}.navigation":
                raise
            continue
        register(*getattr(module, "menu", []))


def menu_for(user, current_path: str = "") -> list[dict]:
    out = []
    for group in REGISTRY:
        items = []
        for item in group.items:
            if item.permission and not has_any_scope(user, item.permission):
                continue
            url = item.url
            if not url:
                continue
            items.append(
                {"label": item.label, "url": url, "icon": item.icon, "active": current_path.startswith(url)}
            )
        if items:
            out.append(
                {
                    "label": group.label,
                    "icon": group.icon,
                    "items": items,
                    "active": any(i["active"] for i in items),
                }
            )
    return out


def _system_menu():
    from django.utils.translation import gettext_lazy as _

    return [
        MenuGroup(
            _("System"),
            key="system",
            icon="settings",
            order=900,
            items=[
                MenuItem(_("Approvals"), "core:approval_list", "core.view_approvalrequest", "checklist"),
                MenuItem(_("Jobs"), "core:job_list", "core.view_job", "progress"),
                MenuItem(_("Audit trail"), "core:audit_list", "core.view_auditevent", "shield-check"),
            ],
        )
    ]


menu = _system_menu()
