"""Panels the estate app adds to detail pages (see wuye.core.panels)."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wuye.core.panels import Panel
from wuye.core.scoping import has_any_scope
from wuye.estate.models import Entrance, ParkingSpace, natural_code_key


def unit_parking_spaces(request, unit):
    spaces = list(
        ParkingSpace.objects.restrict(request.user, "view")
        .filter(unit=unit)
        .select_related("lot")
        .order_by("code")
    )
    return {"spaces": spaces, "count": len(spaces)}


def building_entrances(request, building):
    entrances = sorted(
        Entrance.objects.restrict(request.user, "view")
        .filter(building=building)
        .annotate(unit_count=Count("units"))
        .order_by(),
        key=lambda e: natural_code_key(e.number),
    )
    return {
        "entrances": entrances,
        "count": len(entrances),
        "grid_url": reverse("estate:building_grid", kwargs={"pk": building.pk}),
        "add_url": f"{reverse('estate:entrance_add')}?project={building.project_id}&building={building.pk}"
        if has_any_scope(request.user, "estate.add_entrance")
        else "",
    }


panels = [
    Panel(
        model="estate.unit",
        key="parking",
        label=_("Parking spaces"),
        order=50,
        template="estate/panels/unit_parking.html",
        permission="estate.view_parkingspace",
        context=unit_parking_spaces,
    ),
    Panel(
        model="estate.building",
        key="entrances",
        label=_("Entrances"),
        order=10,
        template="estate/panels/building_entrances.html",
        permission="estate.view_entrance",
        context=building_entrances,
    ),
]
