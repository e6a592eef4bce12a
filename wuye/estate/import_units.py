"""Reading units from sheet rows: the words for statuses and usages, the columns that name a unit,
and ``UnitPlanner``, which finds, creates and updates buildings, entrances and units in bulk.

Used by the units import (``wuye.estate.imports``) and by every import whose rows name a unit.
"""

from __future__ import annotations

import datetime
import itertools
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from wuye.core.importing import values as v
from wuye.core.importing.spec import Field, ImportSpec, Row, choice_parser
from wuye.estate.choices import BuildingTypeChoices, UnitStatusChoices, UnitUsageChoices
from wuye.estate.models import Building, Entrance, Unit, compact_code, natural_sort_key

# -- words people use in their sheets -------------------------------------------------------------
UNIT_STATUS_WORDS = {
    "未售": UnitStatusChoices.UNSOLD,
    "待售": UnitStatusChoices.UNSOLD,
    "未销售": UnitStatusChoices.UNSOLD,
    "未出售": UnitStatusChoices.UNSOLD,
    "开发商持有": UnitStatusChoices.UNSOLD,
    "已售未交付": UnitStatusChoices.SOLD_UNDELIVERED,
    "已售未交房": UnitStatusChoices.SOLD_UNDELIVERED,
    "已售": UnitStatusChoices.SOLD_UNDELIVERED,
    "已签约": UnitStatusChoices.SOLD_UNDELIVERED,
    "未交付": UnitStatusChoices.SOLD_UNDELIVERED,
    "未交房": UnitStatusChoices.SOLD_UNDELIVERED,
    "待交付": UnitStatusChoices.SOLD_UNDELIVERED,
    "空置": UnitStatusChoices.VACANT,
    "空房": UnitStatusChoices.VACANT,
    "已交付未入住": UnitStatusChoices.VACANT,
    "已交房未入住": UnitStatusChoices.VACANT,
    "交付未入住": UnitStatusChoices.VACANT,
    "已交付": UnitStatusChoices.VACANT,
    "已交房": UnitStatusChoices.VACANT,
    "已收房": UnitStatusChoices.VACANT,
    "未入住": UnitStatusChoices.VACANT,
    "自住": UnitStatusChoices.OCCUPIED,
    "入住": UnitStatusChoices.OCCUPIED,
    "已入住": UnitStatusChoices.OCCUPIED,
    "在住": UnitStatusChoices.OCCUPIED,
    "居住": UnitStatusChoices.OCCUPIED,
    "出租": UnitStatusChoices.RENTED,
    "已出租": UnitStatusChoices.RENTED,
    "在租": UnitStatusChoices.RENTED,
    "租住": UnitStatusChoices.RENTED,
    "装修": UnitStatusChoices.RENOVATING,
    "装修中": UnitStatusChoices.RENOVATING,
    "在装修": UnitStatusChoices.RENOVATING,
}
UNIT_USAGE_WORDS = {
    "住宅": UnitUsageChoices.RESIDENTIAL,
    "住房": UnitUsageChoices.RESIDENTIAL,
    "普通住宅": UnitUsageChoices.RESIDENTIAL,
    "公寓": UnitUsageChoices.RESIDENTIAL,
    "洋房": UnitUsageChoices.RESIDENTIAL,
    "别墅": UnitUsageChoices.RESIDENTIAL,
    "商铺": UnitUsageChoices.SHOP,
    "商业": UnitUsageChoices.SHOP,
    "底商": UnitUsageChoices.SHOP,
    "门面": UnitUsageChoices.SHOP,
    "店铺": UnitUsageChoices.SHOP,
    "商业用房": UnitUsageChoices.SHOP,
    "写字楼": UnitUsageChoices.OFFICE,
    "办公": UnitUsageChoices.OFFICE,
    "办公楼": UnitUsageChoices.OFFICE,
    "办公室": UnitUsageChoices.OFFICE,
    "储藏室": UnitUsageChoices.STORAGE,
    "储藏间": UnitUsageChoices.STORAGE,
    "储物间": UnitUsageChoices.STORAGE,
    "杂物间": UnitUsageChoices.STORAGE,
    "地下室": UnitUsageChoices.STORAGE,
    "车库": UnitUsageChoices.GARAGE,
    "汽车库": UnitUsageChoices.GARAGE,
}
BUILDING_TYPE_WORDS = {
    "高层": BuildingTypeChoices.HIGH_RISE,
    "小高层": BuildingTypeChoices.MID_HIGH,
    "中高层": BuildingTypeChoices.MID_HIGH,
    "多层": BuildingTypeChoices.MULTI_STOREY,
    "洋房": BuildingTypeChoices.MULTI_STOREY,
    "别墅": BuildingTypeChoices.VILLA,
    "商业": BuildingTypeChoices.COMMERCIAL,
    "商业楼": BuildingTypeChoices.COMMERCIAL,
    "写字楼": BuildingTypeChoices.COMMERCIAL,
}


