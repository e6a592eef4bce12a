from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from wuye.core.views import ObjectDetailView, ObjectViews
from wuye.core.views.generic import ScopedViewMixin
from wuye.estate import figures, filters, forms, tables
from wuye.estate.figures import related_count
from wuye.estate.grid import build_grid
from wuye.estate.models import Building, Entrance, Unit

#: the unit columns the grid shows; nothing else is loaded
GRID_UNIT_FIELDS = (
    "id",
    "project_id",
    "building_id",
    "entrance_id",
    "code",
    "room_number",
    "floor",
    "building_area",
    "usage",
    "layout",
    "status",
    "vacancy_registered",
)


def grid_url(building) -> str:
    return reverse("estate:building_grid", kwargs={"pk": building.pk})


class BuildingDetailView(ObjectDetailView):
    def extra_context(self, obj):
        units = Unit.objects.restrict(self.request.user, "view").filter(building=obj)
        return {
            "unit_figures": figures.units_by_status(units),
            "grid_url": grid_url(obj),
            "unit_list_url": f"{reverse('estate:unit_list')}?building={obj.pk}",
        }


class BuildingGridView(ScopedViewMixin, View):
    """楼盘表: one building's floors x units, coloured by status, in a fixed number of queries."""

    model = Building
    template_name = "estate/building_grid.html"

    def get(self, request, *args, **kwargs):
        building = self.get_object()
        user = request.user
        entrances = list(Entrance.objects.restrict(user, "view").filter(building=building).order_by())
        units = list(
            Unit.objects.restrict(user, "view").filter(building=building).only(*GRID_UNIT_FIELDS).order_by()
        )
        title = _("Building grid of %(building)s") % {"building": building}
        context = {
            "object": building,
            "opts": Building._meta,
            "title": title,
            "grid": build_grid(building, units, entrances),
            "breadcrumbs": [
                (self.verbose(plural=True), reverse("estate:building_list")),
                (str(building.project), building.project.get_absolute_url()),
                (str(building), building.get_absolute_url()),
                (_("Building grid"), ""),
            ],
        }
        return render(request, self.template_name, context)


class BuildingViews(ObjectViews):
    model = Building
    detail_fields = [
        "project",
        "number",
        "name",
        "building_type",
        "floors_above",
        "floors_below",
        "elevator_count",
        "completion_date",
        "note",
    ]
    table = tables.BuildingTable
    filterset = filters.BuildingFilterSet
    form = forms.BuildingForm
    detail_view = BuildingDetailView
    select_related = ("project",)

    @classmethod
    def prepare_queryset(cls, qs):
        return super().prepare_queryset(qs).annotate(unit_count=related_count(Unit, "building"))


class EntranceDetailView(ObjectDetailView):
    def extra_context(self, obj):
        units = Unit.objects.restrict(self.request.user, "view").filter(entrance=obj)
        return {
            "unit_figures": figures.units_by_status(units),
            "grid_url": grid_url(obj.building),
            "unit_list_url": f"{reverse('estate:unit_list')}?entrance={obj.pk}",
        }


class EntranceViews(ObjectViews):
    model = Entrance
    detail_fields = ["project", "building", "number", "name"]
    table = tables.EntranceTable
    filterset = filters.EntranceFilterSet
    form = forms.EntranceForm
    detail_view = EntranceDetailView
    select_related = ("project", "building")

    @classmethod
    def prepare_queryset(cls, qs):
        return super().prepare_queryset(qs).annotate(unit_count=related_count(Unit, "entrance"))
