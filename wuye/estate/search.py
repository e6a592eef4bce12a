"""Global search providers of the estate app, and the unit-code parser staff searches go through.

Staff type unit codes in many shapes: ``3-2-1201``, ``3栋2单元1201``, ``3#2-1201``, ``3-1201``
(building 3, room 1201, any entrance), ``1201`` alone, or with full-width characters
(``３－２－１２０１``). :func:`parse_unit_query` reads them into building, entrance and room;
:func:`unit_search_q` turns that into a query on units (also used by the unit list's ``q``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wuye.core.search import SearchProvider
from wuye.estate.models import Building, Entrance, ParkingSpace, Project, Unit, compact_code

#: dashes people paste from Word, IMEs and spreadsheets (NFKC leaves these alone)
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−－﹣"), "-")

_CODE_RE = re.compile(
    r"""
    ^
    (?:(?P<building>[A-Z0-9]+)\s*(?:号楼|栋|幢|座|楼|[\#\-/\s])[\s\#\-/]*)?
    (?:(?P<entrance>[A-Z0-9]+)\s*(?:单元|[\-/\s])[\s\-/]*)?
    (?P<room>[A-Z0-9]+)?
    \s*(?:室|号)?
    $
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class UnitCodeQuery:
    """What a typed unit code means: any of building, entrance and room may be empty."""

    building: str = ""
    entrance: str = ""
    room: str = ""

    @property
    def compact(self) -> str:
        return f"{self.building}{self.entrance}{self.room}"

    @property
    def canonical(self) -> str:
        return "-".join(p for p in (self.building, self.entrance, self.room) if p)

    def to_q(self, prefix: str = "") -> Q:
        """A filter on units (``prefix="unit__"`` to filter a model that points to a unit).

        No ``LIKE`` and no case-folding functions: every condition is an equality (or ``IN``) that an
        index of the unit table answers, and buildings and entrances are matched by id through small
        subqueries rather than joins. A whole code (building, entrance and room) is one selective
        condition on the ``(search_code, project)`` index, not an OR of looser alternatives: an OR
        branch that matches many units (room 1201 of every building) makes the database walk the
        list's sort index instead."""

        def lookup(**kwargs):
            return Q(**{f"{prefix}{k}": v for k, v in kwargs.items()})

        if not self.building and not self.entrance:
            # "1201" alone: that room in any building, or a code typed without separators (321201).
            return lookup(room_number__in=_cases(self.room)) | lookup(search_code=compact_code(self.room))
        buildings = (
            Building.objects.filter(number__in=_cases(self.building)).values("pk") if self.building else None
        )
        if self.building and self.entrance and self.room:
            # The code without separators names the unit, whether or not its entrance has a row
            # (3-2-1201 in a building without Entrance rows); the building keeps 32-1-201 out of a
            # search for 3-2-1201, and the room keeps 3-21-201 out.
            return lookup(
                search_code=self.compact, building_id__in=buildings, room_number__in=_cases(self.room)
            )
        query = Q()
        if buildings is not None:
            query &= lookup(building_id__in=buildings)
        if self.entrance:
            entrances = Entrance.objects.filter(number__in=_cases(self.entrance))
            if buildings is not None:
                entrances = entrances.filter(building_id__in=buildings)
            query &= lookup(entrance_id__in=entrances.values("pk"))
        if self.room:
            query &= lookup(room_number__in=_cases(self.room))
        return query


def code_starts_with(field: str, text: str) -> Q:
    """``field`` starts with ``text``, in a form an index answers.

    PostgreSQL: ``LIKE 'text%'``, which the ``varchar_pattern_ops`` index on the code serves (a
    range would follow the column's collation, which may ignore the dashes). SQLite: ``LIKE`` is
    case-insensitive there and never uses an index, so a range in its binary order instead
    (``text <= code < text + U+10FFFF``, the highest code point). Both are case-sensitive."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": text})
    return Q(**{f"{field}__gte": text, f"{field}__lt": f"{text}\U0010ffff"})


def _cases(text: str) -> list[str]:
    """Typed text is upper-cased; stored codes are usually digits, sometimes lower-case letters."""
    return sorted({text, text.lower()})


def normalize_input(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_DASHES)
    return re.sub(r"\s+", " ", text).strip().upper()


def parse_unit_query(text: str) -> UnitCodeQuery | None:
    """Read a typed unit code; None when the text does not look like one (a name, a phone...)."""
    text = normalize_input(text)
    if not text:
        return None
    match = _CODE_RE.match(text)
    if match is None:
        return None
    parts = {k: v or "" for k, v in match.groupdict().items()}
    if not any(parts.values()):
        return None
    return UnitCodeQuery(**parts)


def unit_search_q(text: str, prefix: str = "") -> Q:
    """Units matching what staff typed: the parsed code, or a code starting with the text (so that
    the list narrows while "3-2-12" is being typed, and "3-1201" does not find 13-1201)."""
    normalized = normalize_input(text)
    if not normalized:
        return Q()
    parsed = parse_unit_query(normalized)
    # a prefix of the code as typed, or in the canonical form (3栋2单元12 -> 3-2-12; 3栋 -> 3-,
    # which 32-1201 does not start with)
    prefixes = {normalized}
    if parsed is not None:
        prefixes.add(parsed.canonical if parsed.room else f"{parsed.canonical}-")
    query = Q()
    for start in sorted({case for text in prefixes for case in _cases(text)}):
        query |= code_starts_with(f"{prefix}code", start)
    if parsed is not None:
        query |= parsed.to_q(prefix)
    return query


class UnitSearchProvider(SearchProvider):
    def search(self, queryset, term: str):
        if not normalize_input(term):
            return queryset.none()
        return queryset.filter(unit_search_q(term))

    def describe(self, obj) -> str:
        return f"{obj.project} · {obj.building} · {obj.get_status_display()}"


class BuildingSearchProvider(SearchProvider):
    def describe(self, obj) -> str:
        return str(obj.project)


class ParkingSpaceSearchProvider(SearchProvider):
    def describe(self, obj) -> str:
        return f"{obj.project} · {obj.lot} · {obj.get_status_display()}"


providers = [
    SearchProvider(Project, label=_("Projects"), fields=("name", "code", "address"), order=10),
    UnitSearchProvider(Unit, label=_("Units"), order=20, select_related=("project", "building")),
    BuildingSearchProvider(
        Building, label=_("Buildings"), fields=("number", "name"), order=30, select_related=("project",)
    ),
    ParkingSpaceSearchProvider(
        ParkingSpace, label=_("Parking spaces"), fields=("code",), order=40, select_related=("project", "lot")
    ),
]
