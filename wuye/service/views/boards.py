"""Working screens: the engineer's task list, the team board, the hotline lookup, the KPIs."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core.scoping import has_any_scope
from wuye.service import forms, reports
from wuye.service.choices import OPEN_STATUSES, DispatchModeChoices, PriorityChoices
from wuye.service.choices import WorkOrderStatusChoices as S
from wuye.service.models import SlaClock, Team, WorkOrder
from wuye.service.views.orders import clock_rows

CARD_RELATED = ("project", "category", "unit", "building", "team", "assignee")


def _require(request, perm):
    if not has_any_scope(request.user, perm):
        raise PermissionDenied


def _with_clocks(qs):
    return qs.select_related(*CARD_RELATED).prefetch_related(
        Prefetch("clocks", queryset=SlaClock.objects.order_by("due_at"))
    )


def _cards(orders, now):
    out = []
    for o in orders:
        rows = clock_rows(o, o.clocks.all(), now)
        running = [r for r in rows if r["state"] in ("running", "warning", "overdue", "paused")]
        out.append({"order": o, "clock": running[0] if running else None})
    return out


@login_required
def my_tasks(request):
    """The engineer's phone screen: my open orders with one-tap steps, and the pools I can grab from."""
    _require(request, "service.view_workorder")
    now = timezone.now()
    visible = WorkOrder.objects.restrict(request.user, "view")
    mine = _with_clocks(visible.filter(assignee=request.user, status__in=OPEN_STATUSES)).order_by(
        "status", "reported_at"
    )
    my_teams = Team.objects.restrict(request.user, "view").filter(members=request.user, is_active=True)
    pool = _with_clocks(
        visible.filter(status=S.NEW, team__in=my_teams, team__dispatch_mode=DispatchModeChoices.POOL)
    ).order_by("reported_at")[:30]
    context = {
        "title": _("My tasks"),
        "cards": _cards(mine, now),
        "pool": _cards(pool, now),
        "pause_form": forms.PauseForm(),
        "complete_form": forms.CompleteForm(),
        "breadcrumbs": [(_("My tasks"), "")],
    }
    return render(request, "service/my_tasks.html", context)


BOARD_COLUMNS = [S.NEW, S.ASSIGNED, S.ACCEPTED, S.ON_SITE, S.IN_PROGRESS, S.PAUSED, S.COMPLETED]


@login_required
def board(request):
    """A kanban board of the team's orders by status (completed ones of the last 3 days)."""
    _require(request, "service.view_workorder")
    now = timezone.now()
    teams = Team.objects.restrict(request.user, "view").in_project(request.project).filter(is_active=True)
    qs = WorkOrder.objects.restrict(request.user, "view").in_project(request.project)
    team_id = request.GET.get("team", "")
    if team_id.isdigit():
        qs = qs.filter(team_id=int(team_id))
    qs = qs.filter(
        Q(status__in=BOARD_COLUMNS[:-1])
        | Q(status=S.COMPLETED, completed_at__gte=now - datetime.timedelta(days=3))
    )
    orders = list(_with_clocks(qs).order_by("reported_at")[:400])
    cards = _cards(orders, now)
    columns = [
        {"status": s, "label": S(s).label, "cards": [c for c in cards if c["order"].status == s]}
        for s in BOARD_COLUMNS
    ]
    return render(
        request,
        "service/board.html",
        {
            "title": _("Team board"),
            "columns": columns,
            "teams": teams,
            "team_id": team_id,
            "breadcrumbs": [(_("Team board"), "")],
        },
    )


