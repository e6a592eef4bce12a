"""Billing screens of the "fees" slice: fee items, late-fee rules, standards (and price changes),
assignments (and bulk assignment), billing schedules; the runs, bills and statements come from
``fees_runs``, ``fees_bills`` and ``fees_units``, whose URLs are collected here."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from wuye.billing import filters, forms, tables
from wuye.billing.models import BillingSchedule, FeeAssignment, FeeItem, FeeStandard, LateFeeRule
from wuye.billing.services import assignments
from wuye.core.models import Job
from wuye.core.scoping import has_any_scope, user_scope
from wuye.core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectViews
from wuye.core.views.generic import ScopedViewMixin

MANAGE = "billing.manage_standards"
TEMPLATES = "billing/fees"


def form_errors(form, exc: ValidationError):
    """Put a service's ValidationError on the form: by field where the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class ManageStandardsMixin:
    """Standards and assignments also need ``billing.manage_standards`` in the object's project."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not has_any_scope(user, MANAGE):
            if (
                "pk" in kwargs
                and not self.base_queryset().restrict(user, "view").filter(pk=kwargs["pk"]).exists()
            ):
                raise Http404
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        obj = super().get_object()
        if obj.project_id not in user_scope(self.request.user, MANAGE):
            raise PermissionDenied(_("You may not manage fee standards in this project."))
        return obj


class ManagedEditView(ManageStandardsMixin, ObjectEditView):
    pass


class ManagedDeleteView(ManageStandardsMixin, ObjectDeleteView):
    pass


# -- fee items and late-fee rules -------------------------------------------------------------------
class FeeItemViews(ObjectViews):
    model = FeeItem
    table = tables.FeeItemTable
    filterset = filters.FeeItemFilterSet
    form = forms.FeeItemForm
    select_related = ("project",)


class LateFeeRuleViews(ObjectViews):
    model = LateFeeRule
    table = tables.LateFeeRuleTable
    filterset = filters.LateFeeRuleFilterSet
    form = forms.LateFeeRuleForm
    select_related = ("project",)


# -- standards --------------------------------------------------------------------------------------
def current_assignments_q(prefix="") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}start_date__lte": today}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": today})
    )


class FeeStandardDetailView(ObjectDetailView):
    template_name = f"{TEMPLATES}/feestandard_detail.html"

    def field_rows(self, obj):
        shown = {
            "unit_price": tables.plain(obj.unit_price),
            "vacancy_rate": tables.percent(obj.vacancy_rate) if obj.vacancy_rate is not None else None,
            "prepay_discount_rate": tables.percent(obj.prepay_discount_rate)
            if obj.prepay_discount_rate is not None
            else None,
        }
        rows = []
        for name, (label, value, url) in zip(self.detail_fields, super().field_rows(obj), strict=True):
            rows.append((label, shown.get(name, value), url))
        return rows

    def extra_context(self, obj):
        user = self.request.user
        can_manage = obj.project_id in user_scope(user, MANAGE)
        figures = (
            FeeAssignment.objects.restrict(user, "view")
            .filter(standard=obj)
            .aggregate(current=Count("pk", filter=current_assignments_q()), total=Count("pk"))
        )
        return {
            "figures": figures,
            "bill_count": obj.bills.count(),
            "can_manage": can_manage and self.can("change", obj),
            "replace_url": reverse("billing:feestandard_replace", kwargs={"pk": obj.pk}),
            "bulk_url": f"{reverse('billing:feeassignment_bulk')}?standard={obj.pk}",
            "assignments_url": f"{reverse('billing:feeassignment_list')}?standard={obj.pk}&current=true",
            "replaced_by": FeeStandard.objects.restrict(user, "view")
            .filter(item_id=obj.item_id, effective_from__gt=obj.effective_from)
            .order_by("effective_from")
            .first()
            if obj.effective_to
            else None,
        }


class FeeStandardViews(ObjectViews):
    model = FeeStandard
    table = tables.FeeStandardTable
    filterset = filters.FeeStandardFilterSet
    form = forms.FeeStandardForm
    detail_view = FeeStandardDetailView
    detail_fields = [
        "project",
        "item",
        "name",
        "method",
        "unit_price",
        "cycle",
        "due_day",
        "effective_from",
        "effective_to",
        "prorate",
        "late_fee_rule",
        "vacancy_rate",
        "vacancy_after_months",
        "prepay_months",
        "prepay_discount_rate",
    ]
    edit_view = type(
        "FeeStandardEditView", (ManagedEditView,), {"template_name": f"{TEMPLATES}/feestandard_edit.html"}
    )
    delete_view = ManagedDeleteView
    select_related = ("project", "item", "late_fee_rule")

    @classmethod
    def prepare_queryset(cls, qs):
        return (
            super()
            .prepare_queryset(qs)
            .annotate(assignment_count=Count("assignments", filter=current_assignments_q("assignments__")))
            .order_by(*FeeStandard._meta.ordering)
        )


def follow_job(request, job):
    """A start_* service sent a large change to the background: watch its Job."""
    messages.info(request, _("This is a large change: it runs in the background."))
    return redirect(job.get_absolute_url())


class ReplaceStandardView(ManageStandardsMixin, ScopedViewMixin, View):
    """调价: a new standard with a new price from a date takes over all current assignments."""

    model = FeeStandard
    action = "change"
    template_name = f"{TEMPLATES}/feestandard_replace.html"

    def render_page(self, standard, form, preview=None):
        title = _("Change the price of %(name)s") % {"name": standard}
        return render(
            self.request,
            self.template_name,
            {
                "object": standard,
                "form": form,
                "preview": preview,
                "price_text": tables.plain(standard.unit_price),
                "title": title,
                "opts": FeeStandard._meta,
                "breadcrumbs": self.breadcrumbs(standard, _("Change the price")),
            },
        )

    def get(self, request, *args, **kwargs):
        standard = self.get_object()
        return self.render_page(
            standard, forms.ReplaceStandardForm(initial={"unit_price": standard.unit_price})
        )

    def post(self, request, *args, **kwargs):
        standard = self.get_object()
        form = forms.ReplaceStandardForm(request.POST)
        if not form.is_valid():
            return self.render_page(standard, form)
        data = form.cleaned_data
        try:
            if "apply" not in request.POST:
                preview = assignments.preview_replace_standard(
                    old=standard, effective_from=data["effective_from"]
                )
                return self.render_page(standard, form, preview)
            result = assignments.start_replace_standard(
                actor=request.user,
                old=standard,
                effective_from=data["effective_from"],
                unit_price=data["unit_price"],
                name=data["name"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
            return self.render_page(standard, form)
        if isinstance(result, Job):
            return follow_job(request, result)
        messages.success(
            request,
            _("From %(d)s the new price %(price)s applies to every assignment of %(old)s.")
            % {"d": data["effective_from"], "price": tables.plain(result.unit_price), "old": standard},
        )
        return redirect(result.get_absolute_url())


# -- assignments ------------------------------------------------------------------------------------
class FeeAssignmentViews(ObjectViews):
    model = FeeAssignment
    table = tables.FeeAssignmentTable
    filterset = filters.FeeAssignmentFilterSet
    form = forms.FeeAssignmentForm
    edit_view = ManagedEditView
    delete_view = ManagedDeleteView
    select_related = ("project", "standard__item", "unit", "parking_space")


class BulkAssignView(ManageStandardsMixin, ScopedViewMixin, View):
    """Preview, then apply: one standard to all units of a building / usage / status, or a lot."""

    model = FeeAssignment
    action = "add"
    template_name = f"{TEMPLATES}/feeassignment_bulk.html"

    def get_form(self, data=None):
        initial = {"start_date": timezone.localdate().replace(day=1)}
        if "standard" in self.request.GET:
            initial["standard"] = self.request.GET["standard"]
        return forms.BulkAssignForm(
            data, initial=initial, user=self.request.user, project=getattr(self.request, "project", None)
        )

    def render_page(self, form, preview=None):
        title = _("Assign a standard in bulk")
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "preview": preview,
                "title": title,
                "opts": FeeAssignment._meta,
                "breadcrumbs": self.breadcrumbs(None, title),
            },
        )

    def get(self, request, *args, **kwargs):
        return self.render_page(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_page(form)
        standard, start = form.cleaned_data["standard"], form.cleaned_data["start_date"]
        selection = form.selection()
        try:
            if "apply" not in request.POST:
                preview = assignments.preview_bulk_assignment(
                    standard=standard, selection=selection, start_date=start
                )
                return self.render_page(form, preview)
            result = assignments.start_bulk_assign(
                actor=request.user, standard=standard, selection=selection, start_date=start
            )
        except ValidationError as exc:
            form_errors(form, exc)
            return self.render_page(form)
        if isinstance(result, Job):
            return follow_job(request, result)
        message = _("%(created)s assigned %(standard)s from %(d)s; %(ended)s earlier assignments ended.") % {
            "created": result["created"],
            "standard": standard,
            "d": start,
            "ended": result["ended"],
        }
        if result["conflicts"]:
            message += " " + _("%(n)s skipped: they have an assignment of this item starting later.") % {
                "n": result["conflicts"]
            }
        messages.success(request, message)
        return redirect(f"{reverse('billing:feeassignment_list')}?standard={standard.pk}")


# -- schedules --------------------------------------------------------------------------------------
class BillingScheduleViews(ObjectViews):
    model = BillingSchedule
    table = tables.BillingScheduleTable
    filterset = filters.BillingScheduleFilterSet
    form = forms.BillingScheduleForm
    select_related = ("project",)
    prefetch_related = ("items",)
    detail_fields = ["project", "day_of_month", "is_enabled", "last_period"]


def _urls():
    # fees_runs, fees_bills and fees_units add theirs in wuye/billing/urls.py (they import from here).
    return [
        *FeeItemViews.urls("fee-items"),
        *LateFeeRuleViews.urls("late-fee-rules"),
        *FeeStandardViews.urls("fee-standards"),
        path(
            "fee-standards/<int:pk>/change-price/",
            ReplaceStandardView.as_view(),
            name="feestandard_replace",
        ),
        path("fee-assignments/bulk/", BulkAssignView.as_view(), name="feeassignment_bulk"),
        *FeeAssignmentViews.urls("fee-assignments"),
        *BillingScheduleViews.urls("schedules"),
    ]


urlpatterns: list = _urls()