def _words(table) -> tuple[str, ...]:
    return tuple(table)


# -- the fields that locate a unit, shared by every import that names one -------------------------
def unit_locator_fields() -> list[Field]:
    return [
        Field(
            "building",
            _lazy("Building"),
            "楼栋",
            synonyms=(
                "楼号",
                "楼栋号",
                "楼宇",
                "栋号",
                "幢号",
                "楼幢",
                "楼栋编号",
                "楼栋名称",
                "楼宇名称",
                "栋",
                "幢",
                "楼",
                "楼座",
            ),
            parse=v.to_building_number,
            carry_down=True,
            example="3",
            help=_lazy("Building number, e.g. 3 (3栋 and 3号楼 are understood)."),
        ),
        Field(
            "entrance",
            _lazy("Entrance"),
            "单元",
            synonyms=("单元号", "单元名称", "单元编号"),
            parse=v.to_entrance_number,
            carry_down=True,
            example="2",
            help=_lazy("Entrance (单元) number; leave empty for buildings without entrances."),
        ),
        Field(
            "room",
            _lazy("Room number"),
            "房号",
            synonyms=(
                "房间",
                "房间号",
                "房屋编号",
                "房屋号",
                "室号",
                "室",
                "门牌号",
                "户号",
                "房号名称",
                "房屋",
            ),
            parse=v.to_room_number,
            example="1201",
            help=_lazy("Room number, e.g. 1201; the floor is taken from it unless a floor column is given."),
        ),
        Field(
            "code",
            _lazy("Unit code"),
            "房屋编码",
            synonyms=(
                "房屋代码",
                "房产编号",
                "房产编码",
                "房间编码",
                "房屋全称",
                "房号全称",
                "房屋代号",
                "编码",
            ),
            parse=lambda value: v.to_code(value, max_length=40),
            example="",
            help=_lazy(
                "Optional: the full code, e.g. 3-2-1201. Without it the code is building-entrance-room."
            ),
        ),
    ]


