#!/usr/bin/env python
"""Billing run throughput against the raw database limit.

    .venv/bin/python benchmarks/billing_run.py --units 100000 [--db sqlite|postgres] [--repeat 3]
        [--profile FILE]

Builds a project with N units (owners, two fee items assigned to every unit) in a throwaway
database and runs a month's billing (2 x N bills) through the real service: reading the standards,
payers and assignments, pricing, numbering, writing, the summary and the audit row, in one
transaction. Then it writes the very same rows (read back from the bill table, already in database
form, JSON as text) into a table of the same shape (columns, defaults, CHECK, NOT NULL and unique
constraints, indexes and foreign keys) with the fastest plain method of the driver, also in one
transaction:
``COPY ... FROM STDIN`` on PostgreSQL, ``executemany`` of one INSERT on SQLite (the billing run uses
the same methods). Both times include the commit, where PostgreSQL checks the deferred foreign keys.
Prints ``db=... units=... bills=... seconds=... raw_seconds=... ratio=...`` and the CPU time of this
process for both (on SQLite that includes the database's work; on PostgreSQL the server's is not in
it). The target is ratio <= 1.5. ``--repeat N`` bills N months in turn, each followed by the raw
insert of its rows into the same raw table, and prints the medians. See benchmarks/README.md.
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
    parser.add_argument("--profile", metavar="FILE", help="write cProfile stats of the billing run to FILE")
    parser.add_argument(
        "--repeat", type=int, default=1, help="bill this many months in turn, each against its raw insert"
    )
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
            "--repeat",
            str(args.repeat),
            *(["--profile", str(Path(args.profile).resolve())] if args.profile else []),
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
    run(args.units, args.profile, args.repeat)


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
    """An empty table shaped like ``name``: columns, defaults, constraints, indexes, foreign keys."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # LIKE ... INCLUDING ALL copies defaults, NOT NULL, CHECK, indexes (unique ones too) but
            # not foreign keys: add them the way Django created them (DEFERRABLE INITIALLY DEFERRED)
            cursor.execute(f'CREATE TABLE "{clone}" (LIKE "{name}" INCLUDING ALL)')
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [name],
            )
            for index, (_conname, definition) in enumerate(cursor.fetchall()):
                cursor.execute(f'ALTER TABLE "{clone}" ADD CONSTRAINT "{clone}_fk{index}" {definition}')
            return
        # SQLite: the table's own CREATE TABLE (with its REFERENCES clauses) and CREATE INDEX statements
        cursor.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [name])
        statements = cursor.fetchall()
        for kind, sql in sorted(statements, key=lambda r: r[0] != "table"):
            sql = sql.replace(f'"{name}"', f'"{clone}"', 1)
            if kind == "index":
                sql = sql.replace('INDEX "', f'INDEX "{clone}_', 1)
                sql = sql.replace(f'ON "{name}"', f'ON "{clone}"')
            cursor.execute(sql)


def raw_insert(connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    """The floor: rows already in database form, the driver's fastest plain bulk write."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join(["%s"] * len(columns))})'
            for start in range(0, len(rows), 2000):
                cursor.executemany(sql, rows[start : start + 2000])


def run(units: int, profile: str | None = None, repeat: int = 1):
    import datetime
    import json
    import statistics

    from django.db import connection, transaction
    from django.db.models import JSONField

    from wuye.billing.models import Bill
    from wuye.billing.services import run_billing
    from wuye.billing.services.periods import add_months

    t0 = time.perf_counter()
    project = build(units)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after the bulk load
    print(f"built {units} units in {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    fields = [f for f in Bill._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]

    def db_value(field, value):
        if isinstance(field, JSONField) and value is not None:
            return json.dumps(value)  # text, as SQLite stores it and COPY sends it
        return field.get_db_prep_save(value, connection)

    clone_table(connection, Bill._meta.db_table, "bench_raw_bill")
    results = []
    for index in range(repeat):
        # each repetition bills the next month; the raw table gets the same rows, so before every
        # pair both tables hold the same rows
        period = add_months(datetime.date(2026, 11, 1), index)
        profiler = None
        if profile and index == 0:
            import cProfile

            profiler = cProfile.Profile()
        t0, c0 = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        billing = run_billing(actor=None, project=project, period=period)
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert billing.created_count == 2 * units, billing.created_count

        rows = [
            tuple(db_value(f, getattr(bill, f.attname)) for f in fields)
            for bill in Bill.objects.filter(run=billing).order_by("pk").iterator(chunk_size=10000)
        ]
        assert len(rows) == billing.created_count
        t0, c0 = time.perf_counter(), time.process_time()
        with transaction.atomic():
            raw_insert(connection, "bench_raw_bill", columns, rows)
        raw_seconds, raw_cpu = time.perf_counter() - t0, time.process_time() - c0
        del rows
        results.append((seconds, raw_seconds, cpu, raw_cpu))
        print(
            f"db={connection.vendor} units={units} bills={billing.created_count} seconds={seconds:.2f} "
            f"raw_seconds={raw_seconds:.2f} ratio={seconds / raw_seconds:.2f} "
            f"| cpu={cpu:.2f} raw_cpu={raw_cpu:.2f} cpu_ratio={cpu / raw_cpu:.2f} period={period:%Y-%m}",
            flush=True,
        )
    if repeat > 1:
        ratios = [s / r for s, r, _c, _rc in results]
        cpu_ratios = [c / rc for _s, _r, c, rc in results]
        print(
            f"db={connection.vendor} units={units} repeat={repeat} "
            f"seconds={statistics.median(r[0] for r in results):.2f} "
            f"raw_seconds={statistics.median(r[1] for r in results):.2f} "
            f"ratio={statistics.median(ratios):.2f} (median of {repeat}; "
            f"min {min(ratios):.2f}, max {max(ratios):.2f}) cpu_ratio={statistics.median(cpu_ratios):.2f}"
        )


if __name__ == "__main__":
    main()
