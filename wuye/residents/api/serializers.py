"""API representations. Phones and ID numbers are write-only: reads return the masked values; the
full ones only come from the ``reveal`` action (permission ``residents.reveal_person``, logged)."""

from rest_framework import serializers

from wuye.core.api.serializers import ValidatedModelSerializer
from wuye.residents.choices import OccupancyRelationChoices
from wuye.residents.models import Occupancy, Ownership, Person, Vehicle


class PersonSerializer(ValidatedModelSerializer):
    phone = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=20, help_text="Full number; write-only."
    )
    phone_masked = serializers.CharField(read_only=True)
    id_number = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=40,
        help_text="Full number; write-only. On update, omit it (or send an empty string) to keep it.",
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "display",
            "project",
            "kind",
            "name",
            "name_initials",
            "phone",
            "phone_masked",
            "id_type",
            "id_number",
            "id_number_masked",
            "gender",
            "birth_date",
            "is_developer",
            "note",
            "anonymized_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["name_initials", "id_number_masked", "anonymized_at", "created_at", "updated_at"]

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("phone", "id_number"):
                if name in attrs and not (attrs[name] or "").strip():
                    attrs.pop(name)
        return super().validate(attrs)


class UnitDerivedProjectMixin:
    """Ownerships and occupancies belong to their unit's project."""

    def validate(self, attrs):
        unit = attrs.get("unit")
        if unit is not None:
            attrs["project"] = unit.project
        return super().validate(attrs)


class OwnershipSerializer(UnitDerivedProjectMixin, ValidatedModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Ownership
        fields = [
            "id",
            "display",
            "project",
            "unit",
            "unit_code",
            "person",
            "person_name",
            "share",
            "is_representative",
            "certificate_number",
            "start_date",
            "end_date",
            "is_current",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["project", "created_at", "updated_at"]


class OccupancySerializer(UnitDerivedProjectMixin, ValidatedModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Occupancy
        fields = [
            "id",
            "display",
            "project",
            "unit",
            "unit_code",
            "person",
            "person_name",
            "kind",
            "relationship",
            "is_payer",
            "start_date",
            "end_date",
            "is_current",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["project", "created_at", "updated_at"]


class VehicleSerializer(ValidatedModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True, default=None)

    class Meta:
        model = Vehicle
        fields = [
            "id",
            "display",
            "project",
            "plate",
            "vehicle_type",
            "is_new_energy",
            "brand",
            "color",
            "person",
            "person_name",
            "parking_space",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_new_energy", "created_at", "updated_at"]


# -- actions ---------------------------------------------------------------------------------------
class RevealSerializer(serializers.Serializer):
    phone = serializers.CharField()
    id_type = serializers.CharField()
    id_number = serializers.CharField()


class PersonField(serializers.PrimaryKeyRelatedField):
    """A person the requesting user may see (restricted like every related field)."""

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Person.objects.all())  # the model, for the schema
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return Person.objects.restrict(getattr(request, "user", None), "view")


class OwnerShareSerializer(serializers.Serializer):
    person = PersonField()
    share = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)


class TransferSerializer(serializers.Serializer):
    date = serializers.DateField()
    owners = OwnerShareSerializer(many=True, allow_empty=False)
    certificate_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    deliver = serializers.BooleanField(required=False, default=False)


class OccupantSerializer(serializers.Serializer):
    person = PersonField()
    relationship = serializers.ChoiceField(
        choices=OccupancyRelationChoices.choices, default=OccupancyRelationChoices.OTHER
    )


class MoveInSerializer(serializers.Serializer):
    date = serializers.DateField()
    occupants = OccupantSerializer(many=True, required=False, default=list)
    tenant = PersonField(required=False, allow_null=True, default=None)
    tenant_pays = serializers.BooleanField(required=False, default=False)


class MoveOutSerializer(serializers.Serializer):
    date = serializers.DateField()
    people = PersonField(many=True, required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class UnitResidentsSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    status = serializers.CharField()
    delivery_date = serializers.DateField(allow_null=True)
    owners = OwnershipSerializer(many=True)
    occupants = OccupancySerializer(many=True)