def unit_attribute_fields() -> list[Field]:
    return [
        Field(
            "floor",
            _lazy("Floor"),
            "楼层",
            synonyms=("所在楼层", "所在层", "楼层号", "层"),
            parse=v.to_floor,
            example=12,
            help=_lazy("Optional: taken from the room number (1201 is on floor 12) when empty."),
        ),
        Field(
            "building_area",
            _lazy("Building area (㎡)"),
            "建筑面积",
            synonyms=("面积", "产权面积", "房屋面积", "建面", "建筑面积平方米"),
            parse=v.to_decimal,
            example="89.50",
            help=_lazy("Registered building area in ㎡, e.g. 89.5."),
        ),
        Field(
            "inner_area",
            _lazy("Inner area (㎡)"),
            "套内面积",
            synonyms=("使用面积", "套内建筑面积", "套内"),
            parse=v.to_decimal,
            example="72.30",
        ),
        Field(
            "usage",
            _lazy("Usage"),
            "房屋用途",
            synonyms=("用途", "房屋类型", "物业类型", "房屋性质", "性质", "业态"),
            parse=choice_parser(UNIT_USAGE_WORDS, UnitUsageChoices.choices),
            example="住宅",
            words=_words(UNIT_USAGE_WORDS),
        ),
        Field("layout", _lazy("Layout"), "户型", synonyms=("房型", "户型结构", "格局"), example="3室2厅2卫"),
        Field(
            "status",
            _lazy("Status"),
            "房屋状态",
            synonyms=("状态", "房态", "销售状态", "入住状态", "交付状态", "使用状态"),
            parse=choice_parser(UNIT_STATUS_WORDS, UnitStatusChoices.choices),
            example="自住",
            words=_words(UNIT_STATUS_WORDS),
            help=_lazy("Without a status, new units are unsold (held by the developer)."),
        ),
        Field(
            "delivery_date",
            _lazy("Delivery date"),
            "交付日期",
            synonyms=("入住日期", "交房日期", "交付时间", "交房时间", "收房日期", "入伙日期"),
            parse=v.to_date,
            example="2020-05-01",
        ),
    ]


class UnitRef:
    """Where a row points: a unit code and, when known, its building, entrance and room."""

    __slots__ = ("code", "building", "entrance", "room")

    def __init__(self, code, building, entrance, room):
        self.code, self.building, self.entrance, self.room = code, building, entrance, room


_CODE_WORDS = re.compile(
    r"^(?P<b>[0-9A-Z]+?)(?:号楼|栋|幢|座|#)(?:(?P<e>[0-9A-Z一二三四五六七八九十]+?)单元)?(?P<r>[0-9A-Z\-]+?)(?:室|号)?$"
)


def parse_code(code: str) -> tuple[str | None, str | None, str] | None:
    """``3-2-1201``, ``3栋2单元1201室``, ``3#1201``, ``3-1201`` -> (building, entrance, room)."""
    text = v.norm_text(code).replace(" ", "").upper()
    match = _CODE_WORDS.match(text)
    if match:
        return (
            v.to_building_number(match["b"]),
            v.to_entrance_number(match["e"]) if match["e"] else None,
            v.to_room_number(match["r"]),
        )
    parts = [p for p in re.split(r"[-/_#]+", text) if p]
    if len(parts) == 3:
        return v.to_building_number(parts[0]), v.to_entrance_number(parts[1]), v.to_room_number(parts[2])
    if len(parts) == 2:
        return v.to_building_number(parts[0]), None, v.to_room_number(parts[1])
    return None


def make_code(building: str, entrance: str | None, room: str) -> str:
    return "-".join(p for p in (building, entrance, room) if p)


