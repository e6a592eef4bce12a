#!/usr/bin/env python3
"""Service KPI speed at scale: 200,000 work orders in one project, KPI queries timed in ms.

    .venv/bin/python benchmarks/service_kpis.py                      # SQLite, a throwaway file
    .venv/bin/python benchmarks/service_kpis.py --db postgres        # a throwaway PostgreSQL cluster
    .venv/bin/python benchmarks/service_kpis.py --keep /tmp/wuye-kpi # keep (and reuse) the SQLite file

The data is built with bulk_create in a throwaway database (a temporary SQLite file, or the database
``DATABASE_URL`` names: with ``--db postgres`` the script runs itself again under
scripts/pg_throwaway.py, which creates the cluster and removes it afterwards). Prints the median of 5
runs of each query set, then the KPI page and API as a project manager sees them (the queries
counted); the target for the project summary is < 300 ms on both databases.

``cpu`` is the CPU time of this process plus, on PostgreSQL, of its server backend (read from /proc;
parallel workers not included): on a shared machine wall-clock time mostly measures waiting for a
core, CPU time what the work costs.
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


def reexec_under_postgres():
    """Run this script again inside a throwaway PostgreSQL cluster (unless DATABASE_URL is one)."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    script = ROOT / "scripts" / "pg_throwaway.py"
    cmd = [sys.executable, str(script), "--", sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]]
    os.execv(sys.executable, cmd)


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


_backend_stat = None


def cpu_clock() -> float:
    """Seconds of CPU used by this process and, on PostgreSQL, by the connection's backend."""
    global _backend_stat
    from django.db import connection

    used = time.process_time()
    if connection.vendor == "postgresql":
        if _backend_stat is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                _backend_stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        try:
            fields = _backend_stat.read_text().rsplit(")", 1)[1].split()
            used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        except (OSError, IndexError, ValueError):
            pass  # not a local server
    return used


def timed(label, func, runs=5):
    func()  # warm up
    samples, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), cpu_clock()
        result = func()
        samples.append((time.perf_counter() - t) * 1000)
        cpu.append((cpu_clock() - c) * 1000)
    ms, cpu_ms = statistics.median(samples), statistics.median(cpu)
    print(f"{label:<40} {ms:8.1f} ms   cpu {cpu_ms:7.1f} ms   ({len(result)} rows)")
    return ms


def page(user, project, runs=5):
    """The KPI page (default: 90 days, by category, per week) and the API, with Django's test client."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    from wuye.core.middleware import SESSION_KEY

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = project.pk
    session.save()
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        _pages(client, runs)


def _pages(client, runs=5):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for label, url in (
        ("KPI page (90 days, category, week)", "/service/kpis/"),
        ("KPI page by person, per month", "/service/kpis/?by=assignee&interval=month"),
        ("API ?by=team", "/api/v1/service/kpis/?by=team"),
        ("API ?interval=month", "/api/v1/service/kpis/?interval=month"),
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries = len(captured)  # read now: the next request clears the query log
        samples, cpu = [], []
        for _ in range(runs):
            t, c = time.perf_counter(), cpu_clock()
            client.get(url)
            samples.append((time.perf_counter() - t) * 1000)
            cpu.append((cpu_clock() - c) * 1000)
        ms, cpu_ms = statistics.median(samples), statistics.median(cpu)
        print(f"{label:<40} {ms:8.1f} ms   cpu {cpu_ms:7.1f} ms   ({queries} queries)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--keep", help="keep the SQLite database in this folder (reuse it when it exists)")
    args = parser.parse_args()
    if args.db == "postgres":
        if args.keep:
            parser.error("--keep is for SQLite only")
        reexec_under_postgres()
    with tempfile.TemporaryDirectory(prefix="wuye-bench-") as tmp:
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
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
        cpu_clock()  # find the server backend before timing
        summary = timed("project KPIs (summary, one year)", lambda: reports.kpis(qs))
        timed("project KPIs by category", lambda: reports.kpis(qs, dimension="category"))
        timed("project KPIs by team", lambda: reports.kpis(qs, dimension="team"))
        timed("project KPIs by person", lambda: reports.kpis(qs, dimension="assignee"))
        timed("project KPIs per month", lambda: reports.kpis(qs, interval="month"))
        timed("project KPIs per week", lambda: reports.kpis(qs, interval="week"))
        page(pm, project)
        verdict = "OK" if summary < 300 else "SLOWER THAN TARGET"
        print(f"project KPI time: {summary:.0f} ms (target < 300 ms) {verdict}")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
