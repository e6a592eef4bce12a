from django.urls import reverse

from wuye.core.scoping import has_any_scope
from wuye.core.views import ObjectDetailView, ObjectViews
from wuye.estate import figures, filters, forms, tables
from wuye.estate.models import Building, ParkingLot, ParkingSpace, Project, Unit


def archive_figures(user, project) -> dict:
    """The project's archive in figures, each an aggregate query through ``restrict``; a figure the
    user may not see is left out."""
    out = {}
    if has_any_scope(user, "estate.view_building"):
        out["buildings"] = Building.objects.restrict(user, "view").filter(project=project).count()
        out["building_list_url"] = f"{reverse('estate:building_list')}?project={project.pk}"
    if has_any_scope(user, "estate.view_unit"):
        units = Unit.objects.restrict(user, "view").filter(project=project)
        out["units"], out["usage"] = figures.unit_figures(units)
        out["unit_list_url"] = f"{reverse('estate:unit_list')}?project={project.pk}"
    if has_any_scope(user, "estate.view_parkingspace"):
        out["spaces"] = figures.spaces_by_status(
            ParkingSpace.objects.restrict(user, "view").filter(project=project)
        )
        out["lots"] = ParkingLot.objects.restrict(user, "view").filter(project=project).count()
        out["space_list_url"] = f"{reverse('estate:parkingspace_list')}?project={project.pk}"
    return out


class ProjectDetailView(ObjectDetailView):
    """The project overview: its profile, its team and its archive in figures."""

    def extra_context(self, obj):
        from wuye.accounts.models import Membership

        members = (
            Membership.objects.restrict(self.request.user, "view")
            .filter(project=obj)
            .select_related("user", "role")
            .order_by("role__name", "user__username")
        )
        return {"members": members, "archive": archive_figures(self.request.user, obj)}


class ProjectViews(ObjectViews):
    model = Project
    table = tables.ProjectTable
    filterset = filters.ProjectFilterSet
    form = forms.ProjectForm
    detail_view = ProjectDetailView
