"""Billing screens: meters, meter readings, the reading entry grid and billing from readings."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from wuye.billing import filters_meters, forms_meters, tables_meters
from wuye.billing.models.meters import Meter, MeterReading, MeterReadingStatusChoices
from wuye.billing.services import meters as service
from wuye.core.scoping import ALL, user_scope
from wuye.core.views import ObjectDetailView, ObjectViews
from wuye.core.views.generic import ObjectListView, ScopedViewMixin, url_for
from wuye.estate.models import Building, Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def in_scope(qs, user, perm):
    """``qs`` (of a scoped model) narrowed to the projects where ``user`` holds ``perm``."""
    scope = user_scope(user, perm)
    if scope is ALL:
        return qs
    field = "pk" if qs.model is Project else "project_id"
    return qs.filter(**{f"{field}__in": sorted(scope)})


def import_url() -> str:
    return f"{reverse('importing:new')}?kind=meter_readings"


# -- meters ------------------------------------------------------------------------------------------
class MeterListView(ObjectListView):
    template_name = "billing/meters/object_list.html"

    def get(self, request, *args, **kwargs):
        request.meters_links = [
            (_("Enter readings"), reverse("billing:meterreading_entry"), "keyboard"),
            (_("Meter readings"), reverse("billing:meterreading_list"), "gauge"),
        ]
        return super().get(request, *args, **kwargs)


class MeterDetailView(ObjectDetailView):
    template_name = "billing/meters/meter_detail.html"

    def extra_context(self, obj):
        readings = list(
            MeterReading.objects.restrict(self.request.user, "view")
            .filter(meter=obj)
            .order_by("-period")[:24]
        )
        entry = ""
        if obj.building_id:
            entry = f"{reverse('billing:meterreading_entry')}?{urlencode({'building': obj.building_id})}"
        return {
            "readings": readings,
            "entry_url": entry,
            "add_reading_url": f"{reverse('billing:meterreading_add')}?meter={obj.pk}",
            "can_add_reading": obj.project_id in user_scope(self.request.user, "billing.add_meterreading"),
        }


class MeterViews(ObjectViews):
    model = Meter
    table = tables_meters.MeterTable
    filterset = filters_meters.MeterFilterSet
    form = forms_meters.MeterForm
    list_view = MeterListView
    detail_view = MeterDetailView
    select_related = ("project", "unit", "building", "standard")
    detail_fields = [
        "project",
        "number",
        "kind",
        "is_public",
        "unit",
        "building",
        "standard",
        "multiplier",
        "digits",
        "initial_value",
        "location",
        "installed_on",
        "is_active",
        "note",
    ]


# -- readings ----------------------------------------------------------------------------------------
class MeterReadingListView(ObjectListView):
    template_name = "billing/meters/object_list.html"

    def get(self, request, *args, **kwargs):
        links = [(_("Enter readings"), reverse("billing:meterreading_entry"), "keyboard")]
        if self.can("add"):
            links.append((_("Import from Excel"), import_url(), "file-import"))
        if self.can("run_billing"):
            links.append((_("Bill a period"), reverse("billing:meterreading_bill"), "file-invoice"))
        request.meters_links = links
        return super().get(request, *args, **kwargs)


class MeterReadingDetailView(ObjectDetailView):
    template_name = "billing/meters/meterreading_detail.html"

    def field_rows(self, obj):
        rows = super().field_rows(obj)
        shown = {
            "period": f"{obj.period:%Y-%m}",
            "usage": f"{obj.usage.normalize():f} {obj.meter.quantity_unit}".strip(),
        }
        if obj.average_usage is not None:
            shown["average_usage"] = f"{obj.average_usage.normalize():f}"
        labels = {
            str(MeterReading._meta.get_field(name).verbose_name): value for name, value in shown.items()
        }
        return [(label, labels.get(str(label), value), url) for label, value, url in rows]

    def extra_context(self, obj):
        from wuye.billing.models import Bill

        user = self.request.user
        bills = list(
            Bill.objects.restrict(user, "view")
            .filter(meter_readings=obj)
            .select_related("unit")
            .order_by("unit__sort_code", "pk")
        )
        transitions = [
            (t.name, t.label)
            for t in MeterReading.machine.allowed(obj, actor=user)
            if t.name != "bill" and (t.name != "reopen" or not obj.reopen_problem())
        ]
        billed = obj.status == MeterReadingStatusChoices.BILLED
        return {
            # a billed reading is locked: it is corrected by voiding its bills and reopening it
            **({"can_change": False, "can_delete": False} if billed else {}),
            "meter": obj.meter,
            "bills": bills,
            "bill_total": sum((b.amount for b in bills), service.ZERO),
            "transitions": transitions,
            "shared": obj.meter.is_public,
        }


class MeterReadingViews(ObjectViews):
    model = MeterReading
    table = tables_meters.MeterReadingTable
    filterset = filters_meters.MeterReadingFilterSet
    form = forms_meters.MeterReadingForm
    list_view = MeterReadingListView
    detail_view = MeterReadingDetailView
    select_related = ("project", "meter__unit", "meter__building")
    detail_fields = [
        "project",
        "meter",
        "period",
        "reading_date",
        "previous_value",
        "value",
        "usage",
        "average_usage",
        "flag",
        "is_rollover",
        "is_replacement",
        "old_final_value",
        "new_start_value",
        "status",
        "note",
    ]


class ReadingTransitionView(ScopedViewMixin, View):
    """POST: confirm, back to draft, or reopen one reading (GET answers 405 for a visible one)."""

    model = MeterReading
    transition = "confirm"
    action = "change"

    def get(self, request, *args, **kwargs):
        self.get_object()
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, *args, **kwargs):
        reading = self.get_object()
        try:
            if self.transition == "reopen":
                service.reopen_reading(actor=request.user, reading=reading)
            else:
                MeterReading.machine.apply(reading, self.transition, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Reading %(r)s: %(status)s.") % {"r": reading, "status": _status(reading)}
            )
        return redirect(reading.get_absolute_url())


def _status(reading):
    reading.refresh_from_db(fields=["status"])
    return reading.get_status_display()


# -- the entry grid ----------------------------------------------------------------------------------
def _period_param(request, default=None):
    from wuye.billing.services.periods import parse_period

    text = request.GET.get("period") or request.POST.get("period")
    if not text:
        return default
    try:
        return parse_period(text)
    except ValueError:
        return default


class ReadingEntryView(ScopedViewMixin, View):
    """抄表录入: one input per meter of a building for a month, each row validated on its own."""

    model = MeterReading
    action = "add"
    template_name = "billing/meters/entry.html"

    def buildings(self):
        qs = Building.objects.restrict(self.request.user, "view").in_project(
            getattr(self.request, "project", None)
        )
        return in_scope(qs, self.request.user, "billing.add_meterreading").select_related("project")

    def selection(self, data):
        form = forms_meters.EntryForm(data or None, buildings=self.buildings())
        if data and form.is_valid():
            return form, form.cleaned_data["building"], form.cleaned_data["period"]
        return form, None, None

    def rows_for(self, building, period):
        meters = service.grid_meters(Meter.objects.restrict(self.request.user, "view"), building)
        rows = service.grid_rows(meters, period)
        may_change = building.project_id in user_scope(self.request.user, "billing.change_meterreading")
        for row in rows:
            row.may_change = row.reading is None or may_change
        return rows

    def get(self, request, *args, **kwargs):
        data = request.GET.copy()
        if "period" not in data and "building" in data:
            data["period"] = f"{timezone.localdate():%Y-%m}"
        form, building, period = self.selection(data if "building" in data else None)
        if building is not None and not data.get("reading_date"):
            data["reading_date"] = f"{min(timezone.localdate(), service.period_end(period)):%Y-%m-%d}"
            form, building, period = self.selection(data)
        if not data.get("building"):
            form = forms_meters.EntryForm(
                initial={"period": timezone.localdate().replace(day=1)}, buildings=self.buildings()
            )
        rows = self.rows_for(building, period) if building else []
        return self.render(form, building, period, rows)

    def post(self, request, *args, **kwargs):
        form, building, period = self.selection(request.POST)
        if building is None:
            return self.render(form, None, None, [], status=200)
        rows = self.rows_for(building, period)
        for row in rows:
            key = row.meter.pk
            if row.readonly or not row.may_change:
                continue
            row.value = request.POST.get(f"value-{key}", "").strip()
            row.is_rollover = bool(request.POST.get(f"rollover-{key}"))
            row.note = request.POST.get(f"note-{key}", "").strip()
        reading_date = form.cleaned_data.get("reading_date") or min(
            timezone.localdate(), service.period_end(period)
        )
        confirm = request.POST.get("action") == "confirm"
        if confirm and building.project_id not in user_scope(request.user, "billing.change_meterreading"):
            raise PermissionDenied
        saved, failed = service.save_grid(
            actor=request.user,
            rows=[r for r in rows if r.may_change],
            period=period,
            reading_date=reading_date,
            confirm=confirm,
        )
        if failed:
            messages.error(
                request,
                ngettext(
                    "Saved %(saved)s readings; %(failed)s row has a problem (in red): "
                    "correct it and save again.",
                    "Saved %(saved)s readings; %(failed)s rows have a problem (in red): "
                    "correct them and save again.",
                    failed,
                )
                % {"saved": saved, "failed": failed},
            )
            return self.render(form, building, period, rows)
        messages.success(request, _("Saved %(saved)s readings.") % {"saved": saved})
        query = urlencode({"building": building.pk, "period": f"{period:%Y-%m}"})
        return redirect(f"{reverse('billing:meterreading_entry')}?{query}")

    def render(self, form, building, period, rows, status=200):
        query = urlencode({"building": building.pk, "period": f"{period:%Y-%m}"}) if building else ""
        filled = sum(1 for r in rows if r.reading is not None)
        bill_url = ""
        if building is not None:
            bill_query = urlencode(_query(building.project, period, building))
            bill_url = f"{reverse('billing:meterreading_bill')}?{bill_query}"
        context = {
            "title": _("Enter meter readings"),
            "form": form,
            "building": building,
            "period": period,
            "rows": rows,
            "filled": filled,
            "flagged": sum(1 for r in rows if r.reading is not None and r.reading.flag),
            "template_url": f"{reverse('billing:meterreading_template')}?{query}" if building else "",
            "import_url": import_url(),
            "bill_url": bill_url,
            "can_bill": building is not None
            and building.project_id in user_scope(self.request.user, "billing.run_billing"),
            "can_confirm": building is not None
            and building.project_id in user_scope(self.request.user, "billing.change_meterreading"),
            "breadcrumbs": [
                (_("Meter readings"), reverse("billing:meterreading_list")),
                (_("Enter meter readings"), ""),
            ],
        }
        return render(self.request, self.template_name, context, status=status)


class ReadingTemplateView(ReadingEntryView):
    """The building's meters with their previous readings, as a workbook to fill in and import."""

    def get(self, request, *args, **kwargs):
        data = request.GET.copy()
        data.setdefault("period", f"{timezone.localdate():%Y-%m}")
        form, building, period = self.selection(data)
        if building is None:  # no building chosen (or not one of the user's): the entry page
            return super().get(request, *args, **kwargs)
        rows = service.grid_rows(
            service.grid_meters(Meter.objects.restrict(request.user, "view"), building), period
        )
        content = reading_workbook(rows, period)
        response = HttpResponse(content, content_type=XLSX)
        name = f"抄表-{building.number}-{period:%Y%m}.xlsx"
        from urllib.parse import quote

        response["Content-Disposition"] = (
            f"attachment; filename=\"readings.xlsx\"; filename*=UTF-8''{quote(name)}"
        )
        return response

    def post(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["GET"])


