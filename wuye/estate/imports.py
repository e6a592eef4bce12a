"""Excel imports of the estate archive: buildings and units, parking spaces.

The unit-reading machinery is in ``wuye.estate.import_units``; the owners import
(``wuye.residents.imports``) reuses it, so an owner roster can create its units too.
"""

from __future__ import annotations

import dataclasses

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from wuye.core.importing import values as v
from wuye.core.importing.spec import Field, ImportSpec, Row, choice_parser, register
from wuye.estate.choices import (
    BuildingTypeChoices,
    ParkingLotKindChoices,
    ParkingSpaceKindChoices,
    ParkingSpaceStatusChoices,
)
from wuye.estate.import_units import (  # noqa: F401 - re-exported for the residents imports
    BUILDING_TYPE_WORDS,
    UNIT_COUNTS,
    UnitPlanner,
    _words,
    unit_attribute_fields,
    unit_locator_fields,
)
from wuye.estate.models import ParkingLot, ParkingSpace

LOT_KIND_WORDS = {
    "地面": ParkingLotKindChoices.GROUND,
    "地上": ParkingLotKindChoices.GROUND,
    "露天": ParkingLotKindChoices.GROUND,
    "地下": ParkingLotKindChoices.UNDERGROUND,
    "地库": ParkingLotKindChoices.UNDERGROUND,
    "机械": ParkingLotKindChoices.MECHANICAL,
    "立体": ParkingLotKindChoices.MECHANICAL,
}
SPACE_KIND_WORDS = {
    "产权": ParkingSpaceKindChoices.OWNED,
    "产权车位": ParkingSpaceKindChoices.OWNED,
    "自有": ParkingSpaceKindChoices.OWNED,
    "已购": ParkingSpaceKindChoices.OWNED,
    "私家": ParkingSpaceKindChoices.OWNED,
    "租赁": ParkingSpaceKindChoices.RENTED,
    "出租": ParkingSpaceKindChoices.RENTED,
    "租用": ParkingSpaceKindChoices.RENTED,
    "月租": ParkingSpaceKindChoices.RENTED,
    "公共": ParkingSpaceKindChoices.PUBLIC_TEMPORARY,
    "公共车位": ParkingSpaceKindChoices.PUBLIC_TEMPORARY,
    "临时": ParkingSpaceKindChoices.PUBLIC_TEMPORARY,
    "临停": ParkingSpaceKindChoices.PUBLIC_TEMPORARY,
    "访客": ParkingSpaceKindChoices.PUBLIC_TEMPORARY,
}
SPACE_STATUS_WORDS = {
    "空闲": ParkingSpaceStatusChoices.AVAILABLE,
    "可用": ParkingSpaceStatusChoices.AVAILABLE,
    "未售": ParkingSpaceStatusChoices.AVAILABLE,
    "可售": ParkingSpaceStatusChoices.AVAILABLE,
    "空置": ParkingSpaceStatusChoices.AVAILABLE,
    "已售": ParkingSpaceStatusChoices.SOLD,
    "已租": ParkingSpaceStatusChoices.RENTED,
    "出租": ParkingSpaceStatusChoices.RENTED,
    "已出租": ParkingSpaceStatusChoices.RENTED,
    "预留": ParkingSpaceStatusChoices.RESERVED,
    "保留": ParkingSpaceStatusChoices.RESERVED,
    "预定": ParkingSpaceStatusChoices.RESERVED,
    "停用": ParkingSpaceStatusChoices.DISABLED,
    "禁用": ParkingSpaceStatusChoices.DISABLED,
    "封存": ParkingSpaceStatusChoices.DISABLED,
}


# -- buildings and units ------------------------------------------------------------------------


