from django.utils.translation import gettext_lazy as _

from wuye.core.navigation import MenuGroup, MenuItem

menu = [
    MenuGroup(
        _("Archives"),
        key="archives",
        icon="building-community",
        order=10,
        items=[MenuItem(_("Import from Excel"), "importing:index", "estate.add_unit", "file-import")],
    )
]
