from wuye.core.api.viewsets import ScopedModelViewSet
from wuye.estate import filters
from wuye.estate.api import serializers
from wuye.estate.figures import related_count
from wuye.estate.models import Building, Entrance, ParkingLot, ParkingSpace, Project, Unit


class ProjectViewSet(ScopedModelViewSet):
    queryset = Project.objects.all()
    serializer_class = serializers.ProjectSerializer
    filterset_class = filters.ProjectFilterSet


class BuildingViewSet(ScopedModelViewSet):
    queryset = Building.objects.annotate(unit_count=related_count(Unit, "building"))
    serializer_class = serializers.BuildingSerializer
    filterset_class = filters.BuildingFilterSet


class EntranceViewSet(ScopedModelViewSet):
    queryset = Entrance.objects.select_related("building").annotate(
        unit_count=related_count(Unit, "entrance")
    )
    serializer_class = serializers.EntranceSerializer
    filterset_class = filters.EntranceFilterSet


class UnitViewSet(ScopedModelViewSet):
    queryset = Unit.objects.select_related("building", "entrance")
    serializer_class = serializers.UnitSerializer
    filterset_class = filters.UnitFilterSet
    ordering_fields = ["sort_code", "code", "floor", "building_area", "status", "updated_at"]


class ParkingLotViewSet(ScopedModelViewSet):
    queryset = ParkingLot.objects.annotate(space_count=related_count(ParkingSpace, "lot"))
    serializer_class = serializers.ParkingLotSerializer
    filterset_class = filters.ParkingLotFilterSet


class ParkingSpaceViewSet(ScopedModelViewSet):
    queryset = ParkingSpace.objects.select_related("lot", "unit")
    serializer_class = serializers.ParkingSpaceSerializer
    filterset_class = filters.ParkingSpaceAPIFilterSet
