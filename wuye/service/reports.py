"""Service KPIs as single aggregation queries, on SQLite and PostgreSQL alike.

Durations are stored on the order in seconds when each step happens (paused time left out), so
every figure is one ``GROUP BY`` over the work-order table. Medians and 90th percentiles use
window functions (``ROW_NUMBER() OVER (PARTITION BY group ORDER BY value)``), which both databases
have: the nearest-rank percentile p of n values is the smallest value whose rank r has
``100 r >= p n``.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Count, F, Value
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.service.choices import WorkOrderKindChoices
from wuye.service.models import WorkOrder

METRICS = ("response_seconds", "arrival_seconds", "completion_seconds")

DIMENSIONS = {
    "none": (_("All"), None),
    "project": (_("Project"), "project_id"),
    "category": (_("Category"), "category_id"),
    "team": (_("Team"), "team_id"),
    "assignee": (_("Person"), "assignee_id"),
    "kind": (_("Kind"), "kind"),
}

INTERVALS = {"day": (_("Day"), TruncDay), "week": (_("Week"), TruncWeek), "month": (_("Month"), TruncMonth)}


def kpi_queryset(user, *, project=None, start: datetime.date | None = None, end: datetime.date | None = None):
    """Orders the user may see KPIs of, reported in [start, end] (local dates)."""
    qs = WorkOrder.objects.restrict(user, "view_service_kpis").in_project(project)
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(reported_at__gte=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz))
    if end:
        qs = qs.filter(
            reported_at__lt=datetime.datetime.combine(
                end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
        )
    return qs.order_by()


def _group_expr(dimension: str | None = None, interval: str | None = None):
    if interval:
        return INTERVALS[interval][1]("reported_at", tzinfo=timezone.get_current_timezone())
    field = DIMENSIONS.get(dimension or "none", DIMENSIONS["none"])[1]
    return F(field) if field else Value(0)


def counts(qs, group) -> dict:
    """group value -> counts, from one ``GROUP BY group, kpi_class`` (an index-only scan); the few
    hundred (group, class) rows are folded here."""
    from wuye.service.models.orders import kpi_class_flags

    rows = qs.annotate(kpi_g=group).values("kpi_g", "kpi_class").annotate(n=Count("id")).order_by()
    out: dict = {}
    for row in rows:
        c = out.get(row["kpi_g"])
        if c is None:
            c = out[row["kpi_g"]] = dict.fromkeys(COUNT_KEYS, 0)
        f, n = kpi_class_flags(row["kpi_class"]), row["n"]
        done = f["status"] in (1, 2)
        c["total"] += n
        c["open"] += n if f["status"] == 0 else 0
        c["done"] += n if done else 0
        c["breached"] += n if f["breached"] and f["status"] != 3 else 0
        c["breached_done"] += n if f["breached"] and done else 0
        c["first_fix"] += n if done and not f["reopened"] else 0
        c["reopened"] += n if f["reopened"] else 0
        c["visit_due"] += n if f["visit_required"] and f["status"] == 2 else 0
        c["rated"] += n if f["satisfaction"] else 0
        c["satisfied"] += n if f["satisfaction"] >= 4 else 0
        c["satisfaction_sum"] += n * f["satisfaction"]
        c["complaints"] += n if f["complaint"] else 0
        c["complaints_done"] += n if f["complaint"] and done else 0
        c["complaint_repeats"] += n if f["complaint"] and f["repeat"] else 0
        c["n_response_seconds"] += n if f["has_response"] else 0
        c["n_arrival_seconds"] += n if f["has_arrival"] else 0
        c["n_completion_seconds"] += n if f["has_completion"] else 0
    for c in out.values():
        c["satisfaction"] = c["satisfaction_sum"] / c["rated"] if c["rated"] else None
    return out


COUNT_KEYS = (
    "total",
    "open",
    "done",
    "breached",
    "breached_done",
    "first_fix",
    "reopened",
    "visit_due",
    "rated",
    "satisfied",
    "satisfaction_sum",
    "complaints",
    "complaints_done",
    "complaint_repeats",
    "n_response_seconds",
    "n_arrival_seconds",
    "n_completion_seconds",
)


def percentiles(qs, group, points=(50, 90)) -> dict:
    """group value -> {"response_seconds_p50": ..., ...}: one query with window functions."""
    sql, params = qs.annotate(kpi_g=group).values("kpi_g", *METRICS).query.sql_with_params()
    q = connection.ops.quote_name
    inner, outer = [], []
    for i, m in enumerate(METRICS):
        col = f"s.{q(m)}"
        inner.append(
            f"{col} AS m{i}, ROW_NUMBER() OVER (PARTITION BY s.kpi_g, "
            f"CASE WHEN {col} IS NULL THEN 1 ELSE 0 END ORDER BY {col}) AS r{i}, "
            f"COUNT({col}) OVER (PARTITION BY s.kpi_g) AS n{i}"
        )
        for p in points:
            outer.append(f"MIN(CASE WHEN m{i} IS NOT NULL AND r{i} * 100 >= n{i} * {p} THEN m{i} END)")
    query = (
        f"SELECT kpi_g, {', '.join(outer)} FROM (SELECT s.kpi_g AS kpi_g, {', '.join(inner)} "
        f"FROM ({sql}) s) w GROUP BY kpi_g"
    )
    keys = [f"{m}_p{p}" for m in METRICS for p in points]
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    out = {}
    for row in rows:
        g = row[0]
        if (
            isinstance(g, datetime.datetime)
            and timezone.is_naive(g)
            and not connection.features.has_zoneinfo_database
        ):
            g = timezone.make_aware(g)
        out[_norm(g)] = dict(zip(keys, row[1:], strict=True))
    return out


def overall_percentiles(qs, n_by_metric: dict, points=(50, 90)) -> dict:
    """Percentiles of the whole queryset in one statement of ``ORDER BY value LIMIT 1 OFFSET k``
    subqueries; each walks an index on (project, value, reported_at), never the table."""
    import math

    parts, params, keys = [], [], []
    for m in METRICS:
        n = n_by_metric.get(m) or 0
        for p in points:
            keys.append(f"{m}_p{p}")
            if not n:
                parts.append("NULL")
                continue
            k = max(0, math.ceil(p * n / 100) - 1)
            sub = qs.filter(**{f"{m}__isnull": False}).order_by(m).values_list(m, flat=True)[k : k + 1]
            sql, sub_params = sub.query.sql_with_params()
            parts.append(f"({sql})")
            params.extend(sub_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return dict(zip(keys, row, strict=True))


def _norm(value):
    """Group keys from raw SQL and the ORM agree (dates come back as str from SQLite raw SQL)."""
    if isinstance(value, datetime.datetime):
        return value.date() if value.tzinfo is None else timezone.localtime(value).date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-":
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value


def _rate(num, den):
    return round(100 * num / den, 1) if den else None


def kpis(qs, *, dimension: str = "none", interval: str | None = None) -> list[dict]:
    """Rows of KPIs per group (a dimension, or a time bucket when ``interval`` is given)."""
    group = _group_expr(dimension, interval)
    base = counts(qs, group)
    if not interval and (dimension or "none") == "none":
        row = next(iter(base.values()), None)
        pct = {}
        if row and row["total"]:
            pct = {0: overall_percentiles(qs, {m: row[f"n_{m}"] for m in METRICS})}
    else:
        pct = percentiles(qs, group)
    rows = []
    for key, c in base.items():
        if not c["total"]:
            continue  # an aggregate over no rows (the "all" group of an empty period)
        nkey = _norm(key)
        p = pct.get(nkey) or pct.get(key) or {}
        finished = c["done"] + (c["breached"] - c["breached_done"])
        rows.append(
            {
                "key": nkey,
                "total": c["total"],
                "open": c["open"],
                "done": c["done"],
                **{k: (round(v / 60, 1) if v is not None else None) for k, v in p.items()},  # minutes
                "sla_compliance": _rate(c["done"] - c["breached_done"], finished),
                "first_time_fix": _rate(c["first_fix"], c["done"]),
                "reopen_rate": _rate(c["reopened"], c["done"]),
                "return_visit_rate": _rate(c["rated"], c["visit_due"]) if c["visit_due"] else None,
                "satisfaction": round(c["satisfaction"], 2) if c["satisfaction"] is not None else None,
                "satisfied_rate": _rate(c["satisfied"], c["rated"]),
                "complaints": c["complaints"],
                "complaint_resolution": _rate(c["complaints_done"], c["complaints"]),
                "complaint_repeats": c["complaint_repeats"],
            }
        )
    _label(rows, dimension if not interval else None)
    return rows


def _label(rows, dimension):
    """Names for the group ids (one query per dimension)."""
    from wuye.accounts.models import User
    from wuye.estate.models import Project
    from wuye.service.models import Category, Team

    models = {"project": Project, "category": Category, "team": Team, "assignee": User}
    if dimension in models:
        ids = [r["key"] for r in rows if r["key"] is not None]
        names = {o.pk: str(o) for o in models[dimension].objects.filter(pk__in=ids)}
        for r in rows:
            r["label"] = names.get(r["key"], "—")
    elif dimension == "kind":
        for r in rows:
            r["label"] = (
                str(WorkOrderKindChoices(r["key"]).label) if r["key"] in WorkOrderKindChoices.values else "—"
            )
    elif dimension == "none":
        for r in rows:
            r["label"] = str(_("All"))
    else:
        for r in rows:
            r["label"] = r["key"].isoformat() if hasattr(r["key"], "isoformat") else str(r["key"])


COLUMNS = [
    ("label", ""),
    ("total", _("Orders")),
    ("open", _("Open")),
    ("done", _("Done")),
    ("response_seconds_p50", _("Response median (min)")),
    ("response_seconds_p90", _("Response p90 (min)")),
    ("arrival_seconds_p50", _("Arrival median (min)")),
    ("arrival_seconds_p90", _("Arrival p90 (min)")),
    ("completion_seconds_p50", _("Completion median (min)")),
    ("completion_seconds_p90", _("Completion p90 (min)")),
    ("sla_compliance", _("SLA compliance %")),
    ("first_time_fix", _("First-time fix %")),
    ("reopen_rate", _("Reopen rate %")),
    ("return_visit_rate", _("Return visits %")),
    ("satisfaction", _("Satisfaction (1-5)")),
    ("satisfied_rate", _("Satisfied %")),
    ("complaints", _("Complaints")),
    ("complaint_resolution", _("Complaints resolved %")),
    ("complaint_repeats", _("Repeat complaints")),
]


def to_xlsx(rows, group_label) -> bytes:
    from wuye.core.export import rows_to_xlsx

    header = [str(group_label)] + [str(label) for key, label in COLUMNS[1:]]
    data = [[r.get(key) for key, _label in COLUMNS] for r in rows]
    return rows_to_xlsx([header, *data], title="KPI")
