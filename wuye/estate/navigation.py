from django.utils.translation import gettext_lazy as _

from wuye.core.navigation import MenuGroup, MenuItem

menu = [
    MenuGroup(
        _("Archives"),
        key="archives",
        icon="building-community",
        order=10,
        items=[MenuItem(_("Projects"), "estate:project_list", "estate.view_project", "building-community")],
    )
]