class UnitPlanner:
    """Finds the units rows name and plans new and changed buildings, entrances and units.

    New objects get temporary negative ids while planning, so model ``clean()`` methods that look at
    related objects work before anything is written; ``apply`` writes them in bulk.
    """

    _temp = itertools.count(-1, -1)

    def __init__(self, spec: ImportSpec, *, code_field: str = "code"):
        self.spec = spec
        self.project = project = spec.project
        self.code_field = code_field
        self.buildings = {b.number: b for b in Building.objects.filter(project=project)}
        by_id = {b.pk: b for b in self.buildings.values()}
        self.entrances = {}
        for e in Entrance.objects.filter(project=project):
            e.building = by_id[e.building_id]
            self.entrances[(e.building.number, e.number)] = e
        entrance_by_id = {e.pk: e for e in self.entrances.values()}
        self.units: dict[str, Unit] = {}
        self.by_parts: dict[tuple, Unit] = {}
        self.by_compact: dict[str, Unit | None] = {}
        for u in Unit.objects.filter(project=project):
            u.building = by_id[u.building_id]
            u.entrance = entrance_by_id.get(u.entrance_id)
            self._index(u)
        self.new_buildings: dict[str, Building] = {}
        self.changed_buildings: dict[str, set[str]] = {}
        self.new_entrances: dict[tuple, Entrance] = {}
        self.new_units: dict[str, Unit] = {}
        self.changed_units: dict[str, set[str]] = {}
        self.rows_of_unit: dict[str, Row] = {}
        self.rows_of_building: dict[str, Row] = {}
        self.building_values: dict[str, dict] = {}
        self.floors: dict[str, list[int]] = {}

    def _index(self, unit):
        self.units[unit.code] = unit
        entrance = unit.entrance.number if unit.entrance_id else ""
        self.by_parts[(unit.building.number, entrance, unit.room_number)] = unit
        key = compact_code(unit.code)
        self.by_compact[key] = None if key in self.by_compact else unit

    @staticmethod
    def is_new(obj) -> bool:
        return obj.pk is None or obj.pk < 0

    # -- locating ----------------------------------------------------------------------------------
    def has_unit(self, row: Row) -> bool:
        return any(row[n] is not None for n in (self.code_field, "building", "room"))

    def locate(self, row: Row) -> UnitRef | None:
        code, building, entrance, room = row[self.code_field], row["building"], row["entrance"], row["room"]
        if room and building and re.search(r"[-/_#栋幢单元座]", room):
            parsed = parse_code(room)
            if parsed and parsed[0] == building and (parsed[1] in (None, entrance)):
                entrance = entrance or parsed[1]
                room = parsed[2]
            elif parsed and parsed[0] == entrance and parsed[1] is None:
                room = parsed[2]
        if code and not (building and room):
            parsed = parse_code(code)
            if parsed:
                building = building or parsed[0]
                entrance = entrance or parsed[1]
                room = room or parsed[2]
        if not code and building and room:
            code = make_code(building, entrance, room)
        if not code:
            if not row.failed & {self.code_field, "building", "room"}:
                self.spec.error(
                    row,
                    self.unit_column(),
                    _("The unit is missing: fill in the building and room number, or the unit code."),
                )
            return None
        return UnitRef(code, building, entrance, room)

    def unit_column(self) -> str:
        """The field to report unit problems against: the room column, else the code column."""
        return "room" if "room" in self.spec.columns else self.code_field

    def find(self, ref: UnitRef) -> Unit | None:
        unit = self.units.get(ref.code) or self.new_units.get(ref.code)
        if unit is None and ref.building and ref.room:
            unit = self.by_parts.get((ref.building, ref.entrance or "", ref.room))
        if unit is None:
            unit = self.by_compact.get(compact_code(ref.code))
        return unit

    def missing_message(self, code):
        return _("Unit %(code)s is not in the archive; import the units first.") % {"code": code}

    # -- planning ----------------------------------------------------------------------------------
    def building(self, number: str, row: Row) -> Building:
        building = self.buildings.get(number) or self.new_buildings.get(number)
        if building is None:
            building = Building(project=self.project, number=number, floors_above=1, floors_below=0)
            building.pk = next(self._temp)
            self._created_by(building)
            self.new_buildings[number] = building
            self.spec.need(
                "estate.add_building", lambda: _("it adds building %(number)s.") % {"number": number}
            )
        self.rows_of_building.setdefault(number, row)
        values = self.building_values.setdefault(number, {})
        for name in ("floors_above", "floors_below", "building_type", "elevator_count"):
            if row[name] is not None and name not in values:
                values[name] = row[name]
        return building

    def entrance(self, building: Building, number: str | None) -> Entrance | None:
        if not number:
            return None
        key = (building.number, number)
        entrance = self.entrances.get(key) or self.new_entrances.get(key)
        if entrance is None:
            entrance = Entrance(project=self.project, building=building, number=number)
            entrance.pk = next(self._temp)
            self._created_by(entrance)
            self.new_entrances[key] = entrance
            self.spec.need("estate.add_entrance", lambda: _("it adds entrances."))
        return entrance

    def _created_by(self, obj):
        actor = self.spec.actor
        if actor is not None and actor.is_authenticated:
            obj.created_by = actor

    def plan_unit(self, row: Row, ref: UnitRef) -> Unit | None:
        """The unit of ``row``, created or updated from the row's unit columns.

        A further row of a unit already planned (co-owners on several rows) returns the same unit.
        """
        unit = self.find(ref)
        if unit is not None and unit.code in self.rows_of_unit:
            return unit
        if unit is None:
            if not ref.building:
                self.spec.error(
                    row,
                    self.code_field,
                    _("Cannot tell the building from the unit code “%(code)s”; add a building column.")
                    % {"code": ref.code},
                )
                return None
            if not ref.room:
                self.spec.require(row, "room")
                return None
            if not self.spec.require(row, "building_area"):
                return None
            building = self.building(ref.building, row)
            unit = Unit(
                project=self.project,
                building=building,
                entrance=self.entrance(building, ref.entrance),
                code=ref.code,
                room_number=ref.room,
                status=UnitStatusChoices.UNSOLD,
            )
            unit.pk = next(self._temp)
            self._created_by(unit)
            self.new_units[unit.code] = unit
            self.spec.need("estate.add_unit", lambda: _("it adds units."))
            floor = row["floor"]
            if floor is None:
                floor = v.floor_from_room(ref.room)
                if floor is None and "floor" not in row.failed:
                    self.spec.error(
                        row,
                        "floor" if "floor" in self.spec.columns else "room",
                        _("Cannot tell the floor from room number “%(room)s”; add a floor column.")
                        % {"room": ref.room},
                    )
            unit.floor = floor
            changed = None
        else:
            changed = set()
            self.building(unit.building.number, row)
        self.rows_of_unit[unit.code] = row
        values = {
            "floor": row["floor"],
            "building_area": row["building_area"],
            "inner_area": row["inner_area"],
            "usage": row["usage"],
            "layout": row["layout"],
            "status": self.status(row),
            "delivery_date": row["delivery_date"],
            "vacancy_registered": row["vacancy_registered"],
            "note": row["note"],
        }
        for name, value in values.items():
            if value is None or getattr(unit, name) == value:
                continue
            setattr(unit, name, value)
            if changed is not None:
                changed.add(name)
        if changed:
            self.changed_units[unit.code] = changed
            self.spec.need("estate.change_unit", lambda: _("it changes existing units."))
        if unit.floor is not None:
            self.floors.setdefault(unit.building.number, []).append(unit.floor)
        return unit

    def status(self, row: Row):
        status = row["status"]
        # "已售" with a delivery date in the past: sold and handed over.
        if (
            status == UnitStatusChoices.SOLD_UNDELIVERED
            and v.norm_text(row.raw.get("status")) == "已售"
            and row["delivery_date"]
            and row["delivery_date"] <= datetime.date.today()
        ):
            return UnitStatusChoices.VACANT
        return status

    def set_status(self, unit: Unit, status: str) -> None:
        if unit.status == status:
            return
        unit.status = status
        if not self.is_new(unit):
            self.changed_units.setdefault(unit.code, set()).add("status")
            self.spec.need("estate.change_unit", lambda: _("it changes existing units."))

    def finish(self) -> None:
        """Size buildings to their units' floors, then validate every new or changed object."""
        for number, values in self.building_values.items():
            building = self.buildings.get(number) or self.new_buildings[number]
            floors = self.floors.get(number, [])
            top = max((f for f in floors if f > 0), default=1)
            bottom = -min((f for f in floors if f < 0), default=0)
            row = self.rows_of_building.get(number)
            if self.is_new(building):
                building.floors_above = values.get("floors_above") or top
                building.floors_below = values.get("floors_below", bottom)
                building.building_type = values.get("building_type") or _building_type(top)
                building.elevator_count = values.get("elevator_count") or 0
                self.spec.validate(building, row, {"number": "building"})
                continue
            wanted = dict(values)
            if "floors_above" not in wanted and top > building.floors_above:
                wanted["floors_above"] = top
            if "floors_below" not in wanted and bottom > building.floors_below:
                wanted["floors_below"] = bottom
            changed = {name for name, value in wanted.items() if getattr(building, name) != value}
            if changed:
                for name in changed:
                    setattr(building, name, wanted[name])
                self.changed_buildings[number] = changed
                self.spec.need(
                    "estate.change_building",
                    _("building %(number)s changes (for example more floors for its units).")
                    % {"number": number},
                )
                self.spec.validate(building, row, {"number": "building"})
        for entrance in self.new_entrances.values():
            row = self.rows_of_building.get(entrance.building.number)
            self.spec.validate(entrance, row, {"number": "entrance"})
        fields = {"room_number": "room", "code": self.code_field}
        for code, row in self.rows_of_unit.items():
            unit = self.new_units.get(code) or self.units[code]
            if self.is_new(unit) or code in self.changed_units:
                # a missing floor was reported already, in the words of the sheet
                self.spec.validate(unit, row, fields, skip={"floor"} if unit.floor is None else ())
        self.spec.count("buildings_created", len(self.new_buildings))
        self.spec.count("buildings_updated", len(self.changed_buildings))
        self.spec.count("entrances_created", len(self.new_entrances))
        self.spec.count("units_created", len(self.new_units))
        self.spec.count("units_updated", len(self.changed_units))
        self.spec.count(
            "units_unchanged", len(self.rows_of_unit) - len(self.new_units) - len(self.changed_units)
        )

    # -- writing -----------------------------------------------------------------------------------
    def apply(self) -> None:
        now = timezone.now()
        buildings = list(self.new_buildings.values())
        for b in buildings:
            b.pk = None
            b.sort_key = natural_sort_key(b.number)
        Building.objects.bulk_create(buildings, batch_size=500)
        if self.changed_buildings:
            objs = [self.buildings[n] for n in self.changed_buildings]
            fields = set().union(*self.changed_buildings.values())
            for b in objs:
                b.updated_at = now
            Building.objects.bulk_update(objs, sorted(fields | {"updated_at"}), batch_size=500)
        entrances = list(self.new_entrances.values())
        for e in entrances:
            e.pk = None
            e.building = e.building  # take the building's real id
        Entrance.objects.bulk_create(entrances, batch_size=500)
        units = list(self.new_units.values())
        for u in units:
            u.pk = None
            u.building = u.building
            u.entrance = u.entrance
            _fill_computed(u)
        Unit.objects.bulk_create(units, batch_size=500)
        if self.changed_units:
            objs = [self.units[code] for code in self.changed_units]
            fields = set().union(*self.changed_units.values())
            for u in objs:
                u.updated_at = now
            Unit.objects.bulk_update(objs, sorted(fields | {"updated_at"}), batch_size=500)


def _fill_computed(unit):
    fill = getattr(unit, "fill_computed", None)
    if fill is not None:
        fill()
    else:  # pragma: no cover - older model without the helper
        unit.search_code = compact_code(unit.code)


def _building_type(top_floor: int) -> str:
    if top_floor >= 10:
        return BuildingTypeChoices.HIGH_RISE
    if top_floor >= 7:
        return BuildingTypeChoices.MID_HIGH
    return BuildingTypeChoices.MULTI_STOREY


UNIT_COUNTS = {
    "buildings_created": _lazy("New buildings"),
    "buildings_updated": _lazy("Buildings given more floors"),
    "entrances_created": _lazy("New entrances"),
    "units_created": _lazy("New units"),
    "units_updated": _lazy("Updated units"),
    "units_unchanged": _lazy("Unchanged units"),
}
