"""Demo property archives at scale: buildings, units, people, ownership, occupancy, parking, vehicles.

``build_archive(project, units=M, seed=S)`` fills one project with ``M`` units and everything that
hangs off them, deterministically for ``(seed, project.code, M)``. It skips a project that already has
units, so running ``wuye demo`` twice adds nothing.

Speed (100,000 units with about 200,000 people in well under two minutes on SQLite): rows are
prepared in Python as tuples, with primary keys assigned here, and written by ``Table`` with
``executemany`` (SQLite) or ``COPY`` (PostgreSQL), one transaction per project and no per-row
queries. Building model instances and ``bulk_create``'s per-field preparation cost about three
quarters of the time, so they are avoided. Like ``bulk_create`` this bypasses ``save()``: the fields
that ``Building.save``, ``Unit.save`` (``fill_computed``), ``Person.save`` and ``Vehicle.save``
compute are set here with the same helpers, and every column not named is filled from the field's
default, so a new field with a default needs no change here (the tests check that saving a demo row
changes nothing). ``Person.id_number`` goes through the field's own ``get_db_prep_save``
(encryption).
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.db import connection, transaction
from django.utils import timezone

from wuye.core.crypto import lookup_hash
from wuye.core.db import analyze
from wuye.core.privacy import mask_id

BATCH = 5000

# --------------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    province: str  # plate province character and certificate abbreviation
    plate_letter: str
    regions: tuple[str, ...]  # administrative codes (ID number prefixes) of the city's districts
    cert_district: str


CITIES = {
    "上海": City("沪", "A", ("310115", "310104", "310110", "310112", "310105"), "浦东新区"),
    "杭州": City("浙", "A", ("330106", "330105", "330102", "330108"), "西湖区"),
    "南京": City("苏", "A", ("320105", "320106", "320104", "320115"), "建邺区"),
    "苏州": City("苏", "E", ("320506", "320508", "320505", "320507"), "吴中区"),
    "成都": City("川", "A", ("510107", "510104", "510105", "510108"), "武侯区"),
    "武汉": City("鄂", "A", ("420111", "420106", "420102", "420103"), "洪山区"),
}
DEFAULT_CITY = CITIES["上海"]

#: people who moved in from elsewhere: (ID region code, plate province, plate letter)
ELSEWHERE = [
    ("410102", "豫", "A"),
    ("340104", "皖", "A"),
    ("370102", "鲁", "A"),
    ("130102", "冀", "A"),
    ("430104", "湘", "A"),
    ("360102", "赣", "A"),
    ("500103", "渝", "A"),
    ("610103", "陕", "A"),
    ("440106", "粤", "A"),
    ("350102", "闽", "A"),
    ("110105", "京", "N"),
    ("220102", "吉", "A"),
    ("230102", "黑", "A"),
    ("450103", "桂", "A"),
    ("320206", "苏", "B"),
    ("330203", "浙", "B"),
]

#: common surnames, roughly by frequency (heavier first); no surnames with a special surname reading
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭萧田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
)
SURNAME_WEIGHTS = [max(1.0, 60.0 / (i + 1) ** 0.8) for i in range(len(SURNAMES))]
GIVEN_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣晨阳博文志建国峰东海亮松"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英玲桂兰萍红梅琳雪婷倩颖慧佳琪悦彤思怡欣雨晴嘉馨月璐蓉珊莉丹洁燕"
GIVEN_CHILD = "子梓涵浩宇轩睿博泽一诺依晨欣然可馨语彤佳怡思琪雨萱皓铭昊天乐瑶锦程奕辰"

MOBILE_PREFIXES = tuple(
    str(n)
    for n in (130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159)
    + (166, 170, 171, 173, 175, 176, 177, 178, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 191, 198)
)

BRANDS = ["大众", "丰田", "本田", "别克", "日产", "吉利", "长安", "哈弗", "宝马", "奔驰", "奥迪", "马自达"]
NEW_ENERGY_BRANDS = ["比亚迪", "特斯拉", "蔚来", "理想", "小鹏", "问界", "极氪", "零跑", "埃安"]
COLORS = ["白色", "黑色", "银色", "灰色", "蓝色", "红色", "棕色"]
#: letters allowed on plates (no I or O)
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
SHOP_TRADES = [
    "便利店",
    "餐饮店",
    "药房",
    "理发店",
    "洗衣店",
    "水果店",
    "咖啡馆",
    "烘焙店",
    "房产中介",
    "花店",
]

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def city_of(project) -> City:
    return CITIES.get(project.city, DEFAULT_CITY)


# --------------------------------------------------------------------------------------------------
# Small generators
# --------------------------------------------------------------------------------------------------


@cache
def _char_initial(ch: str) -> str:
    from wuye.residents.models import pinyin_initials

    return pinyin_initials(ch)


@cache
def _phrase_prefixes() -> frozenset[str]:
    from pypinyin.constants import PHRASES_DICT

    return frozenset(PHRASES_DICT)


def fast_initials(name: str) -> str:
    """``residents.models.pinyin_initials`` without its per-call cost (about 40 µs).

    Per character from a cache, unless a substring of the name is a phrase in pypinyin's
    dictionary (where a reading can differ from the single character's); then the real function.
    """
    phrases = _phrase_prefixes()
    n = len(name)
    for i in range(n - 1):
        for j in range(i + 2, n + 1):
            if name[i:j] in phrases:
                from wuye.residents.models import pinyin_initials

                return pinyin_initials(name)
    return "".join(_char_initial(ch) for ch in name)[:40]


def resident_id(rng: random.Random, region: str, birth: datetime.date, male: bool) -> str:
    from wuye.residents.validators import resident_id_check_digit

    seq = rng.randrange(0, 100) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_digit(first17)


def credit_code(rng: random.Random, region: str) -> str:
    """A unified social credit code (GB 32100-2015) with valid check characters."""
    org = [rng.randrange(10) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(org, ORG_WEIGHTS, strict=True)) % 11
    org_code = "".join(map(str, org)) + {10: "X", 11: "0"}.get(check, str(check))
    body = "91" + region + org_code
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_CHARS[(31 - total % 31) % 31]


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def random_date(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange(max(1, (end - start).days)))


def layout_for(rng: random.Random, area: float) -> str:
    if area < 75:
        return rng.choice(["1室1厅1卫", "2室1厅1卫"])
    if area < 95:
        return rng.choice(["2室2厅1卫", "3室1厅1卫"])
    if area < 125:
        return rng.choice(["3室2厅1卫", "3室2厅2卫"])
    if area < 150:
        return rng.choice(["3室2厅2卫", "4室2厅2卫"])
    return rng.choice(["4室2厅2卫", "4室2厅3卫", "5室2厅3卫"])


# --------------------------------------------------------------------------------------------------
# Building plan
# --------------------------------------------------------------------------------------------------


@dataclass
class UnitPlan:
    entrance: str
    room: str
    floor: int
    area: Decimal
    inner: Decimal
    layout: str
    usage: str


@dataclass
class BuildingPlan:
    number: str
    name: str
    building_type: str
    floors_above: int
    floors_below: int
    elevators: int
    entrances: list[str]
    units: list[UnitPlan] = field(default_factory=list)
    completion: datetime.date | None = None
    newest: bool = False


def _unit_type(rng: random.Random, low: int, high: int) -> tuple[Decimal, Decimal, str]:
    area = rng.uniform(low, high)
    inner = area * rng.uniform(0.75, 0.85)
    return Decimal(f"{area:.2f}"), Decimal(f"{inner:.2f}"), layout_for(rng, area)


def _residential(rng, number, kind, floors, entrances, per_floor, elevators_per_entrance, below):
    """A residential building: every entrance has ``per_floor`` units a floor; room 01 of every floor
    has the same floor plan (户型), as in real buildings."""
    area_range = {2: (110, 180), 3: (85, 140), 4: (60, 120)}[per_floor]
    plan = BuildingPlan(
        number=str(number),
        name=f"{number}栋",
        building_type=kind,
        floors_above=floors,
        floors_below=below,
        elevators=elevators_per_entrance * entrances,
        entrances=[str(e) for e in range(1, entrances + 1)],
    )
    for entrance in plan.entrances:
        types = [_unit_type(rng, *area_range) for _ in range(per_floor)]
        for floor in range(1, floors + 1):
            for index, (area, inner, layout) in enumerate(types, start=1):
                plan.units.append(
                    UnitPlan(entrance, f"{floor}{index:02d}", floor, area, inner, layout, "residential")
                )
    return plan


def high_rise(rng, number):
    floors, entrances, per_floor = rng.randint(18, 33), rng.randint(2, 3), rng.randint(2, 4)
    return _residential(rng, number, "high_rise", floors, entrances, per_floor, 2, rng.randint(1, 2))


def mid_high(rng, number):
    floors, entrances, per_floor = rng.randint(11, 17), rng.randint(1, 3), rng.randint(2, 3)
    return _residential(rng, number, "mid_high", floors, entrances, per_floor, 1, 1)


def multi_storey(rng, number, entrances=None):
    entrances = entrances or rng.randint(2, 4)
    return _residential(rng, number, "multi_storey", 6, entrances, 2, 0, 0)


def villa(rng, number):
    plan = BuildingPlan(str(number), f"{number}号别墅", "villa", 3, 1, 0, ["1"])
    area, inner, _layout = _unit_type(rng, 220, 380)
    plan.units.append(
        UnitPlan("1", "101", 1, area, inner, rng.choice(["5室3厅4卫", "6室3厅5卫"]), "residential")
    )
    return plan


def commercial(rng, number, capacity):
    """Shops on the ground floor, offices above."""
    shops = min(capacity, rng.randint(8, 16))
    office_floors = min(rng.randint(1, 3), (capacity - shops) // 6)
    per_floor = min(10, (capacity - shops) // office_floors) if office_floors else 0
    plan = BuildingPlan(str(number), f"{number}号商业楼", "commercial", 1 + office_floors, 1, 2, ["1"])
    for index in range(1, shops + 1):
        area, inner, _ = _unit_type(rng, 30, 150)
        plan.units.append(UnitPlan("1", f"1{index:02d}", 1, area, inner, "", "shop"))
    for floor in range(2, 2 + office_floors):
        for index in range(1, per_floor + 1):
            area, inner, _ = _unit_type(rng, 50, 200)
            plan.units.append(UnitPlan("1", f"{floor}{index:02d}", floor, area, inner, "", "office"))
    return plan


def plan_buildings(rng: random.Random, total: int) -> list[BuildingPlan]:
    """Buildings holding exactly ``total`` units: a few villas, a commercial building, then
    high-rise, 小高层 and 多层 buildings; small 多层 buildings and villas take up the remainder."""
    plans: list[BuildingPlan] = []
    remaining = total

    def add(plan):
        nonlocal remaining
        plans.append(plan)
        remaining -= len(plan.units)

    for _ in range(min(6, total // 150)):
        add(villa(rng, len(plans) + 1))
    for _ in range(1 + total // 40_000 if total >= 150 else 0):
        add(commercial(rng, len(plans) + 1, min(40, remaining // 4)))
    makers = [high_rise, mid_high, multi_storey]
    while remaining > 0:
        number = len(plans) + 1
        if remaining < 12:
            add(villa(rng, number))
            continue
        plan = rng.choices(makers, weights=[45, 30, 25])[0](rng, number)
        if len(plan.units) > remaining:
            plan = multi_storey(rng, number, entrances=min(4, remaining // 12))
        add(plan)
    # phases: completion dates rise with the building number; the newest phase (at least the last
    # residential building, about 3% of the units) is partly unsold or not yet handed over
    first_year = 2008 + rng.randrange(6)
    done = 0
    for plan in plans:
        share = done / total
        done += len(plan.units)
        if share < 0.4:
            year = first_year
        elif share < 0.8:
            year = first_year + 3
        elif share < 0.97:
            year = first_year + 6
        else:
            year, plan.newest = 2025, True
        plan.completion = random_date(rng, datetime.date(year, 3, 1), datetime.date(year, 9, 1))
    if not any(p.newest for p in plans):
        plans[-1].newest = True
    for plan in reversed(plans):
        if plan.building_type not in ("villa", "commercial"):
            plan.newest = True
            plan.completion = datetime.date(2025, 9, 28)
            break
    return plans


# --------------------------------------------------------------------------------------------------
# The builder
# --------------------------------------------------------------------------------------------------

STATUS_MATURE = (["occupied", "vacant", "rented", "renovating"], [76, 8, 11, 5])
STATUS_NEWEST = (
    ["unsold", "sold_undelivered", "vacant", "renovating", "occupied", "rented"],
    [25, 20, 15, 15, 20, 5],
)
STATUS_SHOP = (["rented", "occupied", "vacant"], [60, 25, 15])
DEVELOPER_STATUSES = ("unsold", "sold_undelivered")


class Table:
    """Raw multi-row inserts into one model's table, with primary keys assigned here.

    ``add(*values)`` takes the values of ``columns`` (attnames separated by spaces) in order and
    returns the new row's id. Columns of types the database takes as they are (text, integers,
    booleans, foreign keys) are passed through; other fields (dates, decimals, encrypted text) go
    through ``field.get_db_prep_save``. Every concrete field not named gets its default
    (``auto_now``/``auto_now_add``: now).
    """

    PLAIN = ("CharField", "TextField", "IntegerField", "SmallIntegerField", "PositiveIntegerField")
    PLAIN += ("PositiveSmallIntegerField", "BigIntegerField", "BooleanField", "ForeignKey")

    def __init__(self, model, columns: str):
        columns = columns.split()
        opts = model._meta
        fields = {f.attname: f for f in opts.concrete_fields}
        now = timezone.now()
        rest = [f for f in opts.concrete_fields if f.attname not in columns and not f.primary_key]
        self.tail = tuple(
            f.get_db_prep_save(
                now
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                else f.get_default(),
                connection,
            )
            for f in rest
        )
        self.convert = [
            (index, fields[name])
            for index, name in enumerate(columns, start=1)
            if type(fields[name]).__name__ not in self.PLAIN
        ]
        quote = connection.ops.quote_name
        names = [opts.pk.column, *(fields[name].column for name in columns), *(f.column for f in rest)]
        table, placeholders = quote(opts.db_table), ", ".join(["%s"] * len(names))
        names = ", ".join(map(quote, names))
        self.sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"
        self.copy_sql = f"COPY {table} ({names}) FROM STDIN"  # PostgreSQL: several times faster
        self.model = model
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({quote(opts.pk.column)}) FROM {quote(opts.db_table)}")
            self.next_id = (cursor.fetchone()[0] or 0) + 1
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, *values) -> int:
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *values))
        return pk

    def flush(self) -> None:
        rows, tail = self.rows, self.tail
        if self.convert:
            ready = []
            for row in rows:
                row = list(row)
                for index, f in self.convert:
                    if row[index] is not None:
                        row[index] = f.get_db_prep_save(row[index], connection)
                ready.append((*row, *tail))
        else:
            ready = [(*row, *tail) for row in rows]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in ready:
                        copy.write_row(row)
            else:
                for start in range(0, len(ready), BATCH):
                    cursor.executemany(self.sql, ready[start : start + BATCH])
        self.count += len(rows)
        self.rows = []

    def reset_sequence(self) -> None:
        """PostgreSQL: move the id sequence past the ids assigned here (nothing to do on SQLite)."""
        from django.core.management.color import no_style

        statements = connection.ops.sequence_reset_sql(no_style(), [self.model])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


class ArchiveBuilder:
    """Builds one project's archive; see ``build_archive``."""

    def __init__(self, project, units: int, seed: int, progress: Callable[[str], None] | None = None):
        self.project = project
        self.pid = project.pk
        self.total = units
        self.rng = random.Random(f"wuye-demo:{seed}:{project.code}:{units}")
        self.city = city_of(project)
        self.progress = progress or (lambda message: None)
        self.plates: set[str] = set()
        self.id_numbers: set[str] = set()
        self.owner_pool: list[int] = []  # ids of owners who may buy a second unit
        self.lots: list[tuple[int, str]] = []  # (id, tag) of the underground lots so far
        self.lot_fill = 0
        self.lot_capacity = 0

    def tables(self):
        from wuye.estate.models import ParkingSpace, Unit
        from wuye.residents.models import Occupancy, Ownership, Person, Vehicle

        self.units = Table(
            Unit,
            "project_id building_id entrance_id code search_code sort_code room_number floor "
            "building_area inner_area usage layout status delivery_date vacancy_registered",
        )
        self.people = Table(
            Person,
            "project_id kind name name_initials gender phone phone_tail id_type id_number id_number_hash "
            "id_number_masked birth_date",
        )
        self.ownerships = Table(
            Ownership,
            "project_id unit_id person_id share is_representative certificate_number start_date note",
        )
        self.occupancies = Table(
            Occupancy,
            "project_id unit_id person_id kind relationship is_payer start_date end_date",
        )
        self.spaces = Table(ParkingSpace, "project_id lot_id code kind area status unit_id")
        self.vehicles = Table(
            Vehicle,
            "project_id plate is_new_energy vehicle_type brand color person_id parking_space_id",
        )
        return [self.units, self.people, self.ownerships, self.occupancies, self.spaces, self.vehicles]

    # ---- people ---------------------------------------------------------------------------------

    def person(self, *, male: bool, born: tuple[int, int], id_rate: float, phone_rate: float, surname=None):
        """A new individual; returns (id, surname)."""
        rng = self.rng
        surname = surname or rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
        adult = born[1] < 2008
        pool = (GIVEN_MALE if male else GIVEN_FEMALE) if adult else GIVEN_CHILD
        name = surname + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2) if adult else (2,))))
        birth = random_date(rng, datetime.date(born[0], 1, 1), datetime.date(born[1], 12, 31))
        phone = mobile(rng) if rng.random() < phone_rate else ""
        number = number_hash = masked = ""
        if rng.random() < id_rate:
            region = rng.choice(self.city.regions) if rng.random() < 0.6 else rng.choice(ELSEWHERE)[0]
            number = resident_id(rng, region, birth, male)
            while number in self.id_numbers:  # unique in the project, as Person.clean() requires
                number = resident_id(rng, region, birth, male)
            self.id_numbers.add(number)
            number_hash, masked = lookup_hash(number), mask_id(number)
        elif rng.random() > 0.3:
            birth = None
        pk = self.people.add(
            self.pid,
            "individual",
            name,
            fast_initials(name),
            "male" if male else "female",
            phone,
            phone[-4:],
            "resident_id",
            number,
            number_hash,
            masked,
            birth,
        )
        return pk, surname

    def organization(self, name: str) -> int:
        number = credit_code(self.rng, self.city.regions[0])
        phone = mobile(self.rng)
        return self.people.add(
            self.pid,
            "organization",
            name,
            fast_initials(name),
            "",
            phone,
            phone[-4:],
            "credit_code",
            number,
            lookup_hash(number),
            mask_id(number),
            None,
        )

    def developer(self):
        from wuye.residents.models import Person

        existing = Person.objects.filter(project=self.project, is_developer=True).first()
        if existing:
            return existing
        base = self.project.name.rstrip("0123456789期")
        return Person.objects.create(
            project=self.project,
            kind="organization",
            name=f"{self.project.city or '上海'}{base}置业有限公司",
            id_type="credit_code",
            id_number=credit_code(self.rng, self.city.regions[0]),
            phone=f"400-{self.rng.randrange(100, 999)}-{self.rng.randrange(1000, 9999)}",
            is_developer=True,
        )

    # ---- vehicles and parking -------------------------------------------------------------------

    def plate(self) -> tuple[str, bool]:
        rng = self.rng
        while True:
            if rng.random() < 0.85:
                province, letter = self.city.province, self.city.plate_letter
            else:
                _region, province, letter = rng.choice(ELSEWHERE)
            new_energy = rng.random() < 0.25
            if new_energy:
                tail = (
                    rng.choice("DF")
                    + rng.choice(PLATE_LETTERS + "0123456789")
                    + f"{rng.randrange(10000):04d}"
                )
            else:
                chars = [str(rng.randrange(10)) for _ in range(5)]
                for _ in range(rng.choice((0, 1, 1, 2))):
                    chars[rng.randrange(4)] = rng.choice(PLATE_LETTERS)
                tail = "".join(chars)
            plate = province + letter + tail
            if plate not in self.plates:
                self.plates.add(plate)
                return plate, new_energy

    def space(self, unit_id: int | None, kind: str) -> int:
        """The next underground space; a new lot (400-1500 spaces) when the current one is full."""
        from wuye.estate.models import ParkingLot

        if self.lot_fill >= self.lot_capacity:
            index = len(self.lots)
            tag = PLATE_LETTERS[index % 24] + (str(index // 24 + 1) if index >= 24 else "")
            lot = ParkingLot.objects.create(
                project=self.project,
                name=f"地下车库{tag}区",
                kind="underground",
                location=f"B{1 + index % 2}",
            )
            self.lots.append((lot.pk, tag))
            self.lot_fill, self.lot_capacity = 0, self.rng.randint(400, 1500)
        lot_id, tag = self.lots[-1]
        self.lot_fill += 1
        status = "sold" if kind == "owned" else ("rented" if unit_id is not None else "available")
        area = Decimal(f"{self.rng.uniform(12.5, 15.5):.2f}")
        return self.spaces.add(self.pid, lot_id, f"{tag}-{self.lot_fill:04d}", kind, area, status, unit_id)

    # ---- the run --------------------------------------------------------------------------------

    def run(self) -> dict:
        from wuye.estate.models import Building, Entrance, compact_code, natural_code_key, natural_sort_key

        started = time.perf_counter()
        rng = self.rng
        plans = plan_buildings(rng, self.total)
        buildings = Building.objects.bulk_create(
            [
                Building(
                    project=self.project,
                    number=p.number,
                    name=p.name,
                    sort_key=natural_sort_key(p.number),
                    building_type=p.building_type,
                    floors_above=p.floors_above,
                    floors_below=p.floors_below,
                    elevator_count=p.elevators,
                    completion_date=p.completion,
                )
                for p in plans
            ],
            batch_size=BATCH,
        )
        entrances = Entrance.objects.bulk_create(
            [
                Entrance(project=self.project, building=b, number=e)
                for b, p in zip(buildings, plans, strict=True)
                for e in p.entrances
            ],
            batch_size=BATCH,
        )
        entrance_of = {(e.building_id, e.number): e.pk for e in entrances}
        developer = self.developer()
        tables = self.tables()

        # units in building order, in chunks of about 10% with everything that hangs off them
        rows = [(b.pk, p, u) for b, p in zip(buildings, plans, strict=True) for u in p.units]
        chunk = max(1, -(-len(rows) // 10))
        for start in range(0, len(rows), chunk):
            units = []
            for building_id, plan, u in rows[start : start + chunk]:
                code = f"{plan.number}-{u.entrance}-{u.room}"
                if u.usage == "shop":
                    status = rng.choices(*STATUS_SHOP)[0]
                elif plan.newest:
                    status = rng.choices(*STATUS_NEWEST)[0]
                else:
                    status = rng.choices(*STATUS_MATURE)[0]
                delivered = status not in DEVELOPER_STATUSES
                delivery = (
                    plan.completion + datetime.timedelta(days=rng.randrange(30, 200)) if delivered else None
                )
                unit_id = self.units.add(
                    self.pid,
                    building_id,
                    entrance_of[(building_id, u.entrance)],
                    code,
                    compact_code(code),  # what Unit.fill_computed() sets
                    natural_code_key(code),
                    u.room,
                    u.floor,
                    u.area,
                    u.inner,
                    u.usage,
                    u.layout,
                    status,
                    delivery,
                    status == "vacant" and rng.random() < 0.3,
                )
                units.append((unit_id, status, u.usage, delivery))
            self.people_for(units, developer.pk)
            for table in tables:
                table.flush()
            done = min(len(rows), start + chunk)
            if self.total >= PROGRESS_FROM:
                self.progress(
                    f"  {self.project.code}: {done * 100 // len(rows):3d}% "
                    f"({done}/{len(rows)} units, {time.perf_counter() - started:.1f}s)"
                )
        self.finish_parking()
        for table in tables:
            table.reset_sequence()
        type(self.project).objects.filter(pk=self.pid).update(
            managed_area=sum((u.area for _b, _p, u in rows), Decimal(0)),
            handover_date=min(p.completion for p in plans),
        )
        return {
            "buildings": len(buildings),
            "units": self.units.count,
            "people": self.people.count + 1,
            "ownerships": self.ownerships.count,
            "occupancies": self.occupancies.count,
            "vehicles": self.vehicles.count,
            "spaces": self.spaces.count,
            "seconds": round(time.perf_counter() - started, 1),
        }

    def people_for(self, units, developer_id: int) -> None:
        """Owners, co-owners, tenants, household members, vehicles and parking for a chunk of units."""
        rng, pid = self.rng, self.pid
        own_row, occ_row = self.ownerships.add, self.occupancies.add
        vehicles: list[tuple[int, int, bool]] = []  # (unit, person, wants a space)
        newest_sale = datetime.date(2026, 6, 30)

        def adult(male, id_rate, phone_rate, born=(1950, 1996)):
            return self.person(male=male, born=born, id_rate=id_rate, phone_rate=phone_rate)[0]

        for unit_id, status, usage, delivery in units:
            if status in DEVELOPER_STATUSES:
                own_row(pid, unit_id, developer_id, Decimal(100), True, "", None, "开发商持有")
                continue
            start = random_date(rng, delivery, newest_sale) if rng.random() < 0.12 else delivery  # resold
            certificate = ""
            if rng.random() < 0.75:  # unified real-estate certificates since 2016, house-and-land before
                serial, area, year = rng.randrange(10**6), self.city.cert_district, start.year
                certificate = (
                    f"{self.city.province}({year}){area}不动产权第{serial:07d}号"
                    if year >= 2016
                    else f"{self.city.province}房地{area[:2]}字({year})第{serial:06d}号"
                )
            owner = spouse = None
            male = rng.random() < 0.55
            if usage != "residential" and rng.random() < 0.3:
                company = self.organization(f"{self.project.city}{rng.choice(SURNAMES[:40])}氏实业有限公司")
                own_row(pid, unit_id, company, Decimal(100), True, certificate, start, "")
            elif self.owner_pool and rng.random() < 0.05:  # an owner holding a second unit
                own_row(pid, unit_id, rng.choice(self.owner_pool), Decimal(100), True, certificate, start, "")
            else:
                owner, surname = self.person(male=male, born=(1950, 1996), id_rate=0.9, phone_rate=0.98)
                if rng.random() < 0.08:  # co-owners (50/50), usually a married couple
                    spouse = adult(not male, 0.85, 0.9)
                    own_row(pid, unit_id, owner, Decimal(50), True, certificate, start, "")
                    own_row(pid, unit_id, spouse, Decimal(50), False, certificate, start, "")
                else:
                    own_row(pid, unit_id, owner, Decimal(100), True, certificate, start, "")
                    if len(self.owner_pool) < 20_000:
                        self.owner_pool.append(owner)
            if status == "occupied" and owner is not None and usage == "residential":
                if spouse is None and rng.random() < 0.65:
                    spouse = adult(not male, 0.5, 0.7)
                    occ_row(pid, unit_id, spouse, "household", "spouse", False, start, None)
                for _ in range(rng.choices((0, 1, 2), weights=(55, 35, 10))[0]):
                    kid = self.person(
                        male=rng.random() < 0.5,
                        born=(2005, 2023),
                        id_rate=0.15,
                        phone_rate=0.1,
                        surname=surname if male else None,
                    )[0]
                    occ_row(pid, unit_id, kid, "household", "child", False, start, None)
                if rng.random() < 0.15:
                    parent = adult(rng.random() < 0.4, 0.3, 0.4, born=(1938, 1958))
                    occ_row(pid, unit_id, parent, "household", "parent", False, start, None)
                for _ in range(rng.choices((0, 1, 2), weights=(45, 45, 10))[0]):
                    vehicles.append((unit_id, owner, rng.random() < 0.7))
            elif status == "rented":
                lease = random_date(rng, max(start, datetime.date(2023, 1, 1)), datetime.date(2026, 9, 30))
                # leases run 1-3 years and are all still running (a rented unit has a current tenant)
                end = lease.replace(year=max(lease.year + rng.choice((1, 2, 3)), 2027), day=1)
                payer = rng.random() < 0.5
                if usage == "shop":
                    shop = self.organization(f"{rng.choice(SURNAMES[:40])}记{rng.choice(SHOP_TRADES)}")
                    occ_row(pid, unit_id, shop, "tenant", "self", payer, lease, end)
                    continue
                tenant_male = rng.random() < 0.55
                tenant = adult(tenant_male, 0.6, 0.95, born=(1975, 2003))
                occ_row(pid, unit_id, tenant, "tenant", "self", payer, lease, end)
                if rng.random() < 0.35:
                    mate = adult(not tenant_male, 0.4, 0.8, born=(1975, 2003))
                    occ_row(pid, unit_id, mate, "tenant", "spouse", False, lease, end)
                if rng.random() < 0.35:
                    vehicles.append((unit_id, tenant, rng.random() < 0.5))

        for unit_id, person_id, wants_space in vehicles:
            space = self.space(unit_id, "owned" if rng.random() < 0.65 else "rented") if wants_space else None
            plate, new_energy = self.plate()
            self.vehicles.add(
                pid,
                plate,
                new_energy,
                rng.choices(("car", "suv", "van"), weights=(70, 25, 5))[0],
                rng.choice(NEW_ENERGY_BRANDS if new_energy else BRANDS),
                rng.choice(COLORS),
                person_id,
                space,
            )

    def finish_parking(self) -> None:
        """Spare underground spaces (rentable, unassigned) and a ground lot for visitors."""
        from wuye.estate.models import ParkingLot

        for _ in range(max(5, self.spaces.count // 6)):
            self.space(None, "rented")
        ground = ParkingLot.objects.create(
            project=self.project, name="地面临时停车场", kind="ground", location="东门"
        )
        for n in range(1, max(10, self.total // 40) + 1):
            self.spaces.add(self.pid, ground.pk, f"DM-{n:04d}", "public_temporary", None, "available", None)
        self.spaces.flush()


#: below this many units per project, no progress lines (the run takes a second or two)
PROGRESS_FROM = 5000


def build_archive(project, *, units: int, seed: int, progress: Callable[[str], None] | None = None):
    """Fill ``project`` with ``units`` units and their people; ``None`` if it already has units."""
    from wuye.estate.models import Unit

    if units <= 0 or Unit.objects.filter(project=project).exists():
        return None
    with transaction.atomic():
        result = ArchiveBuilder(project, units, seed, progress).run()
    analyze()  # SQLite's planner statistics for the new rows (PostgreSQL: autovacuum)
    return result
