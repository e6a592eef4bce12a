from django.urls import reverse

from wuye.core.views import ObjectDetailView, ObjectViews
from wuye.estate import figures, filters, forms, tables
from wuye.estate.figures import related_count
from wuye.estate.models import ParkingLot, ParkingSpace


class ParkingLotDetailView(ObjectDetailView):
    def extra_context(self, obj):
        spaces = ParkingSpace.objects.restrict(self.request.user, "view").filter(lot=obj)
        return {
            "space_figures": figures.spaces_by_status(spaces),
            "space_list_url": f"{reverse('estate:parkingspace_list')}?lot={obj.pk}",
        }


class ParkingLotViews(ObjectViews):
    model = ParkingLot
    detail_fields = ["project", "name", "kind", "location", "note"]
    table = tables.ParkingLotTable
    filterset = filters.ParkingLotFilterSet
    form = forms.ParkingLotForm
    detail_view = ParkingLotDetailView
    select_related = ("project",)

    @classmethod
    def prepare_queryset(cls, qs):
        return super().prepare_queryset(qs).annotate(space_count=related_count(ParkingSpace, "lot"))


class ParkingSpaceViews(ObjectViews):
    model = ParkingSpace
    detail_fields = ["project", "lot", "code", "kind", "area", "status", "unit", "note"]
    table = tables.ParkingSpaceTable
    filterset = filters.ParkingSpaceFilterSet
    form = forms.ParkingSpaceForm
    select_related = ("project", "lot", "unit")