@register
class UnitImport(ImportSpec):
    kind = "units"
    order = 10
    label = _lazy("Buildings and units")
    description = _lazy(
        "Buildings, entrances and units with areas, usage and status. Run it first: the other "
        "imports find their units here."
    )
    permissions = ("estate.add_unit",)
    sheet_title = "楼栋房屋"
    template_filename = "楼栋房屋导入模板.xlsx"
    required_groups = [(("building", "room"), ("code",))]
    fields = [
        *unit_locator_fields(),
        *unit_attribute_fields(),
        Field(
            "vacancy_registered",
            _lazy("Vacancy registered"),
            "空置登记",
            synonyms=("是否空置登记", "空置备案"),
            parse=v.to_bool,
            example="否",
            words=("是", "否"),
        ),
        Field(
            "floors_above",
            _lazy("Floors above ground"),
            "总层数",
            synonyms=("地上层数", "楼层数", "楼高", "地上楼层", "楼栋层数"),
            parse=v.to_int,
            example=18,
            help=_lazy("Of the building; when empty, the highest floor of its units."),
        ),
        Field(
            "floors_below",
            _lazy("Floors below ground"),
            "地下层数",
            synonyms=("地下楼层",),
            parse=v.to_int,
            example=1,
        ),
        Field(
            "building_type",
            _lazy("Building type"),
            "楼栋类型",
            synonyms=("建筑类型", "楼型"),
            parse=choice_parser(BUILDING_TYPE_WORDS, BuildingTypeChoices.choices),
            example="高层",
            words=_words(BUILDING_TYPE_WORDS),
        ),
        Field(
            "elevator_count",
            _lazy("Elevators"),
            "电梯数",
            synonyms=("电梯数量", "电梯"),
            parse=v.to_int,
            example=2,
        ),
        Field("note", _lazy("Note"), "备注", synonyms=("说明",), example=""),
    ]
    count_labels = UNIT_COUNTS

    def build(self, rows, progress=None):
        self.planner = planner = UnitPlanner(self)
        for index, row in enumerate(rows):
            self.tick(index, len(rows))
            ref = planner.locate(row)
            if ref is None:
                continue
            if (first := self.duplicate_of(("unit", ref.code), row)) is not None:
                self.error(
                    row,
                    "code" if "code" in self.columns else "room",
                    _("Unit %(code)s is already on row %(row)s.") % {"code": ref.code, "row": first},
                )
                continue
            planner.plan_unit(row, ref)
        self.after_units(rows)
        planner.finish()

    def after_units(self, rows) -> None:
        """Hook for later apps (the residents import gives unsold units to the developer)."""

    def apply(self, progress=None):
        self.planner.apply()


# -- parking spaces -------------------------------------------------------------------------------
def _parking_unit_fields() -> list[Field]:
    """The unit columns of a parking sheet: optional, never carried down, the code is ``unit_code``."""
    out = []
    for f in unit_locator_fields():
        f = dataclasses.replace(f, carry_down=False, example="" if f.name == "entrance" else f.example)
        if f.name == "code":
            f = dataclasses.replace(
                f,
                name="unit_code",
                header="关联房屋编码",
                synonyms=("房屋编码", "关联房屋", "房屋代码", "所属房屋", "房产编号"),
                example="",
                help=_lazy("Optional: the unit this space belongs to (or fill in building and room)."),
            )
        out.append(f)
    return out


