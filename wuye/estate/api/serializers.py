from rest_framework import serializers

from wuye.core.api.serializers import ValidatedModelSerializer
from wuye.estate import services
from wuye.estate.models import Building, Entrance, ParkingLot, ParkingSpace, Project, Unit


class ProjectSerializer(ValidatedModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id",
            "display",
            "name",
            "code",
            "city",
            "district",
            "address",
            "service_grade",
            "fee_model",
            "managed_area",
            "handover_date",
            "status",
            "service_phone",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class BuildingSerializer(ValidatedModelSerializer):
    unit_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Building
        validators = []  # uniqueness: the model's full_clean(), with the error on its field
        fields = [
            "id",
            "display",
            "project",
            "number",
            "name",
            "building_type",
            "floors_above",
            "floors_below",
            "elevator_count",
            "completion_date",
            "note",
            "unit_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class EntranceSerializer(ValidatedModelSerializer):
    building_number = serializers.CharField(source="building.number", read_only=True)
    unit_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Entrance
        validators = []  # uniqueness: the model's full_clean(), with the error on its field
        fields = ["id", "display", "project", "building", "building_number", "number", "name", "unit_count"]


class UnitSerializer(ValidatedModelSerializer):
    """A unit with its building and entrance numbers. A status change on update goes through
    ``services.set_unit_status`` (audited); vacancy registration has its own service, not this field."""

    building_number = serializers.CharField(source="building.number", read_only=True)
    entrance_number = serializers.CharField(source="entrance.number", read_only=True, default=None)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Unit
        validators = []  # uniqueness: the model's full_clean(), with the error on its field
        fields = [
            "id",
            "display",
            "project",
            "building",
            "building_number",
            "entrance",
            "entrance_number",
            "code",
            "room_number",
            "floor",
            "building_area",
            "inner_area",
            "usage",
            "layout",
            "status",
            "status_display",
            "delivery_date",
            "vacancy_registered",
            "vacancy_registered_on",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["vacancy_registered", "vacancy_registered_on", "created_at", "updated_at"]

    def get_display(self, obj) -> str:
        return obj.code

    def validate(self, attrs):
        # The base validation copies attrs onto the instance to run full_clean(): remember the
        # stored status first, so that update() can hand the change to the service.
        if self.instance is not None:
            self._stored_status = self.instance.status
        return super().validate(attrs)

    def update(self, instance, validated_data):
        stored = getattr(self, "_stored_status", instance.status)
        status = validated_data.pop("status", stored)
        instance.status = stored
        unit = super().update(instance, validated_data)
        if status != stored:
            request = self.context.get("request")
            services.set_unit_status(actor=getattr(request, "user", None), unit=unit, status=status)
        return unit


class ParkingLotSerializer(ValidatedModelSerializer):
    space_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ParkingLot
        validators = []  # uniqueness: the model's full_clean(), with the error on its field
        fields = ["id", "display", "project", "name", "kind", "location", "note", "space_count"]


class ParkingSpaceSerializer(ValidatedModelSerializer):
    lot_name = serializers.CharField(source="lot.name", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True, default=None)

    class Meta:
        model = ParkingSpace
        validators = []  # uniqueness: the model's full_clean(), with the error on its field
        fields = [
            "id",
            "display",
            "project",
            "lot",
            "lot_name",
            "code",
            "kind",
            "area",
            "status",
            "unit",
            "unit_code",
            "note",
        ]
