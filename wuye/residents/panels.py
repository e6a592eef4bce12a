"""Panels on the unit page (owners, residents, vehicles, history) and on the person page (units,
vehicles). Every query goes through ``restrict(request.user, "view")``."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wuye.core.panels import Panel
from wuye.core.scoping import user_scope
from wuye.residents.models import Occupancy, Ownership, Vehicle


def _can(request, perm, project_id) -> bool:
    return project_id in user_scope(request.user, perm)


def _current_ownerships(request, unit):
    return (
        Ownership.objects.restrict(request.user, "view")
        .filter(unit=unit)
        .current()
        .select_related("person")
        .order_by("-is_representative", "pk")
    )


def _current_occupancies(request, unit):
    return (
        Occupancy.objects.restrict(request.user, "view")
        .filter(unit=unit)
        .current()
        .select_related("person")
        .order_by("kind", "pk")
    )


def unit_owners(request, unit):
    rows = list(_current_ownerships(request, unit))
    return {
        "ownerships": rows,
        "count": len(rows),
        "total_share": sum((o.share for o in rows), 0),
        "next": request.get_full_path().split("?")[0],
        "can_register": _can(request, "residents.add_ownership", unit.project_id),
        "can_transfer": _can(request, "residents.change_ownership", unit.project_id),
        "register_url": reverse("residents:unit_register_owner", args=[unit.pk]),
        "transfer_url": reverse("residents:unit_transfer", args=[unit.pk]),
    }


def unit_residents(request, unit):
    rows = list(_current_occupancies(request, unit))
    return {
        "occupancies": rows,
        "count": len(rows),
        "next": request.get_full_path().split("?")[0],
        "can_move_in": _can(request, "residents.add_occupancy", unit.project_id),
        "can_move_out": bool(rows) and _can(request, "residents.change_occupancy", unit.project_id),
        "move_in_url": reverse("residents:unit_move_in", args=[unit.pk]),
        "move_out_url": reverse("residents:unit_move_out", args=[unit.pk]),
    }


def unit_vehicles(request, unit):
    people = set(_current_ownerships(request, unit).values_list("person_id", flat=True))
    people |= set(_current_occupancies(request, unit).values_list("person_id", flat=True))
    rows = list(
        Vehicle.objects.restrict(request.user, "view")
        .filter(Q(person_id__in=sorted(people)) | Q(parking_space__unit=unit))
        .select_related("person", "parking_space")
        .distinct()
        .order_by("plate")
    )
    return {"vehicles": rows, "count": len(rows)}


def _sort_key(row):
    return (row.start_date or datetime.date.min, row.created_at)


def unit_history(request, unit):
    ownerships = Ownership.objects.restrict(request.user, "view").filter(unit=unit).select_related("person")
    occupancies = Occupancy.objects.restrict(request.user, "view").filter(unit=unit).select_related("person")
    entries = [{"row": o, "role": _("Owner"), "detail": f"{o.share}%"} for o in ownerships]
    entries += [
        {"row": o, "role": o.get_kind_display(), "detail": o.get_relationship_display()} for o in occupancies
    ]
    entries.sort(key=lambda e: _sort_key(e["row"]), reverse=True)
    return {"entries": entries, "count": len(entries)}


def person_units(request, person):
    ownerships = Ownership.objects.restrict(request.user, "view").filter(person=person).select_related("unit")
    occupancies = (
        Occupancy.objects.restrict(request.user, "view").filter(person=person).select_related("unit")
    )
    entries = [
        {"row": o, "role": _("Owner"), "detail": f"{o.share}%", "representative": o.is_representative}
        for o in ownerships
    ]
    entries += [
        {"row": o, "role": o.get_kind_display(), "detail": o.get_relationship_display()} for o in occupancies
    ]
    entries.sort(key=lambda e: (e["row"].is_current, *_sort_key(e["row"])), reverse=True)
    return {"entries": entries, "count": len(entries)}


def person_vehicles(request, person):
    rows = list(
        Vehicle.objects.restrict(request.user, "view").filter(person=person).select_related("parking_space")
    )
    return {"vehicles": rows, "count": len(rows), "show_owner": False}


panels = [
    Panel(
        model="estate.unit",
        key="owners",
        label=_("Owners"),
        order=10,
        template="residents/panels/unit_owners.html",
        permission="residents.view_ownership",
        context=unit_owners,
    ),
    Panel(
        model="estate.unit",
        key="residents",
        label=_("Residents"),
        order=20,
        template="residents/panels/unit_residents.html",
        permission="residents.view_occupancy",
        context=unit_residents,
    ),
    Panel(
        model="estate.unit",
        key="vehicles",
        label=_("Vehicles"),
        order=30,
        template="residents/panels/vehicles.html",
        permission="residents.view_vehicle",
        context=unit_vehicles,
    ),
    Panel(
        model="estate.unit",
        key="ownership-history",
        label=_("Ownership history"),
        order=90,
        template="residents/panels/unit_history.html",
        permission="residents.view_ownership",
        context=unit_history,
    ),
    Panel(
        model="residents.person",
        key="units",
        label=_("Units"),
        order=10,
        template="residents/panels/person_units.html",
        permission="residents.view_ownership",
        context=person_units,
    ),
    Panel(
        model="residents.person",
        key="vehicles",
        label=_("Vehicles"),
        order=20,
        template="residents/panels/vehicles.html",
        permission="residents.view_vehicle",
        context=person_vehicles,
    ),
]