@login_required
def lookup(request):
    """Hotline search as you type: units by code, people by name, initials or phone tail."""
    from wuye.estate.models import Unit, compact_code
    from wuye.residents.models import Occupancy, Ownership, Person

    term = request.GET.get("q", "").strip()
    context = {"term": term, "units": [], "people": []}
    if len(term) >= 2:
        project = request.project
        units = Unit.objects.restrict(request.user, "view").in_project(project)
        code = compact_code(term)
        context["units"] = (
            list(units.filter(search_code__contains=code).select_related("project")[:8]) if code else []
        )
        people = Person.objects.restrict(request.user, "view").in_project(project)
        digits = "".join(ch for ch in term if ch.isdigit())
        q = Q(name__icontains=term) | Q(name_initials__startswith=term.lower())
        if len(digits) >= 4 and digits == term:
            q |= Q(phone_tail=digits[-4:])
        found = list(people.filter(q).select_related("project")[:8])
        today = timezone.localdate()
        current = Q(end_date__isnull=True) | Q(end_date__gte=today)
        units_of = {}
        for row in (
            Ownership.objects.restrict(request.user, "view")
            .filter(current, person__in=found)
            .select_related("unit")
        ):
            units_of.setdefault(row.person_id, []).append(row.unit)
        for row in (
            Occupancy.objects.restrict(request.user, "view")
            .filter(current, person__in=found)
            .select_related("unit")
        ):
            units_of.setdefault(row.person_id, []).append(row.unit)
        context["people"] = [{"person": p, "units": units_of.get(p.pk, [])} for p in found]
    return render(request, "service/includes/lookup_results.html", context)


@login_required
def history(request):
    """The open and recent orders of a unit or person, shown next to the intake form."""
    qs = WorkOrder.objects.restrict(request.user, "view").select_related("category", "assignee")
    unit, person = request.GET.get("unit", ""), request.GET.get("reporter", "")
    if unit.isdigit():
        qs = qs.filter(unit_id=int(unit))
    elif person.isdigit():
        qs = qs.filter(reporter_id=int(person))
    else:
        return HttpResponse("")
    orders = list(qs.order_by("-reported_at")[:10])
    return render(
        request, "service/includes/order_history.html", {"orders": orders, "open_statuses": OPEN_STATUSES}
    )


def _parse_date(value, default):
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
def kpis(request):
    _require(request, "service.view_service_kpis")
    today = timezone.localdate()
    start = _parse_date(request.GET.get("start"), today - datetime.timedelta(days=89))
    end = _parse_date(request.GET.get("end"), today)
    dimension = request.GET.get("by", "category")
    if dimension not in reports.DIMENSIONS:
        dimension = "category"
    interval = request.GET.get("interval", "week")
    if interval not in reports.INTERVALS:
        interval = "week"
    qs = reports.kpi_queryset(request.user, project=request.project, start=start, end=end)
    summary = reports.kpis(qs)
    by_group = reports.kpis(qs, dimension=dimension)
    series = reports.kpis(qs, interval=interval)
    series.sort(key=lambda r: str(r["key"]))
    if request.GET.get("export") == "xlsx":
        content = reports.to_xlsx(by_group, reports.DIMENSIONS[dimension][0])
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="service-kpis-{dimension}-{start}-{end}.xlsx"'
        )
        return response
    chart = {
        "labels": [r["label"] for r in series],
        "total": [r["total"] for r in series],
        "sla": [r["sla_compliance"] for r in series],
        "satisfaction": [r["satisfaction"] for r in series],
        "response_p50": [r.get("response_seconds_p50") for r in series],
        "completion_p90": [r.get("completion_seconds_p90") for r in series],
        "group_labels": [r["label"] for r in by_group],
        "group_total": [r["total"] for r in by_group],
        "group_sla": [r["sla_compliance"] for r in by_group],
    }
    return render(
        request,
        "service/kpis.html",
        {
            "title": _("Service KPIs"),
            "summary": summary[0] if summary else None,
            "rows": by_group,
            "columns": reports.COLUMNS,
            "chart": chart,
            "start": start,
            "end": end,
            "by": dimension,
            "interval": interval,
            "dimensions": [(k, v[0]) for k, v in reports.DIMENSIONS.items() if k != "none"],
            "intervals": [(k, v[0]) for k, v in reports.INTERVALS.items()],
            "breadcrumbs": [(_("Service KPIs"), "")],
        },
    )


PRIORITY_ORDER = {p: i for i, p in enumerate(PriorityChoices.values)}