@register
class ParkingImport(ImportSpec):
    kind = "parking"
    order = 50
    label = _lazy("Parking spaces")
    description = _lazy("Car parks and their spaces: kind, area, status and the linked unit.")
    permissions = ("estate.add_parkingspace",)
    sheet_title = "车位"
    template_filename = "车位导入模板.xlsx"
    fields = [
        Field(
            "lot",
            _lazy("Parking lot"),
            "车场",
            synonyms=("停车场", "车场名称", "停车场名称", "所在车场", "车库", "车库名称", "区域"),
            parse=lambda value: v.to_text(value, max_length=60),
            carry_down=True,
            example="地下车库",
            help=_lazy("Name of the car park; created when new. Without this column: one default car park."),
        ),
        Field(
            "lot_kind",
            _lazy("Parking lot kind"),
            "车场类型",
            synonyms=("停车场类型",),
            parse=choice_parser(LOT_KIND_WORDS, ParkingLotKindChoices.choices),
            example="地下",
            words=_words(LOT_KIND_WORDS),
        ),
        Field(
            "code",
            _lazy("Space code"),
            "车位号",
            synonyms=("车位", "车位编号", "车位编码", "车位名称", "停车位", "车位号码"),
            parse=lambda value: v.to_code(value, max_length=30),
            required=True,
            example="B1-001",
        ),
        Field(
            "kind",
            _lazy("Kind"),
            "车位类型",
            synonyms=("车位性质", "产权类型", "车位属性", "类型", "性质"),
            parse=choice_parser(SPACE_KIND_WORDS, ParkingSpaceKindChoices.choices),
            example="产权",
            words=_words(SPACE_KIND_WORDS),
        ),
        Field(
            "area",
            _lazy("Area (㎡)"),
            "车位面积",
            synonyms=("面积", "建筑面积", "产权面积"),
            parse=v.to_decimal,
            example="12.50",
        ),
        Field(
            "status",
            _lazy("Status"),
            "车位状态",
            synonyms=("状态", "使用状态", "销售状态"),
            parse=choice_parser(SPACE_STATUS_WORDS, ParkingSpaceStatusChoices.choices),
            example="已售",
            words=_words(SPACE_STATUS_WORDS),
        ),
        *_parking_unit_fields(),
        Field("note", _lazy("Note"), "备注", synonyms=("说明",), example=""),
    ]
    count_labels = {
        "lots_created": _lazy("New parking lots"),
        "spaces_created": _lazy("New parking spaces"),
        "spaces_updated": _lazy("Updated parking spaces"),
        "spaces_unchanged": _lazy("Unchanged parking spaces"),
    }

    def build(self, rows, progress=None):
        project = self.project
        self.lots = {lot.name: lot for lot in ParkingLot.objects.filter(project=project)}
        self.new_lots: dict[str, ParkingLot] = {}
        self.lot_rows: dict[str, Row] = {}
        spaces = {s.code: s for s in ParkingSpace.objects.filter(project=project)}
        self.new_spaces: list[ParkingSpace] = []
        self.changed: dict[str, tuple[ParkingSpace, set]] = {}
        planner = UnitPlanner(self, code_field="unit_code")
        default_lot = _("Parking lot")
        for index, row in enumerate(rows):
            self.tick(index, len(rows))
            if not self.require(row, "code"):
                continue
            code = row["code"]
            if (first := self.duplicate_of(("space", code), row)) is not None:
                self.error(
                    row, "code", _("Space %(code)s is already on row %(row)s.") % {"code": code, "row": first}
                )
                continue
            unit = None
            if planner.has_unit(row):
                ref = planner.locate(row)
                if ref is None:
                    continue
                unit = planner.find(ref)
                if unit is None:
                    self.error(row, planner.unit_column(), planner.missing_message(ref.code))
                    continue
            values = {
                "lot": self._lot(row.get("lot", default_lot), row),
                "kind": row["kind"],
                "area": row["area"],
                "status": row["status"],
                "unit": unit,
                "note": row["note"],
            }
            space = spaces.get(code)
            if space is None:
                space = ParkingSpace(project=project, code=code)
                if self.actor is not None and self.actor.is_authenticated:
                    space.created_by = self.actor
                for name, value in values.items():
                    if value is not None:
                        setattr(space, name, value)
                self.new_spaces.append(space)
            else:
                changed = set()
                for name, value in values.items():
                    if value is None:
                        continue
                    current = (
                        getattr(space, f"{name}_id") if name in ("lot", "unit") else getattr(space, name)
                    )
                    if current != (value.pk if name in ("lot", "unit") else value):
                        setattr(space, name, value)
                        changed.add(name)
                if changed:
                    self.changed[code] = (space, changed)
                    self.need("estate.change_parkingspace", lambda: _("it changes existing parking spaces."))
                else:
                    self.count("spaces_unchanged")
            self.validate(space, row, {"lot": "lot", "unit": planner.unit_column()})
        for name, lot in self.new_lots.items():
            self.validate(lot, self.lot_rows[name], {"name": "lot", "kind": "lot_kind"})
        self.count("lots_created", len(self.new_lots))
        self.count("spaces_created", len(self.new_spaces))
        self.count("spaces_updated", len(self.changed))

    def _lot(self, name, row):
        lot = self.lots.get(name) or self.new_lots.get(name)
        if lot is None:
            lot = ParkingLot(project=self.project, name=name)
            if row["lot_kind"]:
                lot.kind = row["lot_kind"]
            lot.pk = next(UnitPlanner._temp)
            if self.actor is not None and self.actor.is_authenticated:
                lot.created_by = self.actor
            self.new_lots[name] = lot
            self.lot_rows[name] = row
            self.need("estate.add_parkinglot", lambda: _("it adds parking lot %(name)s.") % {"name": name})
        return lot

    def apply(self, progress=None):
        lots = list(self.new_lots.values())
        for lot in lots:
            lot.pk = None
        ParkingLot.objects.bulk_create(lots)
        for space in self.new_spaces:
            space.lot = space.lot
        ParkingSpace.objects.bulk_create(self.new_spaces, batch_size=500)
        if self.changed:
            now = timezone.now()
            objs = [space for space, _changed in self.changed.values()]
            fields = set().union(*(changed for _space, changed in self.changed.values()))
            for space in objs:
                space.lot = space.lot
                space.updated_at = now
            ParkingSpace.objects.bulk_update(objs, sorted(fields | {"updated_at"}), batch_size=500)
