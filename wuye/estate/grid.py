"""The building grid (楼盘表): floors from the top down x the units on each floor, by entrance.

``build_grid`` is pure: it arranges units already loaded (one query) into rows and columns.
A unit's column is its room position: ``1201`` on floor 12 is position ``01``, so the 01s of
every floor line up. Units on floors the building no longer declares still get their row.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from wuye.estate.choices import UNIT_STATUS_COLORS, UnitStatusChoices, UnitUsageChoices
from wuye.estate.models import natural_code_key

URL_SENTINEL = "987654321"


class Cell:
    """What one unit's cell shows, computed once: a grid of 1,000 units must not call
    ``get_status_display`` (which re-translates every choice) or ``reverse`` per cell."""

    __slots__ = ("pk", "code", "room", "area", "status", "color", "title", "url")

    def __init__(self, unit, url_pattern, status_labels, usage_labels, vacancy_label):
        self.pk = unit.pk
        self.code = unit.code
        self.room = unit.room_number
        self.area = f"{unit.building_area}"
        self.status = unit.status
        self.color = UNIT_STATUS_COLORS.get(unit.status, "secondary")
        parts = [
            unit.code,
            status_labels.get(unit.status, unit.status),
            usage_labels.get(unit.usage, unit.usage),
        ]
        if unit.layout:
            parts.append(unit.layout)
        if unit.vacancy_registered:
            parts.append(vacancy_label)
        self.title = " · ".join(parts)
        self.url = url_pattern.replace(URL_SENTINEL, str(unit.pk))


def room_position(room_number: str, floor: int) -> str:
    """``1201`` on floor 12 -> ``01``; rooms that do not start with their floor keep their number."""
    room = (room_number or "").strip()
    prefix = str(floor) if floor > 0 else ""
    if prefix and room.startswith(prefix) and len(room) > len(prefix):
        return room[len(prefix) :]
    return room


def floor_label(floor: int) -> str:
    """12 -> 12F, -1 -> B1 (the usual marks on Chinese floor plans and lift buttons)."""
    return f"{floor}F" if floor > 0 else f"B{-floor}"


def build_grid(building, units, entrances) -> dict:
    """``units``: the building's units (any order); ``entrances``: its entrances.

    Returns ``{"groups": [{"entrance", "label", "positions"}], "rows": [{"floor", "label", "cells":
    [{"units", "position", "group_start"} per position per group]}], "legend": [...], "total": n,
    "area": Decimal, "has_entrances": bool}``.
    """
    status_labels = {value: str(label) for value, label in UnitStatusChoices.choices}
    usage_labels = {value: str(label) for value, label in UnitUsageChoices.choices}
    vacancy_label = _("vacancy registered")
    # one reverse() whose pk slot each cell fills, instead of one reverse() per unit
    url_pattern = reverse("estate:unit_detail", kwargs={"pk": int(URL_SENTINEL)})
    entrance_by_id = {e.pk: e for e in entrances}
    ordered_entrances = sorted(entrances, key=lambda e: natural_code_key(e.number))
    cells: dict[tuple, list] = {}
    positions: dict[int | None, set] = {}
    floors = set(building.floor_range())
    for unit in units:
        key = unit.entrance_id if unit.entrance_id in entrance_by_id else None
        pos = room_position(unit.room_number, unit.floor)
        positions.setdefault(key, set()).add(pos)
        cells.setdefault((key, unit.floor, pos), []).append(unit)
        floors.add(unit.floor)

    groups = []
    for entrance in ordered_entrances:
        if entrance.pk in positions:
            groups.append({"entrance": entrance, "label": entrance.label, "key": entrance.pk})
    if None in positions:
        groups.append({"entrance": None, "label": "", "key": None})
    for group in groups:
        group["positions"] = sorted(positions[group["key"]], key=natural_code_key)

    rows = []
    for floor in sorted(floors, reverse=True):
        row_cells = []
        for index, group in enumerate(groups):
            for n, pos in enumerate(group["positions"]):
                found = cells.get((group["key"], floor, pos), [])
                row_cells.append(
                    {
                        "units": [
                            Cell(u, url_pattern, status_labels, usage_labels, vacancy_label)
                            for u in sorted(found, key=lambda u: natural_code_key(u.code))
                        ],
                        "position": pos,
                        "group_start": index > 0 and n == 0,
                    }
                )
        rows.append({"floor": floor, "label": floor_label(floor), "cells": row_cells})

    counts = Counter(u.status for u in units)
    legend = [
        {
            "value": value,
            "label": label,
            "color": UNIT_STATUS_COLORS.get(value, "secondary"),
            "count": counts[value],
        }
        for value, label in UnitStatusChoices.choices
    ]
    return {
        "groups": groups,
        "rows": rows,
        "legend": legend,
        "total": len(units),
        "area": sum((u.building_area for u in units), Decimal("0.00")),
        "has_entrances": any(g["entrance"] is not None for g in groups),
    }
