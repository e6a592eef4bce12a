from types import SimpleNamespace

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from wuye.core.api.viewsets import ScopedModelPermissions, ScopedModelViewSet
from wuye.core.scoping import user_scope
from wuye.estate.models import Unit
from wuye.residents import filters, services
from wuye.residents.api import serializers
from wuye.residents.models import Occupancy, Ownership, Person, Vehicle


def _require_in_project(user, perm, project_id):
    if project_id not in user_scope(user, perm):
        raise PermissionDenied("You do not have this permission in the object's project.")


class PersonViewSet(ScopedModelViewSet):
    """People; phones and ID numbers are masked. ``reveal`` returns them in full and logs it."""

    queryset = Person.objects.select_related("project")
    serializer_class = serializers.PersonSerializer
    filterset_class = filters.PersonFilterSet
    action_permissions = {"reveal": "reveal_person", "anonymize": "delete"}

    def get_queryset(self):
        if self.action in ("reveal", "anonymize"):
            # Another project's person is 404; a visible one without the permission is 403 (below).
            return self.queryset.restrict(self.request.user, "view")
        return super().get_queryset()

    @extend_schema(request=None, responses=serializers.RevealSerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        person = self.get_object()
        _require_in_project(request.user, "residents.reveal_person", person.project_id)
        data = services.do_reveal_person(actor=request.user, person=person, channel="api")
        return Response(serializers.RevealSerializer(data).data)

    @extend_schema(request=None, responses=serializers.PersonSerializer)
    @action(detail=True, methods=["post"])
    def anonymize(self, request, pk=None):
        person = self.get_object()
        _require_in_project(request.user, "residents.delete_person", person.project_id)
        person = services.do_anonymize_person(actor=request.user, person=person)
        return Response(self.get_serializer(person).data)


class OwnershipViewSet(ScopedModelViewSet):
    """Creating an open ownership registers an owner (share rules, representative, unit status)."""

    queryset = Ownership.objects.select_related("project", "unit", "person")
    serializer_class = serializers.OwnershipSerializer
    filterset_class = filters.OwnershipFilterSet

    def perform_create(self, serializer):
        data = serializer.validated_data
        if data.get("end_date"):
            return super().perform_create(serializer)
        with transaction.atomic():
            ownership = services.do_register_owner(
                actor=self.request.user,
                unit=data["unit"],
                person=data["person"],
                share=data.get("share", 100),
                is_representative=data.get("is_representative"),
                certificate_number=data.get("certificate_number", ""),
                start_date=data.get("start_date"),
                note=data.get("note", ""),
            )
            self._check_scope(ownership, "add")
        serializer.instance = ownership


class OccupancyViewSet(ScopedModelViewSet):
    queryset = Occupancy.objects.select_related("project", "unit", "person")
    serializer_class = serializers.OccupancySerializer
    filterset_class = filters.OccupancyFilterSet


class VehicleViewSet(ScopedModelViewSet):
    queryset = Vehicle.objects.select_related("project", "person", "parking_space")
    serializer_class = serializers.VehicleSerializer
    filterset_class = filters.VehicleFilterSet


class UnitResidentsViewSet(viewsets.GenericViewSet):
    """Owners and residents of a unit, and the business steps on them: transfer (过户), move-in (入住),
    move-out (迁出). Another project's unit answers 404; a missing permission 403."""

    queryset = Unit.objects.select_related("project")
    serializer_class = serializers.UnitResidentsSerializer
    permission_classes = [ScopedModelPermissions]
    action_permissions = {
        "residents": "residents.view_ownership",
        "transfer": "residents.change_ownership",
        "move_in": "residents.add_occupancy",
        "move_out": "residents.change_occupancy",
    }
    get_permission_action = ScopedModelViewSet.get_permission_action

    def get_queryset(self):
        return self.queryset.restrict(self.request.user, "view")

    def get_unit(self):
        unit = self.get_object()
        _require_in_project(self.request.user, self.action_permissions[self.action], unit.project_id)
        return unit

    def summary(self, unit):
        unit.refresh_from_db()
        owners = (
            Ownership.objects.restrict(self.request.user, "view")
            .filter(unit=unit)
            .current()
            .select_related("unit", "person")
            .order_by("-is_representative", "pk")
        )
        occupants = (
            Occupancy.objects.restrict(self.request.user, "view")
            .filter(unit=unit)
            .current()
            .select_related("unit", "person")
        )
        data = SimpleNamespace(
            pk=unit.pk,
            code=unit.code,
            status=unit.status,
            delivery_date=unit.delivery_date,
            owners=list(owners),
            occupants=list(occupants),
        )
        return Response(serializers.UnitResidentsSerializer(data, context=self.get_serializer_context()).data)

    def read(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(responses=serializers.UnitResidentsSerializer)
    @action(detail=True, methods=["get"])
    def residents(self, request, pk=None):
        return self.summary(self.get_unit())

    @extend_schema(request=serializers.TransferSerializer, responses=serializers.UnitResidentsSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        unit = self.get_unit()
        data = self.read(serializers.TransferSerializer)
        services.do_transfer_ownership(
            actor=request.user,
            unit=unit,
            new_owners=[(o["person"], o["share"]) for o in data["owners"]],
            date=data["date"],
            certificate_number=data.get("certificate_number", ""),
            deliver=data.get("deliver", False),
        )
        return self.summary(unit)

    @extend_schema(request=serializers.MoveInSerializer, responses=serializers.UnitResidentsSerializer)
    @action(detail=True, methods=["post"], url_path="move-in")
    def move_in(self, request, pk=None):
        unit = self.get_unit()
        data = self.read(serializers.MoveInSerializer)
        services.do_move_in(
            actor=request.user,
            unit=unit,
            date=data["date"],
            occupants=[(o["person"], o["relationship"]) for o in data.get("occupants", [])],
            tenant=data.get("tenant"),
            tenant_pays=data.get("tenant_pays", False),
        )
        return self.summary(unit)

    @extend_schema(request=serializers.MoveOutSerializer, responses=serializers.UnitResidentsSerializer)
    @action(detail=True, methods=["post"], url_path="move-out")
    def move_out(self, request, pk=None):
        unit = self.get_unit()
        data = self.read(serializers.MoveOutSerializer)
        services.do_move_out(
            actor=request.user,
            unit=unit,
            date=data["date"],
            people=data.get("people") or None,
            note=data.get("note", ""),
        )
        return self.summary(unit)
