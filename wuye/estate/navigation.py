from django.utils.translation import gettext_lazy as _

from wuye.core.navigation import MenuGroup, MenuItem

menu = [
    MenuGroup(
        _("Archives"),
        key="archives",
        icon="building-community",
        order=10,
        items=[
            MenuItem(_("Projects"), "estate:project_list", "estate.view_project", "building-community"),
            MenuItem(_("Buildings"), "estate:building_list", "estate.view_building", "building"),
            MenuItem(_("Entrances"), "estate:entrance_list", "estate.view_entrance", "door"),
            MenuItem(_("Units"), "estate:unit_list", "estate.view_unit", "home"),
            MenuItem(_("Parking lots"), "estate:parkinglot_list", "estate.view_parkinglot", "parking"),
            MenuItem(_("Parking spaces"), "estate:parkingspace_list", "estate.view_parkingspace", "car"),
        ],
    )
]
