"""Billing API of the fees slice: fee setup (CRUD), bulk assignment, price changes, billing runs,
bills with their corrections (void / reduce / waive late fee / limitation events), statements.

Every business step calls the same service as the web page: permissions, approvals and the audit
trail are identical. A correction above the approval limit answers 202 with the approval request.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.response import Response

from wuye.billing import filters
from wuye.billing.api import fees_serializers as s
from wuye.billing.models import (
    Bill,
    BillingRun,
    BillingSchedule,
    FeeAssignment,
    FeeItem,
    FeeStandard,
    LateFeeRule,
)
from wuye.billing.services import assignments as assign_services
from wuye.billing.services import do_reduce_bill, do_void_bill, do_waive_late_fee
from wuye.billing.services.limitation import do_record_bill_event
from wuye.billing.services.runs import enqueue_billing_run
from wuye.core.api.viewsets import ScopedModelPermissions, ScopedModelViewSet, ScopedReadOnlyViewSet
from wuye.core.models import ApprovalRequest, Job
from wuye.core.scoping import has_any_scope, user_scope
from wuye.estate.models import Unit

MANAGE = "billing.manage_standards"


def service_call(func):
    """Run a service; its Django errors become API errors (400 by field, 403)."""
    try:
        return func()
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from None
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        raise serializers.ValidationError(detail) from None


def job_response(job: Job):
    return Response(
        {"job": job.pk, "status": job.status, "url": job.get_absolute_url()}, status=status.HTTP_202_ACCEPTED
    )


# -- setup ------------------------------------------------------------------------------------------
class FeeItemViewSet(ScopedModelViewSet):
    queryset = FeeItem.objects.select_related("project")
    serializer_class = s.FeeItemSerializer
    filterset_class = filters.FeeItemFilterSet


class LateFeeRuleViewSet(ScopedModelViewSet):
    queryset = LateFeeRule.objects.select_related("project")
    serializer_class = s.LateFeeRuleSerializer
    filterset_class = filters.LateFeeRuleFilterSet


class ManageStandardsMixin:
    """Writes also need ``billing.manage_standards`` in the object's (or new object's) project."""

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method in SAFE_METHODS or has_any_scope(request.user, MANAGE):
            return
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        model = self.queryset.model
        if lookup is not None and not model.objects.restrict(request.user, "view").filter(pk=lookup).exists():
            raise NotFound
        self.permission_denied(request, message="You may not manage fee standards.")

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.method not in SAFE_METHODS:
            qs = qs.restrict(self.request.user, "manage_standards")
        return qs

    def _check_manage(self, obj):
        if obj.project_id not in user_scope(self.request.user, MANAGE):
            raise PermissionDenied("You may not manage fee standards in this project.")

    def perform_create(self, serializer):
        with transaction.atomic():
            super().perform_create(serializer)
            self._check_manage(serializer.instance)

    def perform_update(self, serializer):
        with transaction.atomic():
            super().perform_update(serializer)
            self._check_manage(serializer.instance)


class FeeStandardViewSet(ManageStandardsMixin, ScopedModelViewSet):
    queryset = FeeStandard.objects.select_related("project", "item")
    serializer_class = s.FeeStandardSerializer
    filterset_class = filters.FeeStandardFilterSet
    action_permissions = {"change_price": "change"}

    @extend_schema(request=s.ChangePriceSerializer, responses=s.FeeStandardSerializer)
    @action(detail=True, methods=["post"], url_path="change-price")
    def change_price(self, request, pk=None):
        """调价: a new standard with the new price from ``effective_from`` takes over all current
        assignments (``dry_run``: only the counts). 201 with the new standard, or 202 with a Job."""
        old = self.get_object()
        payload = s.ChangePriceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        if d["dry_run"]:
            counts = service_call(
                lambda: assign_services.preview_replace_standard(old=old, effective_from=d["effective_from"])
            )
            return Response(counts)
        result = service_call(
            lambda: assign_services.start_replace_standard(
                actor=request.user,
                old=old,
                effective_from=d["effective_from"],
                unit_price=d["unit_price"],
                name=d["name"],
            )
        )
        if isinstance(result, Job):
            return job_response(result)
        data = s.FeeStandardSerializer(result, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


class FeeAssignmentViewSet(ManageStandardsMixin, ScopedModelViewSet):
    queryset = FeeAssignment.objects.select_related("project", "standard", "unit", "parking_space")
    serializer_class = s.FeeAssignmentSerializer
    filterset_class = filters.FeeAssignmentAPIFilterSet


class BillingScheduleViewSet(ScopedModelViewSet):
    queryset = BillingSchedule.objects.select_related("project").prefetch_related("items")
    serializer_class = s.BillingScheduleSerializer
    filterset_class = filters.BillingScheduleFilterSet


class BulkAssignmentViewSet(viewsets.ViewSet):
    """Assign one standard to every unit of a building / usage / status, or to a lot's spaces.

    ``POST preview/`` counts; ``POST apply/`` does it (200 with the counts, or 202 with a Job).
    """

    permission_classes = [IsAuthenticated]

    def _prepare(self, request):
        if not has_any_scope(request.user, MANAGE):
            raise PermissionDenied("You may not manage fee standards.")
        payload = s.BulkAssignRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        standards = FeeStandard.objects.restrict(request.user, "view").restrict(
            request.user, "manage_standards"
        )
        standard = get_object_or_404(standards.select_related("project"), pk=d["standard"])
        selection = assign_services.Selection(
            project=standard.project,
            building_id=d.get("building"),
            usage=d.get("usage") or "",
            statuses=tuple(d.get("statuses") or ()),
            lot_id=d.get("lot"),
        )
        return standard, selection, d["start_date"]

    @extend_schema(request=s.BulkAssignRequestSerializer, responses=None)
    @action(detail=False, methods=["post"])
    def preview(self, request):
        standard, selection, start = self._prepare(request)
        return Response(
            service_call(
                lambda: assign_services.preview_bulk_assignment(
                    standard=standard, selection=selection, start_date=start
                )
            )
        )

    @extend_schema(request=s.BulkAssignRequestSerializer, responses=None)
    @action(detail=False, methods=["post"])
    def apply(self, request):
        standard, selection, start = self._prepare(request)
        result = service_call(
            lambda: assign_services.start_bulk_assign(
                actor=request.user, standard=standard, selection=selection, start_date=start
            )
        )
        if isinstance(result, Job):
            return job_response(result)
        return Response(result)


# -- runs -------------------------------------------------------------------------------------------
class ActionScopedViewSet(ScopedReadOnlyViewSet):
    """Read-only rows plus POST steps; a step reaches only the rows where the user holds its
    permission (others answer 404)."""

    def get_queryset(self):
        qs = super().get_queryset()
        action_name = self.get_permission_action()
        if action_name != "view":
            qs = qs.restrict(self.request.user, action_name)
        return qs


class BillingRunViewSet(mixins.CreateModelMixin, ActionScopedViewSet):
    """Billing runs. ``POST`` starts one for a project and a month (a Job; 202 with its id)."""

    queryset = BillingRun.objects.select_related("project")
    serializer_class = s.BillingRunSerializer
    filterset_class = filters.BillingRunFilterSet
    action_permissions = {"create": "run_billing"}

    @extend_schema(request=s.BillingRunRequestSerializer, responses={202: s.JobStartedSerializer})
    def create(self, request, *args, **kwargs):
        payload = s.BillingRunRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        from wuye.estate.models import Project

        project = Project.objects.filter(
            pk=d["project"], pk__in=_scope_ids(request.user, "billing.run_billing")
        )
        project = project.first()
        if project is None:
            raise serializers.ValidationError({"project": "Choose a project where you may run billing."})
        names = set(d["items"])
        if names:
            known = {
                n
                for pair in FeeItem.objects.filter(project=project).values_list("name", "pk")
                for n in (pair[0], str(pair[1]))
            }
            missing = sorted(names - known)
            if missing:
                raise serializers.ValidationError({"items": f"Unknown fee items: {', '.join(missing)}"})
        job = enqueue_billing_run(
            actor=request.user, project=project, period=d["period"], items=d["items"] or None
        )
        return job_response(job)


def _scope_ids(user, perm):
    from wuye.core.scoping import ALL
    from wuye.estate.models import Project

    scope = user_scope(user, perm)
    return Project.objects.values("pk") if scope is ALL else sorted(scope)


# -- bills ------------------------------------------------------------------------------------------
BILL_STEPS = {
    "void": "void_bill",
    "reduce": "reduce_bill",
    "waive_late_fee": "waive_late_fee",
    "events": "change",
}


class BillViewSet(ActionScopedViewSet):
    """Bills (read-only: they change only through the steps). The list answer carries ``totals`` of
    the whole filtered set (count, amount, discount, paid, outstanding)."""

    queryset = Bill.objects.select_related("project", "unit", "parking_space", "item")
    serializer_class = s.BillSerializer
    filterset_class = filters.BillAPIFilterSet
    action_permissions = BILL_STEPS
    ordering_fields = ["due_date", "period_start", "amount", "number", "status"]

    def get_serializer_class(self):
        if self.action == "list":
            return s.BillSerializer
        return s.BillDetailSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            qs = qs.select_related("standard__late_fee_rule").prefetch_related(
                "allocations__payment", "adjustments", "events"
            )
        return qs

    def list(self, request, *args, **kwargs):
        from wuye.billing.views.fees_bills import bill_totals

        response = super().list(request, *args, **kwargs)
        totals = bill_totals(self.filter_queryset(self.get_queryset()))
        response.data["totals"] = {k: str(v) if k != "count" else v for k, v in totals.items()}
        return response

    def _step(self, payload_class, run):
        bill = self.get_object()
        payload = payload_class(data=self.request.data)
        payload.is_valid(raise_exception=True)
        result = service_call(lambda: run(bill, payload.validated_data))
        if isinstance(result, ApprovalRequest):
            return Response(
                {
                    "approval": result.pk,
                    "status": result.status,
                    "title": result.title,
                    "url": reverse("core:approval_detail", kwargs={"pk": result.pk}),
                },
                status=status.HTTP_202_ACCEPTED,
            )
        bill = self.get_queryset().model.objects.select_related("standard__late_fee_rule").get(pk=bill.pk)
        return Response(s.BillDetailSerializer(bill, context=self.get_serializer_context()).data)

    @extend_schema(request=s.ReasonSerializer, responses=s.BillDetailSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        return self._step(
            s.ReasonSerializer, lambda b, d: do_void_bill(actor=request.user, bill=b, reason=d["reason"])
        )

    @extend_schema(
        request=s.ReduceSerializer, responses={200: s.BillDetailSerializer, 202: s.ApprovalPendingSerializer}
    )
    @action(detail=True, methods=["post"])
    def reduce(self, request, pk=None):
        return self._step(
            s.ReduceSerializer,
            lambda b, d: do_reduce_bill(
                actor=request.user, bill=b, amount=d["amount"], reason=d["reason"], kind=d["kind"]
            ),
        )

    @extend_schema(
        request=s.WaiveSerializer, responses={200: s.BillDetailSerializer, 202: s.ApprovalPendingSerializer}
    )
    @action(detail=True, methods=["post"], url_path="waive-late-fee")
    def waive_late_fee(self, request, pk=None):
        return self._step(
            s.WaiveSerializer,
            lambda b, d: do_waive_late_fee(
                actor=request.user, bill=b, amount=d["amount"], reason=d["reason"]
            ),
        )

    @extend_schema(request=s.BillEventRequestSerializer, responses=s.BillDetailSerializer)
    @action(detail=True, methods=["post"])
    def events(self, request, pk=None):
        """Record a delivered demand or a repayment agreement: it restarts the limitation period."""
        return self._step(
            s.BillEventRequestSerializer,
            lambda b, d: do_record_bill_event(
                actor=request.user, bill=b, kind=d["kind"], date=d["date"], note=d["note"]
            ),
        )


# -- statements -------------------------------------------------------------------------------------
class UnitStatementViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """``GET /billing/unit-statements/{unit id}/?date_from=&date_to=``: a unit's statement."""

    queryset = Unit.objects.select_related("project")
    permission_classes = [ScopedModelPermissions]
    action_permissions: dict = {}

    def get_permission_action(self):
        return "view"

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")

    @extend_schema(
        parameters=[OpenApiParameter("date_from", str), OpenApiParameter("date_to", str)], responses=None
    )
    def retrieve(self, request, *args, **kwargs):
        from wuye.billing.forms import StatementForm
        from wuye.billing.statements import build_statement

        unit = self.get_object()
        if unit.project_id not in user_scope(request.user, "billing.view_bill"):
            raise PermissionDenied("You may not see the bills of this project.")
        date_from, date_to = StatementForm(request.query_params or None).range()
        st = build_statement(unit, date_from, date_to)
        return Response(
            {
                "unit": unit.pk,
                "unit_code": unit.code,
                "date_from": date_from,
                "date_to": date_to,
                "payers": st.payers,
                "opening": str(st.opening),
                "charged": str(st.charged),
                "reduced": str(st.reduced),
                "paid": str(st.paid),
                "closing": str(st.closing),
                "closing_upper": st.closing_upper,
                "late_fee_due": str(st.late_fee_due),
                "late_fee_paid": str(st.late_fee_paid),
                "late_fee_waived": str(st.late_fee_waived),
                "prepaid": str(st.prepaid_total),
                "lines": [
                    {
                        "date": line.date,
                        "kind": line.kind,
                        "ref": line.ref,
                        "text": line.text,
                        "debit": str(line.debit),
                        "credit": str(line.credit),
                        "late_fee": str(line.late_fee),
                        "balance": str(line.balance),
                    }
                    for line in st.lines
                ],
                "open_bills": [
                    {"bill": b.pk, "number": b.number, "outstanding": str(o), "late_fee": str(f)}
                    for b, o, f in st.open_bills
                ],
            }
        )


routes = [
    ("billing/fee-items", FeeItemViewSet, "billing-feeitem"),
    ("billing/late-fee-rules", LateFeeRuleViewSet, "billing-latefeerule"),
    ("billing/fee-standards", FeeStandardViewSet, "billing-feestandard"),
    ("billing/fee-assignments", FeeAssignmentViewSet, "billing-feeassignment"),
    ("billing/bulk-assignments", BulkAssignmentViewSet, "billing-bulkassignment"),
    ("billing/schedules", BillingScheduleViewSet, "billing-billingschedule"),
    ("billing/runs", BillingRunViewSet, "billing-billingrun"),
    ("billing/bills", BillViewSet, "billing-bill"),
    ("billing/unit-statements", UnitStatementViewSet, "billing-unitstatement"),
]