def reading_workbook(rows, period) -> bytes:
    """表号, 房屋, 位置, 月份, 上次读数, 本次读数 ... with the headers the readings import matches."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "抄表"
    headers = ["表号", "房屋", "位置", "月份", "上次读数", "本次读数", "抄表日期", "是否翻表", "备注"]
    fill = PatternFill("solid", fgColor="DCE6F1")
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=col, value=text)
        cell.font = Font(bold=True, color="C00000" if text in ("表号", "月份", "本次读数") else None)
        cell.fill = fill
    for r, row in enumerate(rows, start=2):
        meter = row.meter
        values = [
            meter.number,
            meter.unit.code if meter.unit_id else "",
            meter.location or (_("public") if meter.is_public else ""),
            f"{period:%Y-%m}",
            float(row.previous),
            float(row.reading.value) if row.reading is not None else None,
            None,
            None,
            row.reading.note if row.reading is not None else None,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value)
            if col in (1, 2, 4):
                cell.number_format = "@"
    for letter, width in zip("ABCDEFGHI", (16, 14, 16, 10, 12, 12, 12, 10, 20), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- billing a period ----------------------------------------------------------------------------------
class BillPeriodView(ScopedViewMixin, View):
    """Preview the bills a month's confirmed readings make, confirm drafts, and create the bills."""

    model = MeterReading
    action = "run_billing"
    template_name = "billing/meters/bill.html"

    def projects(self):
        qs = Project.objects.restrict(self.request.user, "view")
        return in_scope(qs, self.request.user, "billing.run_billing").order_by("code")

    def form(self, data):
        projects = self.projects()
        buildings = (
            Building.objects.restrict(self.request.user, "view")
            .filter(project__in=projects)
            .select_related("project")
        )
        initial = {"period": timezone.localdate().replace(day=1)}
        current = getattr(self.request, "project", None)
        if current is not None and projects.filter(pk=current.pk).exists():
            initial["project"] = current.pk
            buildings = buildings.filter(project=current)
        elif projects.count() == 1:
            initial["project"] = projects.first().pk
        return forms_meters.BillPeriodForm(data, projects=projects, buildings=buildings, initial=initial)

    def get(self, request, *args, **kwargs):
        form = self.form(request.GET if "period" in request.GET else None)
        plan = None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            plan = service.plan_meter_billing(data["project"], data["period"], building=data["building"])
        return self.render(form, plan)

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(form, None)
        data = form.cleaned_data
        project, period, building = data["project"], data["period"], data["building"]
        back = f"{reverse('billing:meterreading_bill')}?{urlencode(_query(project, period, building))}"
        if request.POST.get("action") == "confirm":
            if project.pk not in user_scope(request.user, "billing.change_meterreading"):
                raise PermissionDenied
            drafts = service.period_readings(
                project, period, building, MeterReadingStatusChoices.DRAFT
            ).select_related("project")
            count = service.confirm_readings(actor=request.user, readings=drafts)
            messages.success(request, _("Confirmed %(n)s readings.") % {"n": count})
            return redirect(back)
        count = service.period_readings(project, period, building).count()
        if count > service.INLINE_LIMIT:
            job = service.enqueue_meter_billing(
                actor=request.user, project=project, period=period, building=building
            )
            messages.info(request, _("Billing %(n)s readings runs in the background.") % {"n": count})
            return redirect(job.get_absolute_url())
        run = service.bill_meter_readings(
            actor=request.user, project=project, period=period, building=building
        )
        messages.success(
            request,
            _("Created %(n)s bills, %(total)s in total.")
            % {"n": run.created_count, "total": f"{run.total_amount:.2f}"},
        )
        if run.summary.get("problem_count"):
            messages.warning(
                request,
                _("%(n)s readings were not billed: %(first)s")
                % {"n": run.summary["problem_count"], "first": run.summary["problems"][0]["problem"]},
            )
        return redirect(f"{back}&run={run.pk}")

    def render(self, form, plan):
        from wuye.billing.models import Bill, BillingRun

        run = None
        run_id = self.request.GET.get("run")
        if run_id and run_id.isdigit():
            run = BillingRun.objects.restrict(self.request.user, "view").filter(pk=run_id).first()
        bills = []
        if run is not None:
            bills = list(
                Bill.objects.restrict(self.request.user, "view")
                .filter(run=run)
                .select_related("unit")
                .order_by("pk")[:200]
            )
        bill_list = url_for(Bill, "list")
        context = {
            "title": _("Bill meter readings"),
            "form": form,
            "plan": plan,
            "run": run,
            "run_bills": bills,
            "bill_list_url": f"{bill_list}?{urlencode({'run': run.pk})}"
            if run is not None and bill_list
            else "",
            "run_url": url_for(BillingRun, "detail", pk=run.pk) if run is not None else "",
            "inline_limit": service.INLINE_LIMIT,
            "breadcrumbs": [
                (_("Meter readings"), reverse("billing:meterreading_list")),
                (_("Bill meter readings"), ""),
            ],
        }
        return render(self.request, self.template_name, context)


