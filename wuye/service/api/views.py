"""Service-desk API: CRUD for the configuration, work orders with one POST action per step.

The owner portal and the staff app use the same steps as the web UI: every action calls the same
service function, so permissions, the state machine and the audit trail are identical.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from wuye.core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from wuye.core.scoping import has_any_scope
from wuye.service import filters, reports, services
from wuye.service.api import serializers as s
from wuye.service.models import (
    Category,
    PriceItem,
    ReturnVisit,
    ServiceSettings,
    SlaRule,
    Team,
    WorkOrder,
)


class TeamViewSet(ScopedModelViewSet):
    queryset = Team.objects.select_related("project").prefetch_related("members")
    serializer_class = s.TeamSerializer
    filterset_class = filters.TeamFilterSet


class CategoryViewSet(ScopedModelViewSet):
    queryset = Category.objects.select_related("project")
    serializer_class = s.CategorySerializer
    filterset_class = filters.CategoryFilterSet


class SlaRuleViewSet(ScopedModelViewSet):
    queryset = SlaRule.objects.select_related("project", "category")
    serializer_class = s.SlaRuleSerializer
    filterset_class = filters.SlaRuleFilterSet


class PriceItemViewSet(ScopedModelViewSet):
    queryset = PriceItem.objects.select_related("project")
    serializer_class = s.PriceItemSerializer
    filterset_class = filters.PriceItemFilterSet


class ServiceSettingsViewSet(ScopedModelViewSet):
    """Per-project settings (created with the project's first order): read and change only."""

    queryset = ServiceSettings.objects.select_related("project")
    serializer_class = s.ServiceSettingsSerializer
    filterset_class = filters.ServiceSettingsFilterSet

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST", detail="Settings are created with the project's service desk.")

    def destroy(self, request, *args, **kwargs):
        self.get_object()
        raise MethodNotAllowed("DELETE")


class ReturnVisitViewSet(ScopedReadOnlyViewSet):
    queryset = ReturnVisit.objects.select_related("project", "order")
    serializer_class = s.ReturnVisitSerializer
    filterset_class = filters.ReturnVisitFilterSet


DISPATCH, HANDLE, VISIT, CLOSE = (
    "dispatch_workorder",
    "handle_workorder",
    "return_visit_workorder",
    "close_workorder",
)

STEP_PERMISSIONS = {
    "assign": DISPATCH,
    "transfer": DISPATCH,
    "cancel": DISPATCH,
    "resolve": DISPATCH,
    "grab": HANDLE,
    "decline": HANDLE,
    "accept": HANDLE,
    "arrive": HANDLE,
    "start": HANDLE,
    "pause": HANDLE,
    "resume": HANDLE,
    "complete": HANDLE,
    "confirm": VISIT,
    "reopen": VISIT,
    "return_visit": VISIT,
    "accept_quote": VISIT,
    "decline_quote": VISIT,
    "close": CLOSE,
    "comment": "change",
    "photos": "change",
    "quote_lines": "change",
    "propose_quote": "change",
    "timeline": "view",
}


class WorkOrderViewSet(ScopedModelViewSet):
    """Work orders. Create = register (number, SLA clocks, dispatch). Each step is a POST action.

    Orders are records: they are cancelled, never deleted.
    """

    queryset = WorkOrder.objects.select_related("project", "category", "team", "assignee", "unit")
    serializer_class = s.WorkOrderSerializer
    filterset_class = filters.WorkOrderApiFilterSet
    action_permissions = STEP_PERMISSIONS

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.WorkOrderDetailSerializer
        return super().get_serializer_class()

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related("clocks", "quote_lines")
        return qs

    def perform_create(self, serializer):
        with transaction.atomic():
            order = WorkOrder(**serializer.validated_data)
            if order.reporter_id and not order.contact_phone:
                order.contact_phone = order.reporter.phone
            order = services.do_create_workorder(actor=self.request.user, order=order)
            serializer.instance = order
            self._check_scope(order, "add")

    def destroy(self, request, *args, **kwargs):
        self.get_object()
        raise MethodNotAllowed("DELETE", detail="Work orders are cancelled, never deleted.")

    def perform_update(self, serializer):
        from wuye.service.choices import OPEN_STATUSES

        if serializer.instance.status not in OPEN_STATUSES:
            raise PermissionDenied("A finished order cannot be edited.")
        super().perform_update(serializer)

    # -- steps ---------------------------------------------------------------------------
    def _step(self, payload_class, run):
        order = self.get_object()
        data = {}
        if payload_class is not None:
            payload = payload_class(data=self.request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
        try:
            run(order, data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            raise serializers.ValidationError(detail) from None
        order.refresh_from_db()
        return Response(s.WorkOrderDetailSerializer(order, context=self.get_serializer_context()).data)

    def _team(self, pk):
        return get_object_or_404(Team.objects.restrict(self.request.user, "view"), pk=pk)

    @extend_schema(request=s.AssignSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        from wuye.accounts.models import User

        def run(o, d):
            assignee = get_object_or_404(User.objects.filter(is_active=True), pk=d["assignee"])
            team = self._team(d["team"]) if d.get("team") else None
            services.do_assign_workorder(
                actor=request.user, order=o, assignee=assignee, team=team, note=d["note"]
            )

        return self._step(s.AssignSerializer, run)

    @extend_schema(request=s.TeamStepSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        return self._step(
            s.TeamStepSerializer,
            lambda o, d: services.do_transfer_workorder(
                actor=request.user, order=o, team=self._team(d["team"]), reason=d["reason"]
            ),
        )

    @extend_schema(request=None, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def grab(self, request, pk=None):
        return self._step(None, lambda o, d: services.do_grab_workorder(actor=request.user, order=o))

    @extend_schema(request=s.ReasonSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._step(
            s.ReasonSerializer,
            lambda o, d: services.do_decline_workorder(actor=request.user, order=o, reason=d["reason"]),
        )

    @extend_schema(request=s.NoteSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._step(
            s.NoteSerializer,
            lambda o, d: services.do_accept_workorder(actor=request.user, order=o, note=d["note"]),
        )

    @extend_schema(request=s.NoteSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        return self._step(
            s.NoteSerializer,
            lambda o, d: services.do_arrive_workorder(actor=request.user, order=o, note=d["note"]),
        )

    @extend_schema(request=s.NoteSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._step(
            s.NoteSerializer,
            lambda o, d: services.do_start_workorder(actor=request.user, order=o, note=d["note"]),
        )

    @extend_schema(request=s.PauseSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._step(
            s.PauseSerializer,
            lambda o, d: services.do_pause_workorder(
                actor=request.user, order=o, reason=d["reason"], note=d["note"]
            ),
        )

    @extend_schema(request=s.NoteSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._step(
            s.NoteSerializer,
            lambda o, d: services.do_resume_workorder(actor=request.user, order=o, note=d["note"]),
        )

    @extend_schema(request=s.CompleteSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._step(
            s.CompleteSerializer,
            lambda o, d: services.do_complete_workorder(
                actor=request.user,
                order=o,
                resolution=d["resolution"],
                materials=d["materials"],
                photos=d["photos"],
            ),
        )

    @extend_schema(request=s.ResolveSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._step(
            s.ResolveSerializer,
            lambda o, d: services.do_resolve_workorder(
                actor=request.user, order=o, resolution=d["resolution"]
            ),
        )

    @extend_schema(request=s.ConfirmSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._step(
            s.ConfirmSerializer,
            lambda o, d: services.do_confirm_workorder(
                actor=request.user,
                order=o,
                satisfied=d["satisfied"],
                rating=d.get("rating"),
                comment=d["comment"],
            ),
        )

    @extend_schema(request=s.ReasonSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._step(
            s.ReasonSerializer,
            lambda o, d: services.do_reopen_workorder(actor=request.user, order=o, reason=d["reason"]),
        )

    @extend_schema(request=s.ReturnVisitStepSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return-visit")
    def return_visit(self, request, pk=None):
        return self._step(
            s.ReturnVisitStepSerializer,
            lambda o, d: services.do_return_visit_workorder(
                actor=request.user,
                order=o,
                satisfaction=d.get("satisfaction"),
                comment=d["comment"],
                method=d["method"],
                reached=d["reached"],
                close=d["close"],
            ),
        )

    @extend_schema(request=s.NoteSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(
            s.NoteSerializer,
            lambda o, d: services.do_close_workorder(actor=request.user, order=o, note=d["note"]),
        )

    @extend_schema(request=s.ReasonSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._step(
            s.ReasonSerializer,
            lambda o, d: services.do_cancel_workorder(actor=request.user, order=o, reason=d["reason"]),
        )

    @extend_schema(request=s.CommentSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request, pk=None):
        return self._step(
            s.CommentSerializer,
            lambda o, d: services.do_add_comment(actor=request.user, order=o, body=d["body"]),
        )

    @extend_schema(request=s.PhotosSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def photos(self, request, pk=None):
        def run(o, d):
            for f in d["photos"]:
                services.do_add_photo(actor=request.user, order=o, file=f, stage=d["stage"])

        return self._step(s.PhotosSerializer, run)

    @extend_schema(request=s.QuoteLineInSerializer, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="quote-lines")
    def quote_lines(self, request, pk=None):
        def run(o, d):
            item = None
            if d.get("price_item"):
                item = get_object_or_404(PriceItem.objects.restrict(request.user, "view"), pk=d["price_item"])
            services.do_add_quote_line(
                actor=request.user,
                order=o,
                price_item=item,
                name=d["name"],
                quantity=d["quantity"],
                unit_price=d.get("unit_price"),
            )

        return self._step(s.QuoteLineInSerializer, run)

    @extend_schema(request=None, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="propose-quote")
    def propose_quote(self, request, pk=None):
        return self._step(None, lambda o, d: services.do_propose_quote(actor=request.user, order=o))

    @extend_schema(request=None, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="accept-quote")
    def accept_quote(self, request, pk=None):
        return self._step(None, lambda o, d: services.do_accept_quote(actor=request.user, order=o))

    @extend_schema(request=None, responses=s.WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="decline-quote")
    def decline_quote(self, request, pk=None):
        return self._step(None, lambda o, d: services.do_decline_quote(actor=request.user, order=o))

    @extend_schema(responses=s.TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        from wuye.service.views.orders import timeline

        items, _photos = timeline(self.get_object())
        return Response(
            [
                {
                    "at": i["at"],
                    "title": str(i["title"]),
                    "text": i.get("text") or "",
                    "actor": str(i["actor"]) if i.get("actor") else None,
                }
                for i in items
            ]
        )


class KpiViewSet(viewsets.ViewSet):
    """Service KPIs: ``?by=category|team|assignee|project|kind`` or ``?interval=day|week|month``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str),
            OpenApiParameter("end", str),
            OpenApiParameter("by", str),
            OpenApiParameter("interval", str),
            OpenApiParameter("project", int),
        ],
        responses={200: serializers.ListSerializer(child=serializers.DictField())},
    )
    def list(self, request):
        if not has_any_scope(request.user, "service.view_service_kpis"):
            raise PermissionDenied
        p = request.query_params
        try:
            start = datetime.date.fromisoformat(p["start"]) if p.get("start") else None
            end = datetime.date.fromisoformat(p["end"]) if p.get("end") else None
        except ValueError:
            raise serializers.ValidationError({"start": "Use YYYY-MM-DD."}) from None
        project = None
        if p.get("project", "").isdigit():
            from wuye.estate.models import Project

            project = get_object_or_404(Project.objects.restrict(request.user, "view"), pk=int(p["project"]))
        qs = reports.kpi_queryset(request.user, project=project, start=start, end=end)
        interval = p.get("interval") if p.get("interval") in reports.INTERVALS else None
        by = p.get("by") if p.get("by") in reports.DIMENSIONS else "none"
        rows = reports.kpis(qs, dimension=by, interval=interval)
        for r in rows:
            r["key"] = r["key"].isoformat() if hasattr(r["key"], "isoformat") else r["key"]
        return Response(rows)
