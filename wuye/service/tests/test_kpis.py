"""KPI figures: medians, p90, rates, per group and per period; the API."""

from __future__ import annotations

import datetime

from django.utils import timezone

from wuye.core.testing.queries import count_queries
from wuye.service import reports
from wuye.service.models import WorkOrder
from wuye.service.tests.factories import make_category, make_order, make_team


def test_percentiles_and_rates(cast):
    team = make_team(cast.project_a)
    water, doors = make_category(cast.project_a, name="水"), make_category(cast.project_a, name="门")
    for _i in range(1, 11):  # response 1..10 minutes, water; completion 10..100 min
        make_order(cast.project_a, category=water, team=team)
    for _ in range(2):
        make_order(cast.project_a, category=doors, kind="complaint")
    water_orders = list(WorkOrder.objects.filter(category=water).order_by("pk"))
    for i, o in enumerate(water_orders, start=1):
        WorkOrder.objects.filter(pk=o.pk).update(
            status="closed",
            response_seconds=60 * i,
            completion_seconds=600 * i,
            arrival_seconds=None,
            reopen_count=1 if i == 10 else 0,
            sla_breached=i in (9, 10),
            satisfaction=5 if i <= 8 else 2,
            return_visit_required=True,
            visited_at=timezone.now(),
        )
    complaint = WorkOrder.objects.filter(category=doors).first()
    WorkOrder.objects.filter(pk=complaint.pk).update(status="completed", is_repeat=True)
    for o in WorkOrder.objects.all():  # the updates above skipped save(): refresh the KPI class
        o.save()

    qs = reports.kpi_queryset(cast.manager_a)
    n, rows = count_queries(lambda: reports.kpis(qs))
    assert n == 2  # one aggregation, one percentile query
    all_ = rows[0]
    assert all_["total"] == 12 and all_["done"] == 11
    assert (
        all_["response_seconds_p50"] == 5.0 and all_["response_seconds_p90"] == 9.0
    )  # minutes, nearest rank
    assert all_["completion_seconds_p90"] == 90.0
    assert all_["arrival_seconds_p50"] is None
    assert all_["sla_compliance"] == round(100 * 9 / 11, 1)
    assert all_["first_time_fix"] == round(100 * 10 / 11, 1)
    assert all_["satisfied_rate"] == 80.0 and all_["satisfaction"] == 4.4
    assert all_["complaints"] == 2 and all_["complaint_resolution"] == 50.0 and all_["complaint_repeats"] == 1

    by_category = {r["label"]: r for r in reports.kpis(qs, dimension="category")}
    assert by_category["水"]["total"] == 10 and by_category["门"]["total"] == 2
    assert by_category["水"]["response_seconds_p50"] == 5.0
    by_team = {r["label"]: r for r in reports.kpis(qs, dimension="team")}
    assert by_team[team.name]["total"] == 10

    series = reports.kpis(qs, interval="month")
    assert len(series) == 1 and series[0]["total"] == 12
    assert series[0]["response_seconds_p50"] == 5.0  # buckets of the two queries line up


def test_kpis_are_scoped_and_filtered_by_date(cast):
    make_order(cast.project_a)
    make_order(cast.project_b)
    assert reports.kpis(reports.kpi_queryset(cast.manager_a))[0]["total"] == 1
    assert reports.kpis(reports.kpi_queryset(cast.ops_admin))[0]["total"] == 2
    future = timezone.localdate() + datetime.timedelta(days=2)
    assert reports.kpis(reports.kpi_queryset(cast.ops_admin, start=future)) == []
    assert reports.kpi_queryset(cast.cashier_a).count() == 0


def test_kpi_api(cast, api_for):
    make_order(cast.project_a)
    response = api_for(cast.manager_a).get("/api/v1/service/kpis/", {"by": "kind"})
    assert response.status_code == 200 and response.json()[0]["total"] == 1
    response = api_for(cast.manager_a).get("/api/v1/service/kpis/", {"interval": "week"})
    assert response.status_code == 200 and isinstance(response.json()[0]["key"], str)
    assert api_for(cast.cashier_a).get("/api/v1/service/kpis/").status_code == 403
    assert api_for(None).get("/api/v1/service/kpis/").status_code == 401
