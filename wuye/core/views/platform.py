"""Platform pages: home, global search, project switcher, health, jobs, audit, approvals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from wuye.core import approvals
from wuye.core.auditing import logentries_for
from wuye.core.htmx import is_htmx
from wuye.core.middleware import SESSION_KEY, load_project
from wuye.core.models import ApprovalRequest, ApprovalStatus, AuditEvent, Job
from wuye.core.pagination import BoundedCountPaginator
from wuye.core.scoping import has_any_scope
from wuye.core.search import search_all


@never_cache
def healthz(request):
    """For monitors: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # pragma: no cover - exercised by stopping the database
        return JsonResponse({"status": "error", "database": str(exc)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request):
    from wuye.core.dashboard import widgets_for

    context = {
        "title": _("Home"),
        "widgets": widgets_for(request),
        "my_jobs": Job.objects.restrict(request.user, "view").filter(created_by=request.user)[:5]
        if has_any_scope(request.user, "core.view_job")
        else [],
        "pending_approvals": approvals.pending_for(
            request.user, ApprovalRequest.objects.restrict(request.user, "view")
        )[:5]
        if has_any_scope(request.user, "core.view_approvalrequest")
        else [],
    }
    return render(request, "core/home.html", context)


@login_required
def search(request):
    term = request.GET.get("q", "").strip()
    groups = search_all(request.user, getattr(request, "project", None), term)
    context = {"title": _("Search"), "term": term, "groups": groups, "breadcrumbs": [(_("Search"), "")]}
    if is_htmx(request):
        return render(request, "core/htmx/search_results.html", context)
    return render(request, "core/search.html", context)


@login_required
@require_POST
def switch_project(request):
    value = request.POST.get("project", "")
    if value in ("", "all"):
        request.session.pop(SESSION_KEY, None)
    else:
        project = load_project(request.user, value if value.isdigit() else None)
        if project is None:
            raise Http404
        request.session[SESSION_KEY] = project.pk
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


def _require(request, perm):
    if not has_any_scope(request.user, perm):
        raise PermissionDenied


@login_required
def job_list(request):
    _require(request, "core.view_job")
    qs = (
        Job.objects.restrict(request.user, "view")
        .in_project(request.project)
        .select_related("project", "created_by")
    )
    if request.GET.get("mine"):
        qs = qs.filter(created_by=request.user)
    page = BoundedCountPaginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "core/job_list.html",
        {"title": _("Jobs"), "page": page, "breadcrumbs": [(_("Jobs"), "")]},
    )


@login_required
def job_detail(request, pk):
    _require(request, "core.view_job")
    job = get_object_or_404(
        Job.objects.restrict(request.user, "view").select_related("project", "created_by"), pk=pk
    )
    context = {"title": job.name, "job": job, "breadcrumbs": [(_("Jobs"), "/jobs/"), (job.name, "")]}
    if is_htmx(request):
        return render(request, "core/htmx/job_progress.html", context)
    return render(request, "core/job_detail.html", context)


@login_required
def job_download(request, pk):
    _require(request, "core.view_job")
    job = get_object_or_404(Job.objects.restrict(request.user, "view"), pk=pk)
    if not job.output:
        raise Http404
    return FileResponse(
        job.output.open("rb"), as_attachment=True, filename=job.output.name.rsplit("/", 1)[-1]
    )


@login_required
def audit_list(request):
    _require(request, "core.view_auditevent")
    tab = request.GET.get("tab", "events")
    if tab == "changes":
        qs = logentries_for(request.user)
        if request.project is not None:
            qs = qs.filter(additional_data__project_id=request.project.pk)
        if request.GET.get("q"):
            qs = qs.filter(object_repr__icontains=request.GET["q"])
    else:
        qs = (
            AuditEvent.objects.restrict(request.user, "view")
            .in_project(request.project)
            .select_related("actor", "project")
        )
        if request.GET.get("q"):
            qs = qs.filter(object_repr__icontains=request.GET["q"]) | qs.filter(
                action__icontains=request.GET["q"]
            )
    page = BoundedCountPaginator(qs, 50).get_page(request.GET.get("page"))  # the trail only grows
    return render(
        request,
        "core/audit_list.html",
        {
            "title": _("Audit trail"),
            "tab": tab,
            "page": page,
            "q": request.GET.get("q", ""),
            "breadcrumbs": [(_("Audit trail"), "")],
        },
    )


@login_required
def approval_list(request):
    _require(request, "core.view_approvalrequest")
    qs = (
        ApprovalRequest.objects.restrict(request.user, "view")
        .in_project(request.project)
        .select_related("project", "created_by")
    )
    status = request.GET.get("status", "pending")
    if status in ApprovalStatus.values:
        qs = qs.filter(status=status)
    rows = [
        (r, approvals.can_decide(r, request.user))
        for r in Paginator(qs, 25).get_page(request.GET.get("page"))
    ]
    return render(
        request,
        "core/approval_list.html",
        {
            "title": _("Approvals"),
            "rows": rows,
            "status": status,
            "statuses": ApprovalStatus.choices,
            "breadcrumbs": [(_("Approvals"), "")],
        },
    )


@login_required
def approval_detail(request, pk):
    _require(request, "core.view_approvalrequest")
    req = get_object_or_404(ApprovalRequest.objects.restrict(request.user, "view"), pk=pk)
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision in ("approve", "reject"):
                approvals.do_decide_approval(
                    actor=request.user,
                    request=req,
                    approve=decision == "approve",
                    comment=request.POST.get("comment", ""),
                )
                messages.success(request, _("Decision recorded."))
            elif decision == "cancel":
                approvals.do_cancel_approval(
                    actor=request.user, request=req, comment=request.POST.get("comment", "")
                )
                messages.success(request, _("Request cancelled."))
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        return redirect("core:approval_detail", pk=req.pk)
    context = {
        "title": req.title,
        "req": req,
        "events": req.events.select_related("actor"),
        "can_decide": approvals.can_decide(req, request.user),
        "can_cancel": req.status == ApprovalStatus.PENDING and req.created_by_id == request.user.pk,
        "breadcrumbs": [(_("Approvals"), "/approvals/"), (req.title, "")],
    }
    return render(request, "core/approval_detail.html", context)


# The route-walking isolation test reads these to create another project's object for each URL.
job_detail.scoped_model = Job
job_download.scoped_model = Job
approval_detail.scoped_model = ApprovalRequest
