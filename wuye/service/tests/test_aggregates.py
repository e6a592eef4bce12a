"""The KPI building blocks on the database under test (SQLite, and PostgreSQL under pg_throwaway):
nearest-rank percentiles, local time buckets, and the queries staying on the covering index."""

from __future__ import annotations

import datetime
import random
import zoneinfo

import pytest
from django.db import connection
from django.db.models import DateField
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone

from wuye.core.testing.factories import seq
from wuye.core.testing.queries import assert_constant_queries, count_queries
from wuye.service import reports
from wuye.service.aggregates import (
    PercentileDisc,
    TimeBucket,
    Unordered,
    fixed_utc_offset,
    sqlite_percentile_disc,
)
from wuye.service.models import WorkOrder
from wuye.service.models.orders import kpi_class_of
from wuye.service.tests.factories import make_category, make_team

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def nearest_rank(values, percent):
    """The reference: the smallest value whose 1-based rank r has 100 r >= percent n."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    rank = max(1, -(-percent * len(ordered) // 100))
    return ordered[rank - 1]


def bulk_orders(project, rows, *, category=None):
    """Orders with the given fields, written in one INSERT (kpi_class set as save() sets it)."""
    category = category or make_category(project)
    objs = []
    for fields in rows:
        fields = {"status": "closed", "kind": "repair", **fields}
        order = WorkOrder(
            project=project,
            number=f"T-{seq()}",
            category=fields.pop("category", category),
            description="测试",
            **fields,
        )
        order.kpi_class = kpi_class_of(order)
        objs.append(order)
    WorkOrder.objects.bulk_create(objs)
    return category


def test_percentile_disc_is_the_exact_nearest_rank(cast):
    """Every whole percentile of n values, with n where a floating-point p / 100 * n lands just above
    an integer (0.28 * 25 = 7.000000000000001): PostgreSQL's percentile_disc would take the next row."""
    rng = random.Random(5)
    for n in (1, 2, 3, 10, 25, 100, 101):
        WorkOrder.objects.all().delete()
        values = [rng.randrange(0, 5000) for _ in range(n)]
        bulk_orders(cast.project_a, [{"response_seconds": v} for v in values] + [{"response_seconds": None}])
        got = WorkOrder.objects.aggregate(
            **{f"p{p}": PercentileDisc("response_seconds", p) for p in range(0, 101)}
        )
        assert got == {f"p{p}": nearest_rank(values, p) for p in range(0, 101)}, n
    assert nearest_rank(range(1, 26), 28) == 7


def test_percentile_disc_per_group_ignores_nulls(cast):
    water = bulk_orders(cast.project_a, [{"completion_seconds": v} for v in (30, 10, 20, None, 40)])
    doors = bulk_orders(cast.project_a, [{"completion_seconds": None}, {"completion_seconds": None}])
    rows = {
        r["category_id"]: r
        for r in WorkOrder.objects.values("category_id").annotate(
            p50=PercentileDisc("completion_seconds", 50), p90=PercentileDisc("completion_seconds", 90)
        )
    }
    assert (rows[water.pk]["p50"], rows[water.pk]["p90"]) == (20, 40)
    assert (rows[doors.pk]["p50"], rows[doors.pk]["p90"]) == (None, None)
    assert WorkOrder.objects.filter(pk=-1).aggregate(p=PercentileDisc("completion_seconds", 50)) == {
        "p": None
    }
    with pytest.raises(ValueError):
        PercentileDisc("completion_seconds", 101)


def test_sqlite_percentile_function():
    assert sqlite_percentile_disc("5,1,4,2,3", 50) == 3
    assert sqlite_percentile_disc("5,1,4,2,3", 0) == 1
    assert sqlite_percentile_disc("5,1,4,2,3", 100) == 5
    assert sqlite_percentile_disc("2.5,0.5,1.5", 50) == 1.5
    assert sqlite_percentile_disc("Inf,1.0,-Inf", 100) == float("inf")
    assert sqlite_percentile_disc(None, 50) is None


def test_fixed_utc_offset():
    assert fixed_utc_offset(SHANGHAI) == 8 * 3600  # no daylight saving time since 1991
    assert fixed_utc_offset(zoneinfo.ZoneInfo("UTC")) == 0
    assert fixed_utc_offset(datetime.timezone(datetime.timedelta(hours=-3))) == -3 * 3600
    assert fixed_utc_offset(zoneinfo.ZoneInfo("Europe/Berlin")) is None


@pytest.mark.parametrize("tz", [SHANGHAI, zoneinfo.ZoneInfo("Europe/Berlin"), zoneinfo.ZoneInfo("UTC")])
def test_time_bucket_is_the_local_day_week_and_month(cast, tz):
    """The same buckets as Django's Trunc* at the time zone, around local midnight, Sunday/Monday,
    month ends, and before 2001 (Shanghai kept daylight saving time in 1986-1991)."""
    local = [
        datetime.datetime(2024, 3, 31, 23, 59),  # Sunday, last day of a month
        datetime.datetime(2024, 4, 1, 0, 0),  # Monday, first of a month
        datetime.datetime(2024, 12, 29, 12, 0),
        datetime.datetime(2025, 1, 1, 0, 30),
        datetime.datetime(2000, 12, 31, 23, 30),  # just before the fast path starts
        datetime.datetime(1990, 7, 1, 0, 30),  # Shanghai in daylight saving time
        datetime.datetime(1990, 6, 30, 23, 30),
    ]
    instants = [t.replace(tzinfo=tz) for t in local]
    bulk_orders(cast.project_a, [{"reported_at": t} for t in instants])
    truncs = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
    for interval, trunc in truncs.items():
        got = sorted(
            WorkOrder.objects.annotate(b=TimeBucket("reported_at", interval, tz))
            .values_list("reported_at", "b")
            .order_by("reported_at")
        )
        expected = sorted(
            WorkOrder.objects.annotate(b=trunc("reported_at", tzinfo=tz, output_field=DateField()))
            .values_list("reported_at", "b")
            .order_by("reported_at")
        )
        assert got == expected, interval
        assert all(isinstance(b, datetime.date) for _t, b in got)
    monday = WorkOrder.objects.annotate(b=TimeBucket("reported_at", "week", tz)).filter(
        reported_at=instants[0]
    )
    assert monday.values_list("b", flat=True).get() == datetime.date(2024, 3, 25)