def _query(project, period, building):
    query = {"project": project.pk, "period": f"{period:%Y-%m}"}
    if building is not None:
        query["building"] = building.pk
    return query


def _transition(name, action):
    return ReadingTransitionView.as_view(
        model=MeterReading, views=MeterReadingViews, transition=name, action=action
    )


urlpatterns = [
    *MeterViews.urls("meters"),
    path(
        "meter-readings/entry/",
        ReadingEntryView.as_view(model=MeterReading, views=MeterReadingViews),
        name="meterreading_entry",
    ),
    path(
        "meter-readings/template/",
        ReadingTemplateView.as_view(model=MeterReading, views=MeterReadingViews),
        name="meterreading_template",
    ),
    path(
        "meter-readings/bill/",
        BillPeriodView.as_view(model=MeterReading, views=MeterReadingViews),
        name="meterreading_bill",
    ),
    *MeterReadingViews.urls("meter-readings"),
    path("meter-readings/<int:pk>/confirm/", _transition("confirm", "change"), name="meterreading_confirm"),
    path(
        "meter-readings/<int:pk>/unconfirm/",
        _transition("unconfirm", "change"),
        name="meterreading_unconfirm",
    ),
    path("meter-readings/<int:pk>/reopen/", _transition("reopen", "run_billing"), name="meterreading_reopen"),
]
