"""Archive figures (units by status and usage, areas, parking) computed with aggregate queries.

Every function takes a queryset the caller has already restricted to the user; one query each,
whatever the number of rows.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from wuye.estate.choices import (
    PARKING_SPACE_STATUS_COLORS,
    UNIT_STATUS_COLORS,
    ParkingSpaceStatusChoices,
    UnitStatusChoices,
    UnitUsageChoices,
)

ZERO = Decimal("0.00")


def _figures(rows, choices, colors=None, with_area=False) -> dict:
    """``rows``: ``{value: {"n": count, "area": Decimal}}`` -> items in choice order, with zeros."""
    items = []
    for value, label in choices.choices:
        row = rows.get(value, {})
        items.append(
            {
                "value": value,
                "label": label,
                "color": (colors or {}).get(value, "secondary"),
                "count": row.get("n", 0),
                "area": (row.get("area") or ZERO) if with_area else None,
            }
        )
    total = sum(i["count"] for i in items)
    for item in items:
        item["percent"] = round(item["count"] * 100 / total, 1) if total else 0
    result = {"items": items, "total": total}
    if with_area:
        result["area"] = sum((i["area"] for i in items), ZERO)
    return result


def unit_figures(units) -> tuple[dict, dict]:
    """Units by status and by usage, from one aggregate query (one pass over the units).

    Each is ``{"items": [{value, label, color, count, area, percent}], "total": n, "area": Decimal}``.
    """
    by_status: dict = {}
    by_usage: dict = {}
    rows = units.order_by().values("status", "usage").annotate(n=Count("pk"), area=Sum("building_area"))
    for row in rows:
        for bucket, key in ((by_status, row["status"]), (by_usage, row["usage"])):
            entry = bucket.setdefault(key, {"n": 0, "area": ZERO})
            entry["n"] += row["n"]
            entry["area"] += row["area"] or ZERO
    return (
        _figures(by_status, UnitStatusChoices, UNIT_STATUS_COLORS, with_area=True),
        _figures(by_usage, UnitUsageChoices, with_area=True),
    )


def units_by_status(units) -> dict:
    return unit_figures(units)[0]


def spaces_by_status(spaces) -> dict:
    rows = {row["status"]: row for row in spaces.order_by().values("status").annotate(n=Count("pk"))}
    return _figures(rows, ParkingSpaceStatusChoices, PARKING_SPACE_STATUS_COLORS)


def related_count(model, field: str):
    """``annotate(unit_count=related_count(Unit, "building"))``: a correlated count per row.

    Unlike ``Count("units")`` it needs no GROUP BY over the whole child table (a building list over
    100,000 units counts only the 25 buildings on the page) and keeps the model's default ordering.
    """
    counts = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)
