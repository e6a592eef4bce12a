"""Panels of the meters slice on the unit and building pages (registered by ``wuye.billing.panels``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wuye.billing.models.meters import Meter, MeterReading
from wuye.core.panels import Panel
from wuye.core.scoping import user_scope


def _with_last_reading(meters, user):
    readings = MeterReading.objects.restrict(user, "view").filter(meter=OuterRef("pk")).order_by("-period")
    meters = list(meters.annotate(last_reading_id=Subquery(readings.values("pk")[:1])))
    last = MeterReading.objects.in_bulk([m.last_reading_id for m in meters if m.last_reading_id])
    for meter in meters:
        meter.last_reading = last.get(meter.last_reading_id)
    return meters


def unit_meters(request, unit):
    user = request.user
    meters = _with_last_reading(
        Meter.objects.restrict(user, "view").filter(unit=unit).select_related("standard").order_by("number"),
        user,
    )
    add = ""
    if unit.project_id in user_scope(user, "billing.add_meter"):
        add = f"{reverse('billing:meter_add')}?{urlencode({'project': unit.project_id, 'unit': unit.pk})}"
    return {"meters": meters, "count": len(meters), "add_url": add}


def building_meters(request, building):
    user = request.user
    meters = _with_last_reading(
        Meter.objects.restrict(user, "view")
        .filter(building=building, is_public=True)
        .select_related("standard")
        .order_by("number"),
        user,
    )
    household = Meter.objects.restrict(user, "view").filter(building=building, is_public=False).count()
    return {
        "meters": meters,
        "count": len(meters),
        "household_count": household,
        "entry_url": f"{reverse('billing:meterreading_entry')}?{urlencode({'building': building.pk})}",
        "list_url": f"{reverse('billing:meter_list')}?{urlencode({'building': building.pk})}",
    }


panels = [
    Panel(
        model="estate.unit",
        key="meters",
        label=_("Meters"),
        order=70,
        template="billing/meters/panel_unit.html",
        permission="billing.view_meter",
        context=unit_meters,
    ),
    Panel(
        model="estate.building",
        key="meters",
        label=_("Public meters"),
        order=60,
        template="billing/meters/panel_building.html",
        permission="billing.view_meter",
        context=building_meters,
    ),
]
