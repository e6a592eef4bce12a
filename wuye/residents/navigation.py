from django.utils.translation import gettext_lazy as _

from wuye.core.navigation import MenuGroup, MenuItem

menu = [
    MenuGroup(
        _("Archives"),
        key="archives",
        icon="building-community",
        order=10,
        items=[
            MenuItem(_("People"), "residents:person_list", "residents.view_person", "users"),
            MenuItem(_("Ownerships"), "residents:ownership_list", "residents.view_ownership", "home-check"),
            MenuItem(_("Residents"), "residents:occupancy_list", "residents.view_occupancy", "home-heart"),
            MenuItem(_("Vehicles"), "residents:vehicle_list", "residents.view_vehicle", "car"),
        ],
    )
]
