"""Arrears (aging), dunning records, demand notices and collection reports."""

from __future__ import annotations

import datetime

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wuye.billing.models import Bill, DunningRecord, PaymentAllocation, PaymentTender
from wuye.billing.models.dunning import DunningChannelChoices
from wuye.billing.services import dunning, notices, reports
from wuye.core import jobs
from wuye.core.export import rows_to_xlsx
from wuye.core.filters import BaseFilterSet, ProjectFilterSetMixin
from wuye.core.forms import BaseForm, BaseModelForm
from wuye.core.scoping import has_any_scope
from wuye.core.tables import BaseTable, ProjectColumnsMixin
from wuye.core.views import ObjectDetailView, ObjectEditView, ObjectViews
from wuye.estate.models import Building, Unit

INLINE_NOTICES = 50


def _require(request, perm):
    if not has_any_scope(request.user, perm):
        raise PermissionDenied


def _bills(request):
    return Bill.objects.restrict(request.user, "view").in_project(request.project)


def _allocations(request):
    bills = Bill.objects.restrict(request.user, "view").in_project(request.project)
    return PaymentAllocation.objects.filter(bill__in=bills.values("pk"))


def _parse_date(value, default):
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


# -- arrears -----------------------------------------------------------------------------------
@login_required
def arrears(request):
    """Overdue amounts by unit, building or item and age bucket; demand notices for the listed units."""
    _require(request, "billing.view_bill")
    as_of = _parse_date(request.GET.get("as_of"), timezone.localdate())
    group = request.GET.get("group", "unit")
    if group not in ("unit", "building", "item"):
        group = "unit"
    bills = _bills(request)
    building = request.GET.get("building")
    if building and building.isdigit():
        bills = bills.filter(unit__building_id=int(building))
    rows = list(reports.arrears(bills, as_of, group)[:500])
    totals = reports.arrears_totals(bills, as_of)
    buckets = reports.AGE_BUCKETS
    if request.GET.get("export") == "xlsx":
        header = [_("Group"), *[label for _k, label, _lo, _hi in buckets], _("Total"), _("Bills")]
        data = [header] + [
            [_group_label(row, group), *[row[k] for k, *_rest in buckets], row["total"], row["bills"]]
            for row in rows
        ]
        response = HttpResponse(
            rows_to_xlsx(data, str(_("Arrears"))),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="arrears-{as_of}.xlsx"'
        return response
    for row in rows:
        row["label"] = _group_label(row, group)
        row["cells"] = [row[k] for k, *_rest in buckets]
    context = {
        "title": _("Arrears"),
        "rows": rows,
        "totals": [totals[k] for k, *_rest in buckets],
        "grand_total": totals["total"],
        "buckets": [label for _k, label, _lo, _hi in buckets],
        "as_of": as_of,
        "group": group,
        "buildings": Building.objects.restrict(request.user, "view").in_project(request.project),
        "building": building,
        "can_dun": has_any_scope(request.user, "billing.add_dunningrecord"),
        "breadcrumbs": [(_("Arrears"), "")],
    }
    return render(request, "billing/reports/arrears.html", context)


def _group_label(row, group):
    if group == "unit":
        return row["unit__code"]
    if group == "building":
        return row["unit__building__name"] or f"{row['unit__building__number']}栋"
    return row["item__name"]


arrears.scoped_model = Bill


@login_required
@require_POST
def demand_notices(request):
    """POST: demand notices (PDF) for the selected units, or a job for a large batch."""
    _require(request, "billing.add_dunningrecord")
    ids = [int(i) for i in request.POST.getlist("units") if i.isdigit()]
    units = list(Unit.objects.restrict(request.user, "view").filter(pk__in=ids).select_related("project"))
    if not units:
        messages.error(request, _("Select at least one unit."))
        return redirect("billing:arrears")
    projects = {u.project_id for u in units}
    if len(projects) != 1:
        messages.error(request, _("Print notices for one project at a time (use the project switcher)."))
        return redirect("billing:arrears")
    project = units[0].project
    as_of = _parse_date(request.POST.get("as_of"), timezone.localdate())
    record = request.POST.get("record") == "1"
    if record:
        for unit in units:
            try:
                dunning.do_record_dunning(
                    actor=request.user,
                    unit=unit,
                    channel=DunningChannelChoices.LETTER,
                    note=_("Printed demand notice"),
                )
            except ValidationError:
                continue
    if len(units) > INLINE_NOTICES:
        job = jobs.enqueue(
            notices.notices_job,
            kind="billing.notices",
            name=_("Demand notices (%(n)s units)") % {"n": len(units)},
            actor=request.user,
            project=project,
            params={
                "project_id": project.pk,
                "unit_ids": ids,
                "as_of": as_of.isoformat(),
                "user_id": request.user.pk,
            },
        )
        return redirect(job.get_absolute_url())
    pdf, count = notices.demand_notices_pdf(units, project, as_of)
    if not count:
        messages.info(request, _("None of these units has overdue bills."))
        return redirect("billing:arrears")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="demand-notices-{as_of}.pdf"'
    return response


demand_notices.scoped_model = Unit


@login_required
def unit_notice(request, pk):
    """The demand notice of one unit (PDF)."""
    _require(request, "billing.view_bill")
    unit = get_object_or_404(Unit.objects.restrict(request.user, "view").select_related("project"), pk=pk)
    pdf, count = notices.demand_notices_pdf([unit], unit.project)
    if not count:
        messages.info(request, _("This unit has no overdue bills."))
        return redirect(unit.get_absolute_url())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="demand-notice-{unit.code}.pdf"'
    return response


unit_notice.scoped_model = Unit


# -- dunning records ---------------------------------------------------------------------------
class DunningRecordTable(ProjectColumnsMixin, BaseTable):
    at = tables.DateTimeColumn(format="Y-m-d H:i", linkify=True)
    unit = tables.Column(linkify=True)
    channel = tables.Column()
    amount = tables.Column(attrs={"td": {"class": "text-end"}})
    delivered = tables.BooleanColumn()
    delivered_on = tables.DateColumn(format="Y-m-d")
    recipient = tables.Column()
    handled_by = tables.Column()

    class Meta(BaseTable.Meta):
        model = DunningRecord
        fields = (
            "at",
            "unit",
            "channel",
            "amount",
            "delivered",
            "delivered_on",
            "recipient",
            "handled_by",
            "project",
        )
        default_columns = ("at", "unit", "channel", "amount", "delivered", "delivered_on", "handled_by")


class DunningRecordFilterSet(ProjectFilterSetMixin, BaseFilterSet):
    search_fields = ("unit__code", "recipient", "note")
    delivered = django_filters.BooleanFilter()
    at = django_filters.DateFromToRangeFilter(label=gettext_lazy("date"))

    class Meta:
        model = DunningRecord
        fields = ["project", "channel", "delivered"]


class DunningRecordForm(BaseModelForm):
    class Meta:
        model = DunningRecord
        fields = ["unit", "channel", "recipient", "delivered", "delivered_on", "proof", "note"]

    def clean(self):
        data = super().clean()
        if data.get("delivered_on") and not data.get("delivered"):
            self.add_error("delivered", _("Tick delivered when you give a delivery date."))
        return data


class DunningRecordEditView(ObjectEditView):
    """Creating a dunning record goes through the service (it links the open bills, restarts limitation)."""

    def save(self, form):
        data = form.cleaned_data
        return dunning.do_record_dunning(
            actor=self.request.user,
            unit=data["unit"],
            channel=data["channel"],
            delivered=data["delivered"],
            delivered_on=data.get("delivered_on"),
            recipient=data.get("recipient", ""),
            proof=data.get("proof"),
            note=data.get("note", ""),
        )

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError as exc:
            obj = self.get_instance()
            form = self.get_form(obj, data=request.POST, files=request.FILES)
            form.is_valid()
            for message in exc.messages:
                form.add_error(None, message)
            return self.render_form(form, obj)


class ConfirmDeliveryForm(BaseForm):
    delivered_on = forms.DateField(label=gettext_lazy("delivered on"), widget=forms.DateInput)
    proof = forms.FileField(label=gettext_lazy("proof of delivery"), required=False)
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=200)


