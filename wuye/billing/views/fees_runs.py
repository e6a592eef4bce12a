"""Billing runs: the list (created / skipped / total and per item), one run, and "run billing"."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View

from wuye.billing import filters, forms, tables
from wuye.billing.models import BillingRun
from wuye.billing.services.runs import enqueue_billing_run
from wuye.core.scoping import has_any_scope
from wuye.core.views import ObjectDetailView, ObjectListView, ObjectViews
from wuye.core.views.generic import ScopedViewMixin

TEMPLATES = "billing/fees"
RUN = "billing.run_billing"


class BillingRunListView(ObjectListView):
    template_name = f"{TEMPLATES}/billingrun_list.html"

    def can(self, action, obj=None) -> bool:
        if action == "add":
            return has_any_scope(self.request.user, RUN)
        return super().can(action, obj)


class BillingRunDetailView(ObjectDetailView):
    template_name = f"{TEMPLATES}/billingrun_detail.html"

    def extra_context(self, obj):
        summary = obj.summary or {}
        by_item = [
            {"name": name, "count": v.get("count", 0), "amount": v.get("amount", "0.00")}
            for name, v in (summary.get("by_item") or {}).items()
        ]
        bills_url = f"{reverse('billing:bill_list')}?project={obj.project_id}&period={obj.period:%Y-%m}"
        return {
            "by_item": by_item,
            "problems": summary.get("problems") or [],
            "problem_count": summary.get("problem_count", 0),
            "bills_url": bills_url,
            "job": obj.job,
        }


class BillingRunViews(ObjectViews):
    model = BillingRun
    table = tables.BillingRunTable
    filterset = filters.BillingRunFilterSet
    list_view = BillingRunListView
    detail_view = BillingRunDetailView
    detail_fields = [
        "project",
        "period",
        "created_count",
        "skipped_count",
        "total_amount",
        "created_by",
        "finished_at",
    ]
    actions = ("list", "detail")
    select_related = ("project", "created_by", "job")


class RunBillingView(ScopedViewMixin, View):
    """Choose a project, a month and optionally some items; the run is a Job (progress, summary)."""

    model = BillingRun
    action = "run_billing"
    template_name = f"{TEMPLATES}/billingrun_add.html"

    def get_form(self, data=None):
        return forms.BillingRunForm(
            data, user=self.request.user, project=getattr(self.request, "project", None)
        )

    def render_page(self, form, status=200):
        title = _("Run billing")
        recent = (
            BillingRun.objects.restrict(self.request.user, "view")
            .in_project(getattr(self.request, "project", None))
            .select_related("project", "created_by")[:5]
        )
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "title": title,
                "recent": recent,
                "opts": BillingRun._meta,
                "breadcrumbs": self.breadcrumbs(None, title),
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render_page(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_page(form)
        data = form.cleaned_data
        job = enqueue_billing_run(
            actor=request.user,
            project=data["project"],
            period=f"{data['period']:%Y-%m}",
            items=[i.name for i in data["items"]] or None,
        )
        messages.info(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _("Billing %(project)s for %(period)s has started; the summary appears here when it is done.")
                % {"project": data["project"], "period": f"{data['period']:%Y-%m}"},
                reverse("billing:billingrun_list"),
                _("All billing runs"),
            ),
        )
        return redirect(job.get_absolute_url())


urlpatterns = [
    path("runs/new/", RunBillingView.as_view(), name="billingrun_add"),
    *BillingRunViews.urls("runs"),
]
