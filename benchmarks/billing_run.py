#!/usr/bin/env python
"""Billing run throughput against the raw database limit.

    .venv/bin/python benchmarks/billing_run.py --units 100000 [--db sqlite|postgres]

Builds a project with N units (owners, two fee items assigned to every unit) in a throwaway
database, runs a month's billing (2 x N bills) through the real service, then inserts the very same
rows with one raw multi-row INSERT per batch into a table of the same shape (columns, constraints
and indexes) and prints ``units=... bills=... seconds=... raw_seconds=... ratio=...``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()

    if args.db == "postgres" and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        # re-run this script inside a throwaway PostgreSQL cluster
        cmd = [
            sys.executable,
            str(ROOT / "scripts" / "pg_throwaway.py"),
            "--",
            sys.executable,
            __file__,
            "--units",
            str(args.units),
            "--db",
            "postgres",
        ]
        sys.exit(subprocess.call(cmd))
    var = tempfile.mkdtemp(prefix="wuye-bench-")
    os.environ["WUYE_VAR_DIR"] = var
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "wuye.settings"
    os.environ["AXES_ENABLED"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    run(args.units)


def build(units: int):
    import datetime
    from decimal import Decimal

    from wuye.billing.models import FeeAssignment, FeeItem, FeeStandard
    from wuye.estate.models import Building, Project, Unit, compact_code
    from wuye.residents.models import Ownership, Person

    project = Project.objects.create(code="BENCH", name="基准小区")
    per_building = 33 * 4 * 2
    buildings = Building.objects.bulk_create(
        [
            Building(project=project, number=str(i + 1), name=f"{i + 1}栋", floors_above=33, sort_key=i + 1)
            for i in range((units + per_building - 1) // per_building)
        ]
    )
    rows = []
    for n in range(units):
        b = buildings[n // per_building]
        k = n % per_building
        floor, room = k // 8 + 1, k % 8 + 1
        code = f"{b.number}-{1 + (room > 4)}-{floor:02d}{room:02d}"
        rows.append(
            Unit(
                project=project,
                building=b,
                code=code,
                search_code=compact_code(code),
                room_number=f"{floor:02d}{room:02d}",
                floor=floor,
                building_area=Decimal(60 + n % 120) + Decimal("0.55"),
                inner_area=Decimal(50 + n % 100),
                status="occupied",
                delivery_date=datetime.date(2020, 1, 1),
            )
        )
    Unit.objects.bulk_create(rows, batch_size=5000)
    unit_ids = list(Unit.objects.filter(project=project).values_list("pk", flat=True))
    people = Person.objects.bulk_create(
        [
            Person(project=project, name=f"业主{i}", name_initials="yz", phone_tail=f"{i % 10000:04d}")
            for i in range(units)
        ],
        batch_size=5000,
    )
    Ownership.objects.bulk_create(
        [Ownership(project=project, person=p, unit_id=u) for p, u in zip(people, unit_ids, strict=True)],
        batch_size=5000,
    )
    fee = FeeItem.objects.create(project=project, name="物业服务费", category="property_fee", tax_rate="0.06")
    garbage = FeeItem.objects.create(project=project, name="垃圾清运费", category="other", tax_rate="0.06")
    s1 = FeeStandard.objects.create(
        project=project,
        item=fee,
        name="物业费",
        method="building_area",
        unit_price="2.3500",
        effective_from=datetime.date(2020, 1, 1),
    )
    s2 = FeeStandard.objects.create(
        project=project,
        item=garbage,
        name="垃圾费",
        method="fixed_unit",
        unit_price="15.0000",
        effective_from=datetime.date(2020, 1, 1),
    )
    start = datetime.date(2020, 1, 1)
    FeeAssignment.objects.bulk_create(
        [
            FeeAssignment(project=project, standard=s, unit_id=u, start_date=start)
            for s in (s1, s2)
            for u in unit_ids
        ],
        batch_size=5000,
    )
    return project


def clone_table(connection, name: str, clone: str):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'CREATE TABLE "{clone}" (LIKE "{name}" INCLUDING ALL)')
            return
        cursor.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [name])
        statements = cursor.fetchall()
        for kind, sql in sorted(statements, key=lambda r: r[0] != "table"):
            sql = sql.replace(f'"{name}"', f'"{clone}"', 1)
            if kind == "index":
                sql = sql.replace('INDEX "', f'INDEX "{clone}_', 1)
                sql = sql.replace(f'ON "{name}"', f'ON "{clone}"')
            cursor.execute(sql)


def run(units: int):
    import datetime

    from django.db import connection, transaction

    from wuye.billing.models import Bill
    from wuye.billing.services import run_billing

    t0 = time.perf_counter()
    project = build(units)
    print(f"built {units} units in {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    t0 = time.perf_counter()
    billing = run_billing(actor=None, project=project, period=datetime.date(2026, 11, 1))
    seconds = time.perf_counter() - t0
    assert billing.created_count == 2 * units, billing.created_count

    fields = [f for f in Bill._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    rows = []
    for bill in Bill.objects.filter(project=project).iterator(chunk_size=10000):
        rows.append([f.get_db_prep_save(getattr(bill, f.attname), connection) for f in fields])
    clone_table(connection, Bill._meta.db_table, "bench_raw_bill")
    quoted = ", ".join(f'"{c}"' for c in columns)
    batch = max(1, min(2000, 30000 // len(columns)))  # stay under SQLite's variable limit
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(chunk))
            cursor.execute(
                f'INSERT INTO "bench_raw_bill" ({quoted}) VALUES {placeholders}',
                [v for row in chunk for v in row],
            )
    raw_seconds = time.perf_counter() - t0
    print(
        f"db={connection.vendor} units={units} bills={billing.created_count} seconds={seconds:.2f} "
        f"raw_seconds={raw_seconds:.2f} ratio={seconds / raw_seconds:.2f}"
    )


if __name__ == "__main__":
    main()