class DunningRecordDetailView(ObjectDetailView):
    def extra_context(self, obj):
        return {
            "bills": obj.bills.select_related("item"),
            "confirm_form": ConfirmDeliveryForm(initial={"delivered_on": timezone.localdate()}),
            "can_confirm": not obj.delivered and self.can("change", obj),
        }

    def post(self, request, *args, **kwargs):
        self.action = "change"
        record = self.get_object()
        form = ConfirmDeliveryForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                dunning.do_confirm_delivery(actor=request.user, record=record, **form.cleaned_data)
                messages.success(
                    request, _("Delivery recorded; the limitation period restarts from that day.")
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, _("Enter the delivery date."))
        return redirect(record.get_absolute_url())


class DunningRecordViews(ObjectViews):
    model = DunningRecord
    table = DunningRecordTable
    filterset = DunningRecordFilterSet
    form = DunningRecordForm
    edit_view = DunningRecordEditView
    detail_view = DunningRecordDetailView
    select_related = ("project", "unit", "handled_by")
    actions = ("list", "detail", "add", "changelog")


# -- collection reports --------------------------------------------------------------------------
@login_required
def collection_reports(request):
    """收缴率 by project, building or item for a month, and income by item and channel."""
    _require(request, "billing.view_bill")
    today = timezone.localdate()
    month = _parse_date(
        (request.GET.get("month") or "") + "-01" if request.GET.get("month") else "", today.replace(day=1)
    )
    group = request.GET.get("group", "project")
    if group not in ("project", "building", "item"):
        group = "project"
    rows = reports.collection(_bills(request), _allocations(request), month, group)
    start = _parse_date(request.GET.get("start"), month)
    end = _parse_date(request.GET.get("end"), today)
    tenders = PaymentTender.objects.filter(payment__in=_payments(request).values("pk"))
    by_item, by_channel = reports.income(_allocations(request), tenders, start, end)
    if request.GET.get("export") == "xlsx":
        data = [
            [
                _("Group"),
                _("Billed"),
                _("Collected"),
                _("Collection rate %"),
                _("Old arrears"),
                _("Recovered"),
                _("Recovery rate %"),
            ]
        ]
        data += [
            [
                r["label"],
                r["billed"],
                r["collected"],
                r["rate"],
                r["old_arrears"],
                r["recovered"],
                r["recovery_rate"],
            ]
            for r in rows
        ]
        response = HttpResponse(
            rows_to_xlsx(data, str(_("Collection"))),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="collection-{month:%Y-%m}.xlsx"'
        return response
    from wuye.billing.choices import PaymentChannelChoices

    channels = dict(PaymentChannelChoices.choices)
    context = {
        "title": _("Collection reports"),
        "rows": rows,
        "month": month,
        "group": group,
        "start": start,
        "end": end,
        "by_item": by_item,
        "by_channel": [
            {"label": channels.get(r["channel"], r["channel"]), "amount": r["amount"]} for r in by_channel
        ],
        "chart": {
            "labels": [r["label"] for r in rows],
            "rates": [float(r["rate"] or 0) for r in rows],
            "recovery": [float(r["recovery_rate"] or 0) for r in rows],
        },
        "breadcrumbs": [(_("Collection reports"), "")],
    }
    return render(request, "billing/reports/collection.html", context)


collection_reports.scoped_model = Bill


def _payments(request):
    from wuye.billing.models import Payment

    return Payment.objects.restrict(request.user, "view").in_project(request.project)


urlpatterns = [
    path("arrears/", arrears, name="arrears"),
    path("arrears/notices/", demand_notices, name="demand_notices"),
    path("units/<int:pk>/demand-notice/", unit_notice, name="unit_notice"),
    path("reports/", collection_reports, name="reports"),
    *DunningRecordViews.urls("dunning"),
]
