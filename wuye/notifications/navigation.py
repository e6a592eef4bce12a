from django.utils.translation import gettext_lazy as _

from wuye.core.navigation import MenuGroup, MenuItem

menu = [
    MenuGroup(
        _("System"),
        key="system",
        icon="settings",
        order=900,
        items=[
            MenuItem(
                _("SMS log"), "notifications:smsmessage_list", "notifications.view_smsmessage", "message"
            )
        ],
    )
]
