"""Pages of the importer: choose an import, upload, map columns, check, import, watch the job.

Every batch is read through ``visible_batches(user)`` (the import's permissions in the batch's
project): another project's batch answers 404 for every method.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from wuye.core.importing import services
from wuye.core.importing.access import may_import, specs_for, visible_batches
from wuye.core.importing.forms import MappingForm, UploadForm
from wuye.core.importing.models import ImportBatch, ImportStatus
from wuye.core.importing.reading import ReadError
from wuye.core.importing.spec import get_spec
from wuye.core.importing.workbooks import template_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEMS_PER_PAGE = 200


def _crumbs(*extra):
    return [(_("Imports"), "/imports/"), *extra]


def _spec_from_query(request):
    spec = get_spec(request.GET.get("kind", ""))
    if spec is None:
        raise Http404
    if not may_import(request.user, spec):
        raise PermissionDenied
    return spec


def _batch(request, pk) -> ImportBatch:
    return get_object_or_404(visible_batches(request.user).select_related("project", "created_by"), pk=pk)


@login_required
def index(request):
    specs = specs_for(request.user)
    batches = (
        visible_batches(request.user).in_project(request.project).select_related("project", "created_by")
    )
    page = Paginator(batches, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "importing/index.html",
        {"title": _("Import from Excel"), "specs": specs, "page": page, "breadcrumbs": [(_("Imports"), "")]},
    )


@login_required
def template_download(request):
    spec = _spec_from_query(request)
    response = HttpResponse(template_workbook(spec), content_type=XLSX)
    response["Content-Disposition"] = _attachment(spec.template_filename)
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"import.xlsx\"; filename*=UTF-8''{quote(filename)}"


@login_required
def new(request):
    if not request.GET.get("kind"):
        return redirect("importing:index")
    spec = _spec_from_query(request)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        spec=spec,
        current_project=getattr(request, "project", None),
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.do_upload(
                actor=request.user,
                kind=spec.kind,
                project=form.cleaned_data["project"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect(batch.get_absolute_url())
    context = {
        "title": _("Import: %(name)s") % {"name": spec.label},
        "spec": spec,
        "form": form,
        "breadcrumbs": _crumbs((spec.label, "")),
    }
    return render(request, "importing/new.html", context)


@login_required
def batch_detail(request, pk):
    batch = _batch(request, pk)
    spec = get_spec(batch.kind)
    form = None
    if batch.status == ImportStatus.MAPPING:
        form = MappingForm(request.POST or None, batch=batch, spec=spec)
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This import is busy or finished."))
            return redirect(batch.get_absolute_url())
        if form.is_valid():
            sheet = form.cleaned_data["sheet"] or batch.sheet
            header_row = form.cleaned_data["header_row"]
            if (
                request.POST.get("action") == "redetect"
                or sheet != batch.sheet
                or header_row != batch.header_row
            ):
                try:
                    services.detect(
                        batch, sheet=sheet, header_row=header_row if sheet == batch.sheet else None
                    )
                except ReadError as exc:
                    messages.error(request, str(exc))
                else:
                    batch.save()
                    messages.info(request, _("The columns were read again; check the matching below."))
                return redirect(batch.get_absolute_url())
            try:
                services.do_set_mapping(actor=request.user, batch=batch, mapping=form.mapping())
                services.do_start_check(actor=request.user, batch=batch)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                return redirect(batch.get_absolute_url())
    return render(request, "importing/batch.html", _batch_context(request, batch, spec, form))


def _batch_context(request, batch, spec, form):
    counts = [(label, batch.counts.get(key, 0)) for key, label in spec.count_labels.items()]
    problems = Paginator(batch.problems or [], PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    job = batch.commit_job if batch.status in (ImportStatus.IMPORTING, ImportStatus.DONE) else batch.check_job
    if batch.status == ImportStatus.FAILED:
        job = batch.commit_job or batch.check_job
    report_job = _report_job(batch)
    mapped = {
        name: batch.headers[i] if i < len(batch.headers) else "" for i, name in batch.column_mapping.items()
    }
    return {
        "title": batch.original_name,
        "batch": batch,
        "spec": spec,
        "form": form,
        "counts": counts,
        "problems": problems,
        "job": job,
        "report_job": report_job,
        "mapped": [(spec.field(n).label, h) for n, h in mapped.items() if n in spec.field_names()],
        "required": [f.label for f in spec.fields if f.required]
        + [
            _(" or ").join(" + ".join(str(spec.field(n).label) for n in group) for group in groups)
            for groups in spec.required_groups
        ],
        "breadcrumbs": _crumbs((batch.original_name, "")),
    }


def _report_job(batch):
    for job in (batch.commit_job, batch.check_job):
        if job is not None and job.output and batch.problem_count:
            return job
    return None


@login_required
def batch_status(request, pk):
    """Polled while a batch is being checked or imported; reloads the page when it is done."""
    batch = _batch(request, pk)
    if not batch.is_busy:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    job = batch.commit_job if batch.status == ImportStatus.IMPORTING else batch.check_job
    return render(request, "importing/htmx/status.html", {"batch": batch, "job": job})


@login_required
def batch_commit(request, pk):
    batch = _batch(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.do_start_commit(actor=request.user, batch=batch)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(batch.get_absolute_url())


@login_required
def batch_remap(request, pk):
    batch = _batch(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.do_back_to_mapping(actor=request.user, batch=batch)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(batch.get_absolute_url())


@login_required
def batch_report(request, pk):
    batch = _batch(request, pk)
    job = _report_job(batch)
    if job is None:
        raise Http404
    response = FileResponse(job.output.open("rb"), content_type=XLSX)
    response["Content-Disposition"] = _attachment(services.report_filename(batch))
    return response


# The route walker reads these to make another project's batch for each URL.
for _view in (index, batch_detail, batch_status, batch_commit, batch_remap, batch_report):
    _view.scoped_model = ImportBatch
