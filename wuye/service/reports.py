"""Service KPIs as single aggregation queries, on SQLite and PostgreSQL alike.

Durations are stored on the order in seconds when each step happens (paused time left out), and the
order's KPI flags are packed in ``kpi_class``, so every figure is a ``GROUP BY`` over the work-order
table that reads an index, never the wide table rows. A breakdown (by category, team, person, kind,
project, or day/week/month) is three queries: the counts per (group, kpi_class), the medians and
90th percentiles per group (``PercentileDisc``: PostgreSQL's ordered-set aggregate
``percentile_disc``, a registered SQL function on SQLite), the group names; both aggregations read
the covering index ``service_wo_kpi_cover`` (the group is ``Unordered`` so that no planner prefers a
foreign key's index for its order). The summary is two: the counts per kpi_class in the order of
the index on (project, kpi_class), and each percentile read off an index on (project, value).
The nearest-rank percentile p of n values is the smallest value whose rank r has ``100 r >= p n``.
"""

from __future__ import annotations

import datetime
import functools

from django.db import connection
from django.db.models import Count, F, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.service.aggregates import PercentileDisc, TimeBucket, Unordered, release_sqlite_cache
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

INTERVALS = {"day": (_("Day"),), "week": (_("Week"),), "month": (_("Month"),)}


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
        return TimeBucket("reported_at", interval, timezone.get_current_timezone())
    field = DIMENSIONS.get(dimension or "none", DIMENSIONS["none"])[1]
    return Unordered(F(field)) if field else Value(0)


def counts(qs, group) -> dict:
    """group value -> counts, from one ``GROUP BY group, kpi_class`` (an index-only scan); the
    (group, class) rows, a few per class and group, are folded here."""
    if isinstance(group, Value):  # the summary: in the order of the index on (project, kpi_class)
        rows = qs.annotate(kpi_g=group, kpi_c=F("kpi_class"))
    else:  # a breakdown: the covering index, not an index that has kpi_class first
        rows = qs.annotate(kpi_g=group, kpi_c=Unordered(F("kpi_class")))
    rows = rows.values_list("kpi_g", "kpi_c").annotate(n=Count("*")).order_by()
    sums: dict = {}
    for g, kpi_class, n in rows:
        c = sums.get(g)
        if c is None:
            c = sums[g] = [0] * len(COUNT_KEYS)
        for i, weight in _class_counts(kpi_class):
            c[i] += n * weight
    out = {}
    for g, values in sums.items():
        c = out[g] = dict(zip(COUNT_KEYS, values, strict=True))
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


@functools.cache  # kpi_class has 13 bits: at most 8,192 entries
def _class_counts(kpi_class: int) -> tuple[tuple[int, int], ...]:
    """(COUNT_KEYS index, weight) of every count an order of this KPI class adds to."""
    from wuye.service.models.orders import kpi_class_flags

    f = kpi_class_flags(kpi_class)
    done = f["status"] in (1, 2)
    weights = {
        "total": 1,
        "open": f["status"] == 0,
        "done": done,
        "breached": f["breached"] and f["status"] != 3,
        "breached_done": f["breached"] and done,
        "first_fix": done and not f["reopened"],
        "reopened": f["reopened"],
        "visit_due": f["visit_required"] and f["status"] == 2,
        "rated": bool(f["satisfaction"]),
        "satisfied": f["satisfaction"] >= 4,
        "satisfaction_sum": f["satisfaction"],
        "complaints": f["complaint"],
        "complaints_done": f["complaint"] and done,
        "complaint_repeats": f["complaint"] and f["repeat"],
        "n_response_seconds": f["has_response"],
        "n_arrival_seconds": f["has_arrival"],
        "n_completion_seconds": f["has_completion"],
    }
    return tuple((i, int(weights[key])) for i, key in enumerate(COUNT_KEYS) if weights[key])


def percentiles(qs, group, points=(50, 90)) -> dict:
    """group value -> {"response_seconds_p50": ..., ...}: one ``GROUP BY group`` query."""
    aggregates = {f"{m}_p{p}": PercentileDisc(m, p) for m in METRICS for p in points}
    rows = qs.annotate(kpi_g=group).values("kpi_g").annotate(**aggregates).order_by()
    out = {_norm(row.pop("kpi_g")): row for row in rows}
    release_sqlite_cache()
    return out


def overall_percentiles(qs, n_by_metric: dict, points=(50, 90)) -> dict:
    """Percentiles of the whole queryset in one statement of ``ORDER BY value LIMIT 1 OFFSET k``
    subqueries; each walks an index on (project, value, reported_at), never the table, from the
    nearer end (the p90 is the 10th percentile from the top: a ninth of the walk)."""
    parts, params, keys = [], [], []
    for m in METRICS:
        n = n_by_metric.get(m) or 0
        for p in points:
            keys.append(f"{m}_p{p}")
            if not n:
                parts.append("NULL")
                continue
            k = max(1, -(-p * n // 100)) - 1  # 0-based rank from the bottom
            ordered = qs.filter(**{f"{m}__isnull": False}).values_list(m, flat=True)
            if k <= n - 1 - k:
                sub = ordered.order_by(m)[k : k + 1]
            else:
                sub = ordered.order_by(f"-{m}")[n - 1 - k : n - k]
            sql, sub_params = sub.query.sql_with_params()
            parts.append(f"({sql})")
            params.extend(sub_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return dict(zip(keys, row, strict=True))


def _filters_on(where, field: str) -> bool:
    """Whether a query's WHERE tree has a condition on the field (e.g. a date range)."""
    for child in where.children:
        if hasattr(child, "children"):
            if _filters_on(child, field):
                return True
        elif getattr(getattr(getattr(child, "lhs", None), "target", None), "name", None) == field:
            return True
    return False


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
        if row and row["total"] and not _filters_on(qs.query.where, "reported_at"):
            pct = {0: overall_percentiles(qs, {m: row[f"n_{m}"] for m in METRICS})}
        elif row and row["total"]:  # a period: the index walks would sort it six times over
            pct = percentiles(qs, group)
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
