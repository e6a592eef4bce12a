"""Excel imports of people: owners with their ownerships (and units), tenants and household
members, vehicles. Also extends the units import: unsold units go to the project's developer.

People are matched on the ID number (through its keyed hash) when the sheet has one, else on
name and phone, so importing the same roster twice adds nobody twice.
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_DOWN, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from wuye.core.importing import values as v
from wuye.core.importing.engine import missing_permissions, permission_label
from wuye.core.importing.spec import Field, ImportSpec, Row, choice_parser, register
from wuye.estate.choices import DEVELOPER_STATUSES, UnitStatusChoices
from wuye.estate.imports import (
    UNIT_COUNTS,
    UnitImport,
    UnitPlanner,
    unit_attribute_fields,
    unit_locator_fields,
)
from wuye.residents.choices import (
    OccupancyKindChoices,
    OccupancyRelationChoices,
    VehicleTypeChoices,
)
from wuye.residents.import_people import PersonPlanner, _current_by_unit, _relink, person_fields
from wuye.residents.models import Occupancy, Ownership, Vehicle, current_q
from wuye.residents.validators import is_new_energy_plate, normalize_plate

RELATION_WORDS = {
    "本人": OccupancyRelationChoices.SELF,
    "户主": OccupancyRelationChoices.SELF,
    "配偶": OccupancyRelationChoices.SPOUSE,
    "夫妻": OccupancyRelationChoices.SPOUSE,
    "妻子": OccupancyRelationChoices.SPOUSE,
    "丈夫": OccupancyRelationChoices.SPOUSE,
    "子女": OccupancyRelationChoices.CHILD,
    "儿子": OccupancyRelationChoices.CHILD,
    "女儿": OccupancyRelationChoices.CHILD,
    "父母": OccupancyRelationChoices.PARENT,
    "父亲": OccupancyRelationChoices.PARENT,
    "母亲": OccupancyRelationChoices.PARENT,
    "亲属": OccupancyRelationChoices.RELATIVE,
    "亲戚": OccupancyRelationChoices.RELATIVE,
    "兄弟姐妹": OccupancyRelationChoices.RELATIVE,
    "员工": OccupancyRelationChoices.EMPLOYEE,
    "雇员": OccupancyRelationChoices.EMPLOYEE,
    "保姆": OccupancyRelationChoices.EMPLOYEE,
    "其他": OccupancyRelationChoices.OTHER,
    "其它": OccupancyRelationChoices.OTHER,
    "朋友": OccupancyRelationChoices.OTHER,
}
FAMILY = {
    OccupancyRelationChoices.SELF,
    OccupancyRelationChoices.SPOUSE,
    OccupancyRelationChoices.CHILD,
    OccupancyRelationChoices.PARENT,
    OccupancyRelationChoices.RELATIVE,
}
OCCUPANCY_KIND_WORDS = {
    "租户": OccupancyKindChoices.TENANT,
    "租客": OccupancyKindChoices.TENANT,
    "承租人": OccupancyKindChoices.TENANT,
    "租住": OccupancyKindChoices.TENANT,
    "家庭成员": OccupancyKindChoices.HOUSEHOLD,
    "家属": OccupancyKindChoices.HOUSEHOLD,
    "成员": OccupancyKindChoices.HOUSEHOLD,
    "同住人": OccupancyKindChoices.HOUSEHOLD,
    "住户": OccupancyKindChoices.HOUSEHOLD,
}
VEHICLE_TYPE_WORDS = {
    "轿车": VehicleTypeChoices.CAR,
    "小轿车": VehicleTypeChoices.CAR,
    "小型车": VehicleTypeChoices.CAR,
    "小型汽车": VehicleTypeChoices.CAR,
    "SUV": VehicleTypeChoices.SUV,
    "越野车": VehicleTypeChoices.SUV,
    "面包车": VehicleTypeChoices.VAN,
    "商务车": VehicleTypeChoices.VAN,
    "MPV": VehicleTypeChoices.VAN,
    "货车": VehicleTypeChoices.TRUCK,
    "卡车": VehicleTypeChoices.TRUCK,
    "摩托车": VehicleTypeChoices.MOTORCYCLE,
    "电动车": VehicleTypeChoices.MOTORCYCLE,
    "其他": VehicleTypeChoices.OTHER,
    "其它": VehicleTypeChoices.OTHER,
}


# -- units: unsold units belong to the developer ----------------------------------------------------
@register
class UnitWithDeveloperImport(UnitImport):
    """The units import, plus: units unsold or not yet delivered, with no owner, go to the developer."""

    count_labels = {**UNIT_COUNTS, "developer_ownerships": _lazy("Units given to the developer")}

    def after_units(self, rows):
        self.people = None
        self.developer_ownerships: list[Ownership] = []
        if self.actor is not None:
            missing = missing_permissions(
                self.actor, self.project, ("residents.add_ownership", "residents.add_person")
            )
            if missing:
                self.note(
                    _("Unsold units were not given to the developer: you lack the permission “%(perm)s”.")
                    % {"perm": permission_label(missing[0])}
                )
                return
        planner = self.planner
        owned = set(
            Ownership.objects.filter(project=self.project)
            .filter(current_q())
            .values_list("unit_id", flat=True)
        )
        self.people = PersonPlanner(self)
        for code in planner.rows_of_unit:
            unit = planner.new_units.get(code) or planner.units[code]
            if unit.status not in DEVELOPER_STATUSES or (not planner.is_new(unit) and unit.pk in owned):
                continue
            ownership = Ownership(
                project=self.project,
                unit=unit,
                person=self.people.developer_person(),
                share=100,
                is_representative=True,
            )
            self.developer_ownerships.append(ownership)
        self.count("developer_ownerships", len(self.developer_ownerships))

    def apply(self, progress=None):
        super().apply(progress)
        if self.people is not None:
            self.people.apply()
            for ownership in self.developer_ownerships:
                _relink(ownership, "unit", "person")
            Ownership.objects.bulk_create(self.developer_ownerships, batch_size=500)


# -- owners and ownerships --------------------------------------------------------------------------
def _split_shares(given: list[Decimal | None]) -> list[Decimal] | None:
    """Shares of one unit's co-owners: those given, the rest split equally (cents to the first).

    None when the given shares already exceed 100%.
    """
    rest = Decimal(100) - sum((s for s in given if s is not None), Decimal(0))
    if rest < 0:
        return None
    missing = [i for i, share in enumerate(given) if share is None]
    shares = list(given)
    if missing:
        each = (rest / len(missing)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        for i in missing:
            shares[i] = each
        shares[missing[0]] += rest - each * len(missing)
    return shares


@register
class OwnerImport(ImportSpec):
    kind = "owners"
    order = 20
    label = _lazy("Owners and ownerships")
    description = _lazy(
        "Owners of each unit, co-owners on several rows. Units missing from the archive are created "
        "when the row has their building area."
    )
    permissions = ("residents.add_person", "residents.add_ownership")
    sheet_title = "业主"
    template_filename = "业主产权导入模板.xlsx"
    required_groups = [(("building", "room"), ("code",))]
    fields = [
        *unit_locator_fields(),
        *person_fields(
            name_header="业主姓名",
            name_synonyms=(
                "业主",
                "业主名称",
                "姓名",
                "客户名称",
                "客户姓名",
                "产权人",
                "产权人姓名",
                "购房人",
                "业主名",
            ),
            name_label=_lazy("Owner"),
            example_name="张三",
        ),
        Field(
            "share",
            _lazy("Share (%)"),
            "产权份额",
            synonyms=("份额", "占比", "产权比例", "持有比例", "比例"),
            parse=v.to_percent,
            example="100%",
            help=_lazy("Co-owners on several rows share equally unless this column says otherwise."),
        ),
        Field(
            "is_representative",
            _lazy("Representative"),
            "是否代表",
            synonyms=("代表人", "主业主", "是否主业主", "产权代表"),
            parse=v.to_bool,
            example="是",
            words=("是", "否"),
            help=_lazy("Co-owners act through one representative; the first row when empty."),
        ),
        Field(
            "certificate_number",
            _lazy("Title certificate"),
            "产权证号",
            synonyms=("房产证号", "不动产权证号", "不动产证号", "产权证编号", "房产证编号", "证书编号"),
            parse=lambda value: v.to_text(value, max_length=60),
            example="沪(2020)浦字第001234号",
        ),
        Field(
            "start_date",
            _lazy("Owner since"),
            "登记日期",
            synonyms=("产权登记日期", "购房日期", "过户日期", "取得日期", "产权日期"),
            parse=v.to_date,
            example="2020-05-01",
        ),
        *unit_attribute_fields(),
        Field("note", _lazy("Note"), "备注", synonyms=("说明",), example=""),
    ]
    count_labels = {
        **{
            k: UNIT_COUNTS[k]
            for k in ("buildings_created", "entrances_created", "units_created", "units_updated")
        },
        "people_created": _lazy("New people"),
        "people_updated": _lazy("People completed (phone, ID)"),
        "ownerships_created": _lazy("New ownerships"),
        "ownerships_updated": _lazy("Ownerships with a new share"),
        "ownerships_unchanged": _lazy("Unchanged ownerships"),
        "developer_ended": _lazy("Units taken over from the developer"),
    }

    def build(self, rows, progress=None):
        self.units = units = UnitPlanner(self)
        self.people = people = PersonPlanner(self)
        groups: dict[str, tuple] = {}
        for index, row in enumerate(rows):
            self.tick(index, len(rows))
            ref = units.locate(row)
            person = people.resolve(row)
            if ref is None:
                continue
            unit = units.plan_unit(row, ref)
            if unit is None or person is None:
                continue
            members = groups.setdefault(unit.code, (unit, []))[1]
            twice = next((r for r, p in members if p is person), None)
            if twice is not None:
                self.error(
                    row,
                    "name",
                    _("%(name)s is already an owner of %(code)s on row %(row)s.")
                    % {"name": person.name, "code": unit.code, "row": twice.number},
                )
                continue
            members.append((row, person))
        self.new_ownerships: list[Ownership] = []
        self.changed_ownerships: dict[int, tuple[Ownership, set]] = {}
        current = _current_by_unit(Ownership, self.project)
        developer = people.developer
        for unit, members in groups.values():
            self._plan_unit_owners(
                unit, members, current.get(unit.pk, []) if not units.is_new(unit) else [], developer
            )
        units.finish()
        people.count()
        self.count("ownerships_created", len(self.new_ownerships))
        self.count("ownerships_updated", len(self.changed_ownerships) - self.counts.get("developer_ended", 0))

    def _plan_unit_owners(self, unit, members, current, developer):
        first_row = members[0][0]
        shares = _split_shares([row["share"] for row, _p in members])
        if shares is None:
            total = sum((row["share"] or 0 for row, _p in members), Decimal(0))
            self.error(
                first_row,
                "share",
                _("The shares of unit %(code)s add up to %(total)s%%, more than 100%%.")
                % {"code": unit.code, "total": total},
            )
            return
        flags = [row["is_representative"] for row, _p in members]
        if not any(flags):
            flags = [i == 0 for i in range(len(members))]
        real = [o for o in current if developer is None or o.person_id != developer.pk]
        from_developer = [o for o in current if developer is not None and o.person_id == developer.pk]
        if real:
            theirs = {o.person_id: o for o in real}
            if set(theirs) != {p.pk for _r, p in members}:
                names = "、".join(
                    str(self.people.by_id[o.person_id].name) if o.person_id in self.people.by_id else "?"
                    for o in real
                )
                self.error(
                    first_row,
                    "name",
                    _(
                        "Unit %(code)s already has other owners (%(names)s); "
                        "record the sale as a transfer on the unit's page."
                    )
                    % {"code": unit.code, "names": names},
                )
                return
            for (row, person), share, flag in zip(members, shares, flags, strict=True):
                ownership = theirs[person.pk]
                changed = set()
                if row["share"] is not None and ownership.share != share:
                    ownership.share = share
                    changed.add("share")
                if row["is_representative"] is not None and ownership.is_representative != flag:
                    ownership.is_representative = flag
                    changed.add("is_representative")
                for name in ("certificate_number", "start_date"):
                    if row[name] is not None and getattr(ownership, name) != row[name]:
                        setattr(ownership, name, row[name])
                        changed.add(name)
                if changed:
                    self.changed_ownerships[ownership.pk] = (ownership, changed)
                    self.need("residents.change_ownership", lambda: _("it changes existing ownerships."))
                    self.validate(ownership, row, {"start_date": "start_date"})
                else:
                    self.count("ownerships_unchanged")
            return
        start = next((row["start_date"] for row, _p in members if row["start_date"]), None)
        for ownership in from_developer:
            ownership.end_date = start or timezone.localdate()
            self.changed_ownerships[ownership.pk] = (ownership, {"end_date"})
            self.count("developer_ended")
            self.need(
                "residents.change_ownership", lambda: _("it ends the developer's ownership of sold units.")
            )
        for (row, person), share, flag in zip(members, shares, flags, strict=True):
            ownership = Ownership(
                project=self.project,
                unit=unit,
                person=person,
                share=share,
                is_representative=flag,
                certificate_number=row["certificate_number"] or "",
                start_date=row["start_date"],
            )
            actor = self.actor
            if actor is not None and actor.is_authenticated:
                ownership.created_by = actor
            # Shares are checked for the whole unit above; the model's own check would still count
            # the developer's ownership this import ends.
            skip = {"share"} if from_developer or self.units.is_new(unit) else ()
            self.validate(
                ownership, row, {"start_date": "start_date", "certificate_number": "certificate_number"}, skip
            )
            self.new_ownerships.append(ownership)
        if not any(row["status"] for row, _p in members) and unit.status == UnitStatusChoices.UNSOLD:
            delivered = unit.delivery_date is not None and unit.delivery_date <= timezone.localdate()
            self.units.set_status(
                unit, UnitStatusChoices.VACANT if delivered else UnitStatusChoices.SOLD_UNDELIVERED
            )

    def apply(self, progress=None):
        self.units.apply()
        self.people.apply()
        for ownership in self.new_ownerships:
            _relink(ownership, "unit", "person")
        Ownership.objects.bulk_create(self.new_ownerships, batch_size=500)
        if self.changed_ownerships:
            now = timezone.now()
            objs = [o for o, _f in self.changed_ownerships.values()]
            fields = set().union(*(f for _o, f in self.changed_ownerships.values()))
            for o in objs:
                o.updated_at = now
            Ownership.objects.bulk_update(objs, sorted(fields | {"updated_at"}), batch_size=500)


# -- tenants and household members ------------------------------------------------------------------
@register
class TenantImport(ImportSpec):
    kind = "tenants"
    order = 30
    label = _lazy("Tenants and household members")
    description = _lazy("People living in units: tenants, family members, with dates and who pays.")
    permissions = ("residents.add_person", "residents.add_occupancy")
    sheet_title = "住户"
    template_filename = "住户导入模板.xlsx"
    required_groups = [(("building", "room"), ("code",))]
    fields = [
        *unit_locator_fields(),
        *person_fields(
            name_header="姓名",
            name_synonyms=(
                "住户姓名",
                "租户姓名",
                "租户",
                "住户",
                "成员姓名",
                "承租人",
                "租客",
                "租客姓名",
                "家庭成员姓名",
            ),
            name_label=_lazy("Name"),
            example_name="李四",
        ),
        Field(
            "kind",
            _lazy("Tenant or household member"),
            "住户类型",
            synonyms=("人员类型", "身份", "住户身份", "居住类型", "类型"),
            parse=choice_parser(OCCUPANCY_KIND_WORDS, OccupancyKindChoices.choices),
            example="租户",
            words=tuple(OCCUPANCY_KIND_WORDS),
            help=_lazy("When empty: household member if a family relationship is given, otherwise tenant."),
        ),
        Field(
            "relationship",
            _lazy("Relationship"),
            "与业主关系",
            synonyms=("关系", "与户主关系", "成员关系"),
            parse=choice_parser(RELATION_WORDS, OccupancyRelationChoices.choices),
            example="其他",
            words=tuple(RELATION_WORDS),
        ),
        Field(
            "is_payer",
            _lazy("Pays the fees"),
            "是否缴费人",
            synonyms=("缴费人", "付款人", "是否付费", "是否缴费"),
            parse=v.to_bool,
            example="否",
            words=("是", "否"),
        ),
        Field(
            "start_date",
            _lazy("Moved in"),
            "入住日期",
            synonyms=("起租日期", "租赁开始日期", "开始日期", "租期开始", "迁入日期", "入住时间"),
            parse=v.to_date,
            example="2024-03-01",
        ),
        Field(
            "end_date",
            _lazy("Until"),
            "到期日期",
            synonyms=("租赁结束日期", "结束日期", "租期结束", "租赁到期", "到期时间"),
            parse=v.to_date,
            example="2025-02-28",
        ),
        Field("note", _lazy("Note"), "备注", synonyms=("说明",), example=""),
    ]
    count_labels = {
        "people_created": _lazy("New people"),
        "people_updated": _lazy("People completed (phone, ID)"),
        "occupancies_created": _lazy("New residents"),
        "occupancies_updated": _lazy("Updated residents"),
        "occupancies_unchanged": _lazy("Unchanged residents"),
    }

    def build(self, rows, progress=None):
        units = UnitPlanner(self)
        self.people = people = PersonPlanner(self)
        known: dict[tuple, list[Occupancy]] = {}
        for o in Occupancy.objects.filter(project=self.project):
            known.setdefault((o.unit_id, o.person_id), []).append(o)
        self.new_occupancies: list[Occupancy] = []
        self.changed: list[tuple[Occupancy, set]] = []
        for index, row in enumerate(rows):
            self.tick(index, len(rows))
            ref = units.locate(row)
            person = people.resolve(row)
            if ref is None:
                continue
            unit = units.find(ref)
            if unit is None:
                self.error(row, units.unit_column(), units.missing_message(ref.code))
                continue
            if person is None:
                continue
            if (first := self.duplicate_of(("occupant", unit.pk, person.pk), row)) is not None:
                self.error(
                    row,
                    "name",
                    _("%(name)s is already listed for %(code)s on row %(row)s.")
                    % {"name": person.name, "code": unit.code, "row": first},
                )
                continue
            kind = row["kind"] or (
                OccupancyKindChoices.HOUSEHOLD
                if row["relationship"] in FAMILY
                else OccupancyKindChoices.TENANT
            )
            values = {
                "kind": kind,
                "relationship": row["relationship"],
                "is_payer": row["is_payer"],
                "start_date": row["start_date"],
                "end_date": row["end_date"],
                "note": row["note"],
            }
            existing = _same_occupancy(known.get((unit.pk, person.pk), []), row["start_date"])
            if existing is None:
                occupancy = Occupancy(project=self.project, unit=unit, person=person)
                for name, value in values.items():
                    if value is not None:
                        setattr(occupancy, name, value)
                if self.actor is not None and self.actor.is_authenticated:
                    occupancy.created_by = self.actor
                self.new_occupancies.append(occupancy)
            else:
                occupancy = existing
                changed = {
                    n for n, value in values.items() if value is not None and getattr(existing, n) != value
                }
                for name in changed:
                    setattr(existing, name, values[name])
                if not changed:
                    self.count("occupancies_unchanged")
                    continue
                self.changed.append((existing, changed))
                self.need("residents.change_occupancy", lambda: _("it changes existing residents."))
            self.validate(occupancy, row, {"end_date": "end_date", "start_date": "start_date"})
        people.count()
        self.count("occupancies_created", len(self.new_occupancies))
        self.count("occupancies_updated", len(self.changed))

    def apply(self, progress=None):
        self.people.apply()
        for occupancy in self.new_occupancies:
            _relink(occupancy, "unit", "person")
        Occupancy.objects.bulk_create(self.new_occupancies, batch_size=500)
        if self.changed:
            now = timezone.now()
            fields = set().union(*(f for _o, f in self.changed))
            for o, _f in self.changed:
                o.updated_at = now
            Occupancy.objects.bulk_update(
                [o for o, _f in self.changed], sorted(fields | {"updated_at"}), batch_size=500
            )


def _present(row: Row) -> dict:
    return {n: row[n] for n in ("vehicle_type", "brand", "color", "note") if row[n] is not None}


def _same_occupancy(candidates: list[Occupancy], start):
    """The archived stay a row repeats: the one with the same start date, else the current one."""
    same = [o for o in candidates if start is not None and o.start_date == start]
    if same:
        return same[0]
    return next((o for o in candidates if o.is_current and (start is None or o.start_date is None)), None)


# -- vehicles -----------------------------------------------------------------------------------------
@register
class VehicleImport(ImportSpec):
    kind = "vehicles"
    order = 40
    label = _lazy("Vehicles")
    description = _lazy(
        "Registered vehicles with their owner and parking space. Import parking spaces first."
    )
    permissions = ("residents.add_vehicle",)
    sheet_title = "车辆"
    template_filename = "车辆导入模板.xlsx"
    fields = [
        Field(
            "plate",
            _lazy("Plate"),
            "车牌号",
            synonyms=("车牌", "车牌号码", "车辆号牌", "号牌", "车号", "号牌号码"),
            parse=lambda value: normalize_plate(v.norm_text(value)) or None,
            required=True,
            example="沪A12345",
        ),
        Field(
            "vehicle_type",
            _lazy("Vehicle type"),
            "车辆类型",
            synonyms=("车型", "车辆种类", "类型"),
            parse=choice_parser(VEHICLE_TYPE_WORDS, VehicleTypeChoices.choices),
            example="轿车",
            words=tuple(VEHICLE_TYPE_WORDS),
        ),
        Field("brand", _lazy("Brand"), "品牌", synonyms=("车辆品牌", "厂牌", "品牌型号"), example="大众"),
        Field("color", _lazy("Colour"), "颜色", synonyms=("车身颜色", "车辆颜色"), example="白"),
        *person_fields(
            name_header="车主",
            name_synonyms=("车主姓名", "业主", "业主姓名", "姓名", "所有人", "车辆所有人"),
            name_label=_lazy("Vehicle owner"),
            example_name="张三",
        ),
        # a vehicle row without a unit is common: blank building cells are not carried down here
        *[dataclasses.replace(f, carry_down=False) for f in unit_locator_fields()],
        Field(
            "space",
            _lazy("Parking space"),
            "车位号",
            synonyms=("车位", "车位编号", "停车位", "车位编码"),
            parse=lambda value: v.to_code(value, max_length=30),
            example="B1-001",
        ),
        Field("note", _lazy("Note"), "备注", synonyms=("说明",), example=""),
    ]
    count_labels = {
        "vehicles_created": _lazy("New vehicles"),
        "vehicles_updated": _lazy("Updated vehicles"),
        "vehicles_unchanged": _lazy("Unchanged vehicles"),
        "people_created": _lazy("New people"),
        "people_updated": _lazy("People completed (phone, ID)"),
    }

    def build(self, rows, progress=None):
        from wuye.estate.models import ParkingSpace

        units = UnitPlanner(self)
        self.people = people = PersonPlanner(self)
        vehicles = {x.plate: x for x in Vehicle.objects.filter(project=self.project)}
        spaces = {s.code: s for s in ParkingSpace.objects.filter(project=self.project)}
        residents: dict[int, list[int]] = {}
        for model in (Ownership, Occupancy):
            for unit_id, items in _current_by_unit(model, self.project).items():
                residents.setdefault(unit_id, []).extend(o.person_id for o in items)
        self.new_vehicles: list[Vehicle] = []
        self.changed: list[tuple[Vehicle, set]] = []
        for index, row in enumerate(rows):
            self.tick(index, len(rows))
            if not self.require(row, "plate"):
                continue
            plate = row["plate"]
            if (first := self.duplicate_of(("plate", plate), row)) is not None:
                self.error(
                    row,
                    "plate",
                    _("Plate %(plate)s is already on row %(row)s.") % {"plate": plate, "row": first},
                )
                continue
            person = None
            broken = False
            if units.has_unit(row):
                ref = units.locate(row)
                unit = units.find(ref) if ref else None
                if ref is not None and unit is None:
                    self.error(row, units.unit_column(), units.missing_message(ref.code))
                    broken = True
                if unit is not None and row["name"]:
                    person = next(
                        (
                            people.by_id[pk]
                            for pk in residents.get(unit.pk, [])
                            if pk in people.by_id and people.by_id[pk].name == row["name"]
                        ),
                        None,
                    )
            if person is None and row["name"]:
                person = people.resolve(row)
                broken = broken or person is None
            space = None
            if row["space"]:
                space = spaces.get(row["space"])
                if space is None:
                    self.error(
                        row,
                        "space",
                        _("Parking space %(code)s is not in the archive; import the parking spaces first.")
                        % {"code": row["space"]},
                    )
                    broken = True
            if broken:
                # still check the plate and the other columns, so the row's every problem is listed
                self.validate(
                    Vehicle(project=self.project, plate=plate, **_present(row)), row, {"plate": "plate"}
                )
                continue
            values = {
                "vehicle_type": row["vehicle_type"],
                "brand": row["brand"],
                "color": row["color"],
                "person": person,
                "parking_space": space,
                "note": row["note"],
            }
            vehicle = vehicles.get(plate)
            if vehicle is None:
                vehicle = Vehicle(project=self.project, plate=plate)
                for name, value in values.items():
                    if value is not None:
                        setattr(vehicle, name, value)
                if self.actor is not None and self.actor.is_authenticated:
                    vehicle.created_by = self.actor
                self.new_vehicles.append(vehicle)
            else:
                changed = set()
                for name, value in values.items():
                    if value is None:
                        continue
                    current = (
                        getattr(vehicle, f"{name}_id")
                        if name in ("person", "parking_space")
                        else getattr(vehicle, name)
                    )
                    if current != (value.pk if name in ("person", "parking_space") else value):
                        setattr(vehicle, name, value)
                        changed.add(name)
                if not changed:
                    self.count("vehicles_unchanged")
                    continue
                self.changed.append((vehicle, changed))
                self.need("residents.change_vehicle", lambda: _("it changes existing vehicles."))
            self.validate(vehicle, row, {"plate": "plate", "person": "name", "parking_space": "space"})
        people.count()
        self.count("vehicles_created", len(self.new_vehicles))
        self.count("vehicles_updated", len(self.changed))

    def apply(self, progress=None):
        self.people.apply()
        for vehicle in self.new_vehicles:
            _relink(vehicle, "person", "parking_space")
            vehicle.plate = normalize_plate(vehicle.plate)
            vehicle.is_new_energy = is_new_energy_plate(vehicle.plate)
        Vehicle.objects.bulk_create(self.new_vehicles, batch_size=500)
        if self.changed:
            now = timezone.now()
            fields = set().union(*(f for _v, f in self.changed))
            for vehicle, _f in self.changed:
                _relink(vehicle, "person")
                vehicle.updated_at = now
            Vehicle.objects.bulk_update(
                [x for x, _f in self.changed], sorted(fields | {"updated_at"}), batch_size=500
            )
