#!/usr/bin/env python3
"""Service KPI speed at scale: 200,000 work orders in one project, KPI queries timed in ms.

    .venv/bin/python benchmarks/service_kpis.py                      # SQLite, a throwaway file
    .venv/bin/python scripts/pg_throwaway.py -- .venv/bin/python benchmarks/service_kpis.py   # PostgreSQL

The data is built with bulk_create in a throwaway database (a temporary SQLite file, or the database
``DATABASE_URL`` names, which pg_throwaway creates and removes). Prints the median of 5 runs of each
query set; the target for the project summary is < 300 ms on both databases.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(tmp: str):
    os.environ.setdefault("WUYE_VAR_DIR", tmp)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuye.settings")
    os.environ.setdefault("AXES_ENABLED", "0")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build(n: int, seed: int = 1):
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from wuye.accounts.models import User
    from wuye.estate.models import Project
    from wuye.service.models import Category, Team, WorkOrder
    from wuye.service.models.orders import kpi_class_of
    from wuye.service.services import ensure_service_setup

    rng = random.Random(seed)
    project = Project.objects.create(code="BENCH", name="基准项目")
    Project.objects.create(code="OTHER", name="其他项目")
    ensure_service_setup(project)
    categories = list(Category.objects.filter(project=project).values_list("pk", flat=True))
    teams = list(Team.objects.filter(project=project).values_list("pk", flat=True))
    users = [User.objects.create(username=f"bench{i}").pk for i in range(30)]
    now = timezone.now()
    kinds = ["repair"] * 6 + ["complaint", "complaint", "consultation", "suggestion"]
    statuses = ["closed"] * 14 + ["visited", "confirmed", "completed", "in_progress", "assigned", "new"]
    started = time.perf_counter()
    batch = []
    with transaction.atomic():
        for i in range(n):
            reported = now - datetime.timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
            status = rng.choice(statuses)
            done = status in ("closed", "visited", "confirmed", "completed")
            response = rng.randrange(60, 3600)
            arrival = response + rng.randrange(300, 7200) if rng.random() < 0.7 else None
            completion = (arrival or response) + rng.randrange(600, 3 * 86400) if done else None
            batch.append(
                WorkOrder(
                    project_id=project.pk,
                    number=f"GD-B-{i:07d}",
                    kind=rng.choice(kinds),
                    source="phone",
                    category_id=rng.choice(categories),
                    priority="normal",
                    status=status,
                    team_id=rng.choice(teams),
                    assignee_id=rng.choice(users),
                    location="1栋",
                    description="基准",
                    reported_at=reported,
                    response_seconds=response if status != "new" else None,
                    arrival_seconds=arrival if status != "new" else None,
                    completion_seconds=completion,
                    completed_at=reported + datetime.timedelta(seconds=completion) if done else None,
                    sla_breached=rng.random() < 0.08,
                    reopen_count=1 if rng.random() < 0.04 else 0,
                    return_visit_required=rng.random() < 0.7,
                    visited_at=reported if status in ("closed", "visited") and rng.random() < 0.9 else None,
                    satisfaction=rng.choice((5, 5, 4, 4, 3, 2)) if status in ("closed", "visited") else None,
                    is_repeat=rng.random() < 0.03,
                )
            )
            batch[-1].kpi_class = kpi_class_of(batch[-1])
            if len(batch) == 5000:
                WorkOrder.objects.bulk_create(batch)
                batch = []
        if batch:
            WorkOrder.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"built {n:,} orders in {time.perf_counter() - started:.1f} s on {connection.vendor}")
    return project


def timed(label, func, runs=5):
    func()  # warm up
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        result = func()
        samples.append((time.perf_counter() - t) * 1000)
    ms = statistics.median(samples)
    print(f"{label:<40} {ms:8.1f} ms   ({len(result)} rows)")
    return ms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--keep", help="keep the SQLite database in this folder (reuse it when it exists)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wuye-bench-") as tmp:
        reuse = bool(args.keep and Path(args.keep, "bench.sqlite3").exists())
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            tmp = args.keep
        setup_django(tmp)
        from wuye.accounts.models import Membership, Role, User
        from wuye.accounts.roles import sync_system_roles
        from wuye.estate.models import Project
        from wuye.service import reports

        project = Project.objects.get(code="BENCH") if reuse else build(args.orders)
        sync_system_roles()
        pm, _ = User.objects.get_or_create(username="bench_pm")
        Membership.objects.get_or_create(
            user=pm, role=Role.objects.get(slug="project-manager"), project=project
        )
        qs = reports.kpi_queryset(pm, project=project)
        summary = timed("project KPIs (summary, one year)", lambda: reports.kpis(qs))
        timed("project KPIs by category", lambda: reports.kpis(qs, dimension="category"))
        timed("project KPIs by person", lambda: reports.kpis(qs, dimension="assignee"))
        timed("project KPIs per month", lambda: reports.kpis(qs, interval="month"))
        verdict = "OK" if summary < 300 else "SLOWER THAN TARGET"
        print(f"project KPI time: {summary:.0f} ms (target < 300 ms) {verdict}")


if __name__ == "__main__":
    main()