def test_summary_percentiles_walk_from_the_nearer_end(cast):
    """The summary's index walks (with no date range) and the aggregate (with one) agree with the
    reference, for sizes where the p90 is taken from the top."""
    rng = random.Random(11)
    rows = [
        {
            "response_seconds": rng.randrange(60, 3600),
            "arrival_seconds": rng.randrange(300, 7200) if rng.random() < 0.6 else None,
            "completion_seconds": rng.randrange(600, 86400) if rng.random() < 0.8 else None,
        }
        for _ in range(57)
    ]
    bulk_orders(cast.project_a, rows)
    whole = reports.kpi_queryset(cast.manager_a)
    today = timezone.localdate()
    period = reports.kpi_queryset(cast.manager_a, start=today - datetime.timedelta(days=1), end=today)
    for qs in (whole, period):
        n, result = count_queries(lambda qs=qs: reports.kpis(qs))
        assert n == 2
        for m in reports.METRICS:
            for p in (50, 90):
                expected = nearest_rank([r[m] for r in rows], p)
                assert result[0][f"{m}_p{p}"] == round(expected / 60, 1), (m, p)


def test_breakdowns_group_by_an_unordered_column(cast):
    team = make_team(cast.project_a)
    water = bulk_orders(cast.project_a, [{"response_seconds": 60, "kind": "complaint", "team": team}] * 2)
    bulk_orders(cast.project_a, [{"response_seconds": 120, "kind": "repair"}])
    qs = reports.kpi_queryset(cast.manager_a)
    by_kind = {r["key"]: r for r in reports.kpis(qs, dimension="kind")}
    assert by_kind["complaint"]["total"] == 2 and by_kind["repair"]["response_seconds_p50"] == 2.0
    by_team = {r["key"]: r for r in reports.kpis(qs, dimension="team")}
    assert by_team[team.pk]["total"] == 2 and by_team[None]["total"] == 1
    by_category = {r["key"]: r["total"] for r in reports.kpis(qs, dimension="category")}
    assert by_category[water.pk] == 2
    sql = str(WorkOrder.objects.annotate(g=Unordered("team")).values("g").query)
    assert '"team_id"' in sql and sql.count("team_id") == 1


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's planner; PostgreSQL costs heap reads itself"
)
def test_sqlite_breakdowns_read_only_the_covering_index(cast):
    """Grouped by a plain column, SQLite walks that column's foreign-key index for its order (or
    the (project, kpi_class) index) and reads every table row; the KPI queries must not."""
    from django.test.utils import CaptureQueriesContext

    bulk_orders(cast.project_a, [{"response_seconds": 60}])
    today = timezone.localdate()
    for qs in (
        reports.kpi_queryset(cast.manager_a, project=cast.project_a),
        reports.kpi_queryset(cast.manager_a, project=cast.project_a, start=today, end=today),
    ):
        for dimension, interval in (
            ("category", None),
            ("team", None),
            ("assignee", None),
            ("kind", None),
        ) + (
            (None, "week"),
            (None, "month"),
        ):
            with CaptureQueriesContext(connection) as ctx:
                reports.kpis(qs, dimension=dimension or "none", interval=interval)
            for query in ctx.captured_queries[:2]:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                    plan = [row[3] for row in cursor.fetchall()]
                reads = [step for step in plan if "service_workorder" in step]
                assert reads and all("USING COVERING INDEX" in step for step in reads), (
                    dimension,
                    interval,
                    plan,
                )


def test_kpi_page_and_api_cost_the_same_queries_with_more_groups(cast, client_for, api_for):
    """More categories, teams, people and months: the same number of queries."""
    from wuye.accounts.models import User

    users = [User.objects.create(username=f"kpi-grow-{seq()}")]
    bulk_orders(
        cast.project_a, [{"response_seconds": 60, "team": make_team(cast.project_a), "assignee": users[0]}]
    )
    client, api = client_for(cast.manager_a), api_for(cast.manager_a)

    def grow():
        now = timezone.now()
        for i in range(3):
            users.append(User.objects.create(username=f"kpi-grow-{seq()}"))
            bulk_orders(
                cast.project_a,
                [
                    {
                        "response_seconds": 60 * i,
                        "team": make_team(cast.project_a),
                        "assignee": users[-1],
                        "reported_at": now - datetime.timedelta(days=35 * i),
                    }
                ],
            )

    for label, fetch in (
        (
            "page by person, per month",
            lambda: client.get(reverse("service:kpis"), {"by": "assignee", "interval": "month"}),
        ),
        (
            "page by team, per day",
            lambda: client.get(reverse("service:kpis"), {"by": "team", "interval": "day"}),
        ),
        ("API by category", lambda: api.get("/api/v1/service/kpis/", {"by": "category"})),
        ("API per week", lambda: api.get("/api/v1/service/kpis/", {"interval": "week"})),
    ):
        assert_constant_queries(fetch, grow, label=label)
