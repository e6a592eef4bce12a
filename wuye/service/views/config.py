"""Configuration screens: teams, categories, SLA rules, price list, settings; return visits list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from wuye.core.scoping import ALL, user_scope
from wuye.core.views import ObjectDetailView, ObjectViews
from wuye.service import filters, forms, tables
from wuye.service.models import Category, PriceItem, ReturnVisit, ServiceSettings, SlaRule, Team


class TeamDetailView(ObjectDetailView):
    detail_fields = ["project", "name", "leader", "dispatch_mode", "is_active", "note"]
    template_name = "service/team_detail.html"

    def extra_context(self, obj):
        from django.db.models import Count

        from wuye.service.choices import ACTIVE_STATUSES
        from wuye.service.models import WorkOrder

        members = list(obj.members.order_by("username"))
        loads = dict(
            WorkOrder.objects.restrict(self.request.user, "view")
            .filter(status__in=ACTIVE_STATUSES, assignee__in=members)
            .values("assignee")
            .annotate(n=Count("id"))
            .values_list("assignee", "n")
        )
        return {"members": [(m, loads.get(m.pk, 0)) for m in members]}


class TeamViews(ObjectViews):
    model = Team
    table = tables.TeamTable
    filterset = filters.TeamFilterSet
    form = forms.TeamForm
    detail_view = TeamDetailView
    select_related = ("project", "leader")


class CategoryViews(ObjectViews):
    model = Category
    table = tables.CategoryTable
    filterset = filters.CategoryFilterSet
    form = forms.CategoryForm
    select_related = ("project", "default_team", "parent")
    detail_fields = [
        "project",
        "full_name",
        "parent",
        "default_team",
        "default_priority",
        "sort_order",
        "is_active",
    ]


class SlaRuleViews(ObjectViews):
    model = SlaRule
    table = tables.SlaRuleTable
    filterset = filters.SlaRuleFilterSet
    form = forms.SlaRuleForm
    select_related = ("project", "category")


class PriceItemViews(ObjectViews):
    model = PriceItem
    table = tables.PriceItemTable
    filterset = filters.PriceItemFilterSet
    form = forms.PriceItemForm
    select_related = ("project",)


class ServiceSettingsViews(ObjectViews):
    model = ServiceSettings
    table = tables.ServiceSettingsTable
    filterset = filters.ServiceSettingsFilterSet
    form = forms.ServiceSettingsForm
    select_related = ("project",)
    actions = ("list", "detail", "edit", "changelog")


class ReturnVisitViews(ObjectViews):
    model = ReturnVisit
    table = tables.ReturnVisitTable
    filterset = filters.ReturnVisitFilterSet
    select_related = ("project", "order", "created_by")
    actions = ("list", "detail", "changelog")
    detail_fields = [
        "project",
        "order",
        "visited_at",
        "method",
        "reached",
        "satisfaction",
        "comment",
        "outcome",
        "created_by",
    ]


@login_required
def setup_defaults(request):
    """POST: create the default settings, teams, categories and SLA rules for the user's projects."""
    from wuye.estate.models import Project
    from wuye.service.services import ensure_service_setup

    if request.method != "POST":
        return redirect("service:category_list")
    scope = user_scope(request.user, "service.add_category")
    if not scope:
        raise PermissionDenied
    projects = Project.objects.restrict(request.user, "view")
    if scope is not ALL:
        projects = projects.filter(pk__in=sorted(scope))
    if request.project is not None:
        projects = projects.filter(pk=request.project.pk)
    for project in projects:
        ensure_service_setup(project)
    messages.success(request, _("Default categories, teams and SLA rules are in place."))
    return redirect("service:category_list")
