from wuye.core.views import ObjectDetailView, ObjectViews
from wuye.estate import filters, forms, tables
from wuye.estate.models import Project


class ProjectDetailView(ObjectDetailView):
    """The project overview: its profile, and figures that later modules add."""

    def extra_context(self, obj):
        from wuye.accounts.models import Membership

        members = (
            Membership.objects.restrict(self.request.user, "view")
            .filter(project=obj)
            .select_related("user", "role")
            .order_by("role__name", "user__username")
        )
        return {"members": members}


class ProjectViews(ObjectViews):
    model = Project
    table = tables.ProjectTable
    filterset = filters.ProjectFilterSet
    form = forms.ProjectForm
    detail_view = ProjectDetailView
