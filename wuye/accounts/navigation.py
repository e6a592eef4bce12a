from django.utils.translation import gettext_lazy as _

from wuye.core.navigation import MenuGroup, MenuItem

menu = [
    MenuGroup(
        _("System"),
        key="system",
        icon="settings",
        order=900,
        items=[
            MenuItem(_("Users"), "accounts:user_list", "accounts.view_user", "users"),
            MenuItem(_("Roles"), "accounts:role_list", "accounts.view_role", "id-badge"),
            MenuItem(_("Memberships"), "accounts:membership_list", "accounts.view_membership", "user-check"),
        ],
    )
]
