"""Excel imports of the meters slice: meter readings, and opening balances (arrears, prepaid).

They plug into the generic importer (``wuye.core.importing``): upload, column matching, a dry run
listing every row's problems, then an all-or-nothing import as a background job; on the console
``wuye import meter_readings|opening_arrears|opening_prepaid --project CODE FILE.xlsx [--dry-run]``.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from wuye.billing.models import Bill, FeeItem, PrepaidMovement
from wuye.billing.models.meters import Meter, MeterReading, MeterReadingStatusChoices, ReadingContext
from wuye.billing.services.meters import period_end
from wuye.billing.services.opening import (
    OpeningLine,
    create_opening_bills,
    opening_line_problems,
    record_opening_prepaid,
)
from wuye.core.importing import values as v
from wuye.core.importing.spec import Field, ImportSpec, register
from wuye.estate.import_units import UnitPlanner, unit_locator_fields

_PERIOD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:\s*[-/.]?\s*\d{1,2}\s*日?)?$")


def to_period(value) -> datetime.date | None:
    """``2026-11``, ``2026/11``, ``2026年11月``, ``202611``, a date cell -> 2026-11-01."""
    if value is None or v.is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date().replace(day=1)
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 190001 <= value <= 210012:
            value = str(int(value))
        else:
            day = v.to_date(value)
            return day.replace(day=1) if day else None
    text = v.norm_text(value).replace(" ", "")
    if re.fullmatch(r"\d{6}", text):
        text = f"{text[:4]}-{text[4:]}"
    match = _PERIOD.match(text)
    if match and 1 <= int(match[2]) <= 12:
        return datetime.date(int(match[1]), int(match[2]), 1)
    raise v.CellError(_("Expected a month such as 2026-11, got “%(value)s”.") % {"value": v.norm_text(value)})


def to_period_range(value) -> tuple[datetime.date, datetime.date] | None:
    """A month (``2026-11``) or a range (``2026-01~2026-03``, ``2026-01至2026-03``) -> first and last day."""
    if value is None or v.is_blank(value):
        return None
    text = v.norm_text(value) if isinstance(value, str) else None
    if text:
        parts = [p for p in re.split(r"\s*(?:~|～|至|到|—|--)\s*", text) if p]
        if len(parts) == 2:
            start, end = to_period(parts[0]), to_period(parts[1])
            if end < start:
                raise v.CellError(_("The period ends before it starts: “%(value)s”.") % {"value": text})
            return start, period_end(end)
    start = to_period(value)
    return start, period_end(start)


def _decimal(value):
    return v.to_decimal(value, places=2)


# -- meter readings --------------------------------------------------------------------------------
@register
class MeterReadingImport(ImportSpec):
    kind = "meter_readings"
    order = 70
    label = _lazy("Meter readings")
    description = _lazy(
        "Monthly readings by meter number. Download the prefilled sheet of a building from the "
        "reading entry page: it lists every meter with its previous reading."
    )
    permissions = ("billing.add_meterreading",)
    sheet_title = "抄表"
    template_filename = "抄表导入模板.xlsx"
    fields = [
        Field(
            "meter",
            _lazy("Meter number"),
            "表号",
            synonyms=("表编号", "水表号", "电表号", "燃气表号", "仪表编号", "表具编号", "表计编号", "表号码"),
            parse=lambda value: v.to_code(value, max_length=40),
            required=True,
            example="W-3-1201",
        ),
        Field(
            "period",
            _lazy("Period"),
            "月份",
            synonyms=("抄表月份", "所属月份", "账期", "期间", "计费月份", "年月"),
            parse=to_period,
            required=True,
            example="2026-11",
            help=_lazy("The month the usage is billed for, e.g. 2026-11."),
        ),
        Field(
            "value",
            _lazy("Reading"),
            "本次读数",
            synonyms=("本期读数", "读数", "止度", "本月读数", "本次止度", "抄见读数", "当前读数"),
            parse=_decimal,
            required=True,
            example="1288.50",
        ),
        Field(
            "previous",
            _lazy("Previous reading"),
            "上次读数",
            synonyms=("上期读数", "起度", "上月读数", "上次止度"),
            parse=_decimal,
            example="1270.00",
            help=_lazy(
                "Optional check: the row is refused when it differs from the previous reading on record."
            ),
        ),
        Field(
            "unit",
            _lazy("Unit code"),
            "房屋",
            synonyms=("房屋编码", "房号", "房间", "房屋代码"),
            parse=lambda value: v.to_code(value, max_length=40),
            example="3-2-1201",
            help=_lazy("Optional check: the meter's unit."),
        ),
        Field(
            "reading_date",
            _lazy("Reading date"),
            "抄表日期",
            synonyms=("抄表时间", "日期"),
            parse=v.to_date,
            example="2026-11-28",
            help=_lazy("Default: the last day of the month (or today, in the current month)."),
        ),
        Field(
            "is_rollover",
            _lazy("Rollover"),
            "是否翻表",
            synonyms=("翻表", "满量程", "翻转", "走满"),
            parse=v.to_bool,
            example="否",
            words=("是", "否"),
        ),
        Field(
            "old_final",
            _lazy("Old meter's final reading"),
            "旧表止度",
            synonyms=("旧表读数", "换表前读数", "旧表止码"),
            parse=_decimal,
            example="",
            help=_lazy("Only when the meter was replaced this month (with the new meter's start reading)."),
        ),
        Field(
            "new_start",
            _lazy("New meter's start reading"),
            "新表起度",
            synonyms=("新表底数", "新表读数", "换表后起度", "新表起码"),
            parse=_decimal,
            example="",
        ),
        Field("note", _lazy("Note"), "备注", synonyms=("说明",), example=""),
    ]
    count_labels = {
        "created": _lazy("New readings"),
        "updated": _lazy("Changed readings"),
        "unchanged": _lazy("Unchanged readings"),
        "flagged": _lazy("Zero or unusually high usage"),
    }

    def build(self, rows, progress=None):
        meters = {
            m.number.upper(): m for m in Meter.objects.filter(project=self.project).select_related("unit")
        }
        wanted = {}
        for row in rows:
            number = row["meter"]
            if number is None:
                if "meter" not in row.failed:
                    self.error(row, "meter", _("This value is required."))
                continue
            meter = meters.get(number.upper())
            if meter is None:
                self.error(
                    row, "meter", _("There is no meter %(number)s in this project.") % {"number": number}
                )
                continue
            if not self.require(row, "period", "value"):
                continue
            wanted.setdefault(meter.pk, []).append((row, meter))
        known: dict[int, dict] = {}
        for reading in MeterReading.objects.filter(meter_id__in=list(wanted)).order_by("period"):
            known.setdefault(reading.meter_id, {})[reading.period] = reading
        self.planned: list[MeterReading] = []
        done = 0
        for meter_id, entries in wanted.items():
            entries.sort(key=lambda e: (e[0]["period"], e[0].number))
            self._plan_meter(entries, known.get(meter_id, {}))
            done += len(entries)
            self.tick(done, len(rows))

    def _plan_meter(self, entries, on_record: dict):
        file_periods = {row["period"] for row, _m in entries}
        values = {p: (r.value, r.usage) for p, r in on_record.items()}  # period -> (value, usage)
        today = datetime.date.today()
        for row, meter in entries:
            period = row["period"]
            if (first := self.duplicate_of(("reading", meter.pk, period), row)) is not None:
                self.error(
                    row,
                    "period",
                    _("Meter %(meter)s already has a row for %(period)s (row %(row)s).")
                    % {"meter": meter.number, "period": f"{period:%Y-%m}", "row": first},
                )
                continue
            if row["unit"] and (meter.unit is None or meter.unit.code.upper() != row["unit"].upper()):
                self.error(
                    row,
                    "unit",
                    _("Meter %(meter)s belongs to %(unit)s.")
                    % {
                        "meter": meter.number,
                        "unit": meter.unit.code if meter.unit else _("no unit (public)"),
                    },
                )
                continue
            later = [p for p in on_record if p > period and p not in file_periods]
            if later:
                self.error(
                    row,
                    "period",
                    _("Meter %(meter)s already has a reading for %(later)s; readings are entered in order.")
                    % {"meter": meter.number, "later": f"{min(later):%Y-%m}"},
                )
                continue
            before = sorted((p for p in values if p < period), reverse=True)
            previous = values[before[0]][0] if before else meter.initial_value
            if row["previous"] is not None and row["previous"] != previous:
                self.error(
                    row,
                    "previous",
                    _("The previous reading on record is %(record)s, not %(file)s.")
                    % {"record": previous, "file": row["previous"]},
                )
                continue
            existing = on_record.get(period)
            if existing is not None and existing.status == MeterReadingStatusChoices.BILLED:
                self.error(
                    row,
                    "value",
                    _("The reading of %(period)s is already billed.") % {"period": f"{period:%Y-%m}"},
                )
                continue
            reading = existing or MeterReading(
                project=self.project, meter=meter, period=period, created_by=self.actor
            )
            reading.meter = meter
            before_state = None if existing is None else self._state(existing)
            reading.value = row["value"]
            reading.is_rollover = bool(row["is_rollover"])
            reading.is_replacement = row["old_final"] is not None or row["new_start"] is not None
            reading.old_final_value = row["old_final"]
            reading.new_start_value = row["new_start"]
            if row["note"] is not None:
                reading.note = row["note"][:200]
            default_date = period_end(period) if period_end(period) < today else today
            reading.reading_date = row["reading_date"] or (
                existing.reading_date if existing else default_date
            )
            reading._context = ReadingContext(
                previous=previous,
                usages=[values[p][1] for p in before[:3]],
            )
            ok = self.validate(
                reading,
                row,
                fields={
                    "old_final_value": "old_final",
                    "new_start_value": "new_start",
                    "is_replacement": "old_final",
                },
            )
            if not ok:
                continue
            values[period] = (reading.value, reading.usage)
            if existing is not None and self._state(reading) == before_state:
                self.count("unchanged")
                continue
            if existing is not None:
                self.need("billing.change_meterreading", _("it changes readings already entered"))
            self.count("updated" if existing is not None else "created")
            if reading.flag:
                self.count("flagged")
            self.planned.append(reading)

    @staticmethod
    def _state(reading):
        return (
            reading.value,
            reading.is_rollover,
            reading.is_replacement,
            reading.old_final_value,
            reading.new_start_value,
            reading.note,
            reading.reading_date,
        )

    def apply(self, progress=None):
        for index, reading in enumerate(self.planned):
            reading.save()
            if progress is not None and index % 500 == 0:
                progress(60 + 40 * index // max(len(self.planned), 1), 100, _("Writing"))


# -- opening balances --------------------------------------------------------------------------------
def _unit_fields():
    return unit_locator_fields()


def _item_field(required: bool, help_text):
    return Field(
        "item",
        _lazy("Fee item"),
        "收费项目",
        synonyms=("费用项目", "项目", "费项", "收费项", "费用名称", "科目"),
        parse=lambda value: v.to_text(value, max_length=60),
        required=required,
        example="物业服务费" if required else "",
        help=help_text,
    )


class _OpeningBase(ImportSpec):
    required_groups = [(("building", "room"), ("code",))]

    def _items(self) -> dict[str, FeeItem]:
        return {v.norm_text(i.name): i for i in FeeItem.objects.filter(project=self.project)}

    def _unit(self, planner, row):
        ref = planner.locate(row)
        if ref is None:
            return None
        unit = planner.find(ref)
        if unit is None:
            self.error(row, planner.unit_column(), planner.missing_message(ref.code))
        return unit

    def _item(self, items, row):
        name = row["item"]
        item = items.get(v.norm_text(name))
        if item is None:
            self.error(
                row,
                "item",
                _("There is no fee item “%(name)s”; the items are: %(names)s.")
                % {"name": name, "names": "、".join(i.name for i in items.values()) or "-"},
            )
        return item


@register
class OpeningArrearsImport(_OpeningBase):
    kind = "opening_arrears"
    order = 80
    label = _lazy("Opening balances: arrears")
    description = _lazy(
        "What units still owe from before Wuye (期初欠费): one row per unit, fee item and period, with "
        "the amount still unpaid. Each row becomes a bill; later billing runs skip those periods."
    )
    permissions = ("billing.add_bill",)
    sheet_title = "期初欠费"
    template_filename = "期初欠费导入模板.xlsx"
    fields = [
        *_unit_fields(),
        _item_field(True, _lazy("The fee item's name as set up in Wuye, e.g. 物业服务费.")),
        Field(
            "period",
            _lazy("Period"),
            "所属期间",
            synonyms=("费用期间", "账期", "月份", "所属月份", "计费期间", "期间", "费用所属期"),
            parse=to_period_range,
            required=True,
            example="2025-10",
            help=_lazy("A month (2025-10) or a range of months (2025-01~2025-03)."),
        ),
        Field(
            "amount",
            _lazy("Amount owed"),
            "欠费金额",
            synonyms=("欠款金额", "未收金额", "欠费", "应收未收", "欠缴金额", "金额", "应收金额"),
            parse=_decimal,
            required=True,
            example="268.50",
            help=_lazy("What is still unpaid (a part-paid charge with its remaining amount)."),
        ),
        Field(
            "due_date",
            _lazy("Due date"),
            "应缴日期",
            synonyms=("到期日", "缴费截止日", "应收日期", "截止日期"),
            parse=v.to_date,
            example="2025-10-15",
            help=_lazy("Default: the last day of the period."),
        ),
        Field(
            "limitation_start",
            _lazy("Limitation period starts"),
            "时效起算日",
            synonyms=("诉讼时效起算日", "最近催缴日期", "最后催缴日期"),
            parse=v.to_date,
            example="",
            help=_lazy(
                "When the 3-year limitation period last restarted (a delivered demand); "
                "default: the due date."
            ),
        ),
        Field("note", _lazy("Note"), "备注", synonyms=("说明", "摘要"), example=""),
    ]
    count_labels = {"bills": _lazy("Opening bills")}

    def build(self, rows, progress=None):
        planner = UnitPlanner(self)
        items = self._items()
        self.lines: list[OpeningLine] = []
        for index, row in enumerate(rows):
            self.tick(index, len(rows))
            unit = self._unit(planner, row)
            if not self.require(row, "item", "period", "amount"):
                continue
            item = self._item(items, row)
            if unit is None or item is None:
                continue
            start, end = row["period"]
            line = OpeningLine(
                unit=unit,
                item=item,
                period_start=start,
                period_end=end,
                amount=row["amount"],
                due_date=row["due_date"],
                limitation_start=row["limitation_start"],
                description=row["note"] or "",
            )
            problems = opening_line_problems(line, self.project)
            for name, message in problems.items():
                self.error(row, {"unit": planner.unit_column()}.get(name, name), message)
            if problems:
                continue
            if (first := self.duplicate_of(("bill", line.key), row)) is not None:
                self.error(
                    row,
                    "period",
                    _("%(unit)s, %(item)s, %(period)s is already on row %(row)s.")
                    % {"unit": unit.code, "item": item.name, "period": f"{start:%Y-%m}", "row": first},
                )
                continue
            line.row = row
            self.lines.append(line)
        taken = dict(
            Bill.objects.filter(
                project=self.project, dedup_key__in=[line.key for line in self.lines]
            ).values_list("dedup_key", "number")
        )
        kept = []
        for line in self.lines:
            if line.key in taken:
                self.error(
                    line.row,
                    "period",
                    _("%(unit)s already has a bill for %(item)s, %(period)s (%(number)s).")
                    % {
                        "unit": line.unit.code,
                        "item": line.item.name,
                        "period": f"{line.period_start:%Y-%m}",
                        "number": taken[line.key],
                    },
                )
            else:
                kept.append(line)
        self.lines = kept
        self.count("bills", len(kept))
        total = sum((line.amount for line in kept), Decimal("0.00"))
        self.note(_("Total owed: %(total)s") % {"total": f"{total:.2f}"})

    def apply(self, progress=None):
        create_opening_bills(
            actor=self.actor, project=self.project, lines=self.lines, note=_("Opening balance import")
        )


@register
class OpeningPrepaidImport(_OpeningBase):
    kind = "opening_prepaid"
    order = 81
    label = _lazy("Opening balances: prepaid")
    description = _lazy(
        "Prepaid money units hold from before Wuye (期初预存): one row per unit (and fee item, when the "
        "money is earmarked), added to the unit's prepaid balance without a receipt."
    )
    permissions = ("billing.add_prepaidmovement",)
    sheet_title = "期初预存"
    template_filename = "期初预存导入模板.xlsx"
    fields = [
        *_unit_fields(),
        Field(
            "amount",
            _lazy("Prepaid balance"),
            "预存余额",
            synonyms=("预存金额", "预存款", "预交款", "预收余额", "余额", "预存"),
            parse=_decimal,
            required=True,
            example="500.00",
        ),
        _item_field(False, _lazy("Optional: the fee item the money is earmarked for; empty = any item.")),
        Field("note", _lazy("Note"), "备注", synonyms=("说明",), example=""),
    ]
    count_labels = {"accounts": _lazy("Prepaid balances")}

    def build(self, rows, progress=None):
        planner = UnitPlanner(self)
        items = self._items()
        self.entries = []
        for index, row in enumerate(rows):
            self.tick(index, len(rows))
            unit = self._unit(planner, row)
            if not self.require(row, "amount"):
                continue
            item = self._item(items, row) if row["item"] else None
            if unit is None or (row["item"] and item is None):
                continue
            if row["amount"] <= 0:
                self.error(row, "amount", _("The prepaid balance must be positive."))
                continue
            if (first := self.duplicate_of(("prepaid", unit.pk, getattr(item, "pk", None)), row)) is not None:
                self.error(
                    row, planner.unit_column(), _("This unit is already on row %(row)s.") % {"row": first}
                )
                continue
            self.entries.append((row, unit, item))
        opened = set(
            PrepaidMovement.objects.filter(project=self.project, kind="opening").values_list(
                "account__unit_id", "account__item_id"
            )
        )
        kept = []
        for row, unit, item in self.entries:
            if (unit.pk, getattr(item, "pk", None)) in opened:
                self.error(
                    row,
                    "amount",
                    _("Unit %(unit)s already has an opening prepaid balance.") % {"unit": unit.code},
                )
            else:
                kept.append((row, unit, item))
        self.entries = kept
        self.count("accounts", len(kept))

    def apply(self, progress=None):
        for row, unit, item in self.entries:
            record_opening_prepaid(
                actor=self.actor,
                project=self.project,
                unit=unit,
                item=item,
                amount=row["amount"],
                note=row["note"] or "",
            )
