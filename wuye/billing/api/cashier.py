"""Billing API: the mobile cashier flow.

    GET  billing/cashier/units/?q=3-2-1201        find a unit (code, owner, phone tail, plate)
    GET  billing/cashier/units/{id}/              its open bills with late fees as of today, balances
    POST billing/cashier/units/{id}/collect/      {bills, tenders, expected_total, cash_tendered, note}
    POST billing/cashier/units/{id}/deposit/      {tenders, item, note}
    GET  billing/payments/ · {id}/                payments (filters as in the UI)
    POST billing/payments/{id}/receipt/           the receipt PDF (counted: later prints say 补打)
    POST billing/payments/{id}/reverse/           {reason} -> the reversal, or a pending approval (202)
    GET  billing/prepaid-accounts/ · {id}/movements/ · POST {id}/refund/
    GET  billing/day-closes/ · GET|POST today/ (preview | close) · POST {id}/review/

Every step calls the billing services (the only code that moves money).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from wuye.billing.choices import PaymentChannelChoices
from wuye.billing.models import Bill, CashierDayClose, FeeItem, Payment, PaymentTender, PrepaidAccount
from wuye.billing.services import (
    do_collect_payment,
    do_deposit_prepaid,
    do_refund_prepaid,
    do_reverse_payment,
)
from wuye.billing.services.dayclose import day_totals, do_close_day, do_review_day
from wuye.billing.services.receipts import do_print_receipt
from wuye.billing.views.cashier import COLLECT, find_units, open_bills
from wuye.billing.views.cashier_records import _closes_for
from wuye.billing.views.cashier_ui import CashierDayCloseFilterSet, PaymentFilterSet, PrepaidAccountFilterSet
from wuye.core.api.viewsets import ScopedReadOnlyViewSet
from wuye.core.models import ApprovalRequest
from wuye.core.money import ZERO, rmb_upper
from wuye.core.scoping import ALL, user_scope
from wuye.estate.models import Project, Unit

# -- serializers ---------------------------------------------------------------------------------


class UnitHitSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    owners = serializers.SerializerMethodField()
    via = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = ["id", "code", "project", "project_name", "building_area", "owners", "via"]

    def get_owners(self, obj) -> list[str]:
        return self.context.get("owners", {}).get(obj.pk, [])

    def get_via(self, obj) -> str:
        return self.context.get("via", {}).get(obj.pk, "")


class OpenBillSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="bill.pk")
    number = serializers.CharField(source="bill.number")
    item = serializers.CharField(source="bill.item.name")
    period = serializers.CharField(source="bill.period_label")
    due_date = serializers.DateField(source="bill.due_date")
    status = serializers.CharField(source="bill.status")
    amount = serializers.DecimalField(source="bill.amount", max_digits=14, decimal_places=2)
    outstanding = serializers.DecimalField(max_digits=14, decimal_places=2)
    late_fee = serializers.DecimalField(max_digits=14, decimal_places=2)
    due = serializers.DecimalField(max_digits=14, decimal_places=2)


class PrepaidAccountSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True, default=None)

    class Meta:
        model = PrepaidAccount
        fields = ["id", "project", "unit", "unit_code", "item", "item_name", "balance", "updated_at"]


class TenderSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=PaymentChannelChoices.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class CollectSerializer(serializers.Serializer):
    bills = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)
    tenders = TenderSerializer(many=True)
    expected_total = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    cash_tendered = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if attrs["bills"] and attrs.get("expected_total") is None:
            raise serializers.ValidationError(
                {"expected_total": "Send the total due you showed, so that a stale screen takes nothing."}
            )
        return attrs


class DepositSerializer(serializers.Serializer):
    tenders = TenderSerializer(many=True)
    item = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TenderOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaymentTender
        fields = ["channel", "amount", "reference"]


class PaymentSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True, default=None)
    cashier_name = serializers.CharField(source="cashier.__str__", read_only=True)
    tenders = TenderOutSerializer(many=True, read_only=True)
    amount_in_words = serializers.SerializerMethodField()
    receipt_url = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "number",
            "project",
            "unit",
            "unit_code",
            "payer_name",
            "received_at",
            "business_date",
            "cashier",
            "cashier_name",
            "amount",
            "amount_in_words",
            "to_prepaid",
            "cash_tendered",
            "change_given",
            "status",
            "reversal_of",
            "reason",
            "note",
            "print_count",
            "day_close",
            "tenders",
            "receipt_url",
        ]

    def get_amount_in_words(self, obj) -> str:
        return rmb_upper(obj.amount)

    def get_receipt_url(self, obj) -> str:
        return reverse("billing-payment-receipt", kwargs={"pk": obj.pk})


class PaymentDetailSerializer(PaymentSerializer):
    allocations = serializers.SerializerMethodField()

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "allocations"]

    def get_allocations(self, obj) -> list[dict]:
        return [
            {"bill": a.bill_id, "bill_number": a.bill.number, "kind": a.kind, "amount": f"{a.amount:.2f}"}
            for a in obj.allocations.select_related("bill")
        ]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class RefundSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField(max_length=200)


class MovementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    balance_after = serializers.DecimalField(max_digits=14, decimal_places=2)
    payment = serializers.IntegerField(source="payment_id", allow_null=True)
    receipt_number = serializers.CharField(source="payment.number", default=None)
    note = serializers.CharField()


class DayCloseSerializer(serializers.ModelSerializer):
    cashier_name = serializers.CharField(source="cashier.__str__", read_only=True)

    class Meta:
        model = CashierDayClose
        fields = [
            "id",
            "project",
            "cashier",
            "cashier_name",
            "business_date",
            "payment_count",
            "amount_total",
            "totals",
            "closed_at",
            "reviewed_by",
            "reviewed_at",
        ]


class CloseDaySerializer(serializers.Serializer):
    project = serializers.IntegerField(required=False)
    business_date = serializers.DateField(required=False)


def _run(call):
    """Service errors as API errors: validation -> 400, permission -> 403."""
    try:
        return call()
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        raise serializers.ValidationError(detail) from None


class _ActionScopedViewSet(ScopedReadOnlyViewSet):
    """Rows restricted by the permission of the action (collect, refund...), not only "view"."""

    def get_queryset(self):
        qs = self.queryset.all().restrict(self.request.user, self.get_permission_action())
        if self.action == "list" and self.request.query_params.get("project") is None:
            qs = qs.in_project(getattr(self.request, "project", None))
        return qs


# -- units at the desk -----------------------------------------------------------------------------


class CashierUnitViewSet(_ActionScopedViewSet):
    """Units the caller may take payments for; ``?q=`` finds them like the desk's search box."""

    queryset = Unit.objects.select_related("project", "building").order_by("sort_code", "pk")
    serializer_class = UnitHitSerializer
    action_permissions = {"list": COLLECT, "retrieve": COLLECT, "collect": COLLECT, "deposit": COLLECT}

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="unit code, name, phone tail or plate")]
    )
    def list(self, request, *args, **kwargs):
        term = request.query_params.get("q", "").strip()
        if not term:
            return super().list(request, *args, **kwargs)
        hits = find_units(request, term, limit=20)
        context = self.get_serializer_context()
        context["owners"] = {h["unit"].pk: h["owners"] for h in hits}
        context["via"] = {h["unit"].pk: h["via"] for h in hits}
        data = UnitHitSerializer([h["unit"] for h in hits], many=True, context=context).data
        return Response({"count": len(data), "next": None, "previous": None, "results": data})

    def _desk(self, unit):
        rows = open_bills(self.request, unit, timezone.localdate())
        accounts = (
            PrepaidAccount.objects.restrict(self.request.user, "view")
            .filter(unit=unit)
            .select_related("unit", "item")
        )
        return {
            "unit": UnitHitSerializer(unit, context=self.get_serializer_context()).data,
            "as_of": timezone.localdate(),
            "payer_name": next((r["bill"].payer_name for r in rows if r["bill"].payer_name), ""),
            "bills": OpenBillSerializer(rows, many=True).data,
            "total_due": f"{sum((r['due'] for r in rows), ZERO):.2f}",
            "prepaid_accounts": PrepaidAccountSerializer(accounts, many=True).data,
        }

    def retrieve(self, request, *args, **kwargs):
        return Response(self._desk(self.get_object()))

    @extend_schema(request=CollectSerializer, responses=PaymentSerializer)
    @action(detail=True, methods=["post"])
    def collect(self, request, pk=None):
        unit = self.get_object()
        payload = CollectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        wanted = set(data["bills"])
        found = set(
            Bill.objects.restrict(request.user, "view")
            .filter(unit=unit, pk__in=wanted)
            .values_list("pk", flat=True)
        )
        if found != wanted:
            raise NotFound("Some bills do not exist for this unit.")
        payment = _run(
            lambda: do_collect_payment(
                actor=request.user,
                project=unit.project,
                unit=unit,
                bills=sorted(found),
                tenders=[(t["channel"], t["amount"], t["reference"]) for t in data["tenders"]],
                expected_total=data.get("expected_total"),
                cash_tendered=data.get("cash_tendered"),
                note=data["note"],
            )
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DepositSerializer, responses=PaymentSerializer)
    @action(detail=True, methods=["post"])
    def deposit(self, request, pk=None):
        unit = self.get_object()
        payload = DepositSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        item = None
        if data.get("item"):
            item = get_object_or_404(
                FeeItem.objects.restrict(request.user, "view").filter(project_id=unit.project_id),
                pk=data["item"],
            )
        payment = _run(
            lambda: do_deposit_prepaid(
                actor=request.user,
                project=unit.project,
                unit=unit,
                item=item,
                tenders=[(t["channel"], t["amount"], t["reference"]) for t in data["tenders"]],
                note=data["note"],
            )
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


# -- payments -------------------------------------------------------------------------------------


class PaymentViewSet(_ActionScopedViewSet):
    queryset = Payment.objects.select_related("project", "unit", "cashier").prefetch_related(
        Prefetch("tenders", queryset=PaymentTender.objects.order_by("pk"))
    )
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet
    action_permissions = {"receipt": "view", "reverse": "refund_payment"}

    def get_serializer_class(self):
        return PaymentDetailSerializer if self.action == "retrieve" else PaymentSerializer

    @extend_schema(request=None, responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["post"])
    def receipt(self, request, pk=None):
        payment = self.get_object()
        pdf, count = do_print_receipt(actor=request.user, payment=payment)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{payment.number}.pdf"'
        response["X-Print-Count"] = str(count)
        return response

    @extend_schema(request=ReasonSerializer, responses=PaymentSerializer)
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        payment = self.get_object()
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        result = _run(
            lambda: do_reverse_payment(
                actor=request.user, payment=payment, reason=payload.validated_data["reason"]
            )
        )
        if isinstance(result, ApprovalRequest):
            return Response(
                {
                    "status": "waiting_for_approval",
                    "approval": result.pk,
                    "title": result.title,
                    "url": reverse("core:approval_detail", kwargs={"pk": result.pk}),
                },
                status=status.HTTP_202_ACCEPTED,
            )
        return Response(PaymentSerializer(result).data, status=status.HTTP_201_CREATED)


# -- prepaid accounts ------------------------------------------------------------------------------


class PrepaidAccountViewSet(_ActionScopedViewSet):
    queryset = PrepaidAccount.objects.select_related("project", "unit", "item")
    serializer_class = PrepaidAccountSerializer
    filterset_class = PrepaidAccountFilterSet
    action_permissions = {"movements": "view", "refund": "refund_payment"}

    @extend_schema(responses=MovementSerializer(many=True))
    @action(detail=True, methods=["get"])
    def movements(self, request, pk=None):
        account = self.get_object()
        rows = account.movements.select_related("payment").order_by("pk")
        return Response(MovementSerializer(rows, many=True).data)

    @extend_schema(request=RefundSerializer, responses=PrepaidAccountSerializer)
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        account = self.get_object()
        payload = RefundSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        _run(
            lambda: do_refund_prepaid(
                actor=request.user,
                project=account.project,
                unit=account.unit,
                item=account.item,
                amount=payload.validated_data["amount"],
                reason=payload.validated_data["reason"],
            )
        )
        account.refresh_from_db()
        return Response(PrepaidAccountSerializer(account).data)


# -- day close ------------------------------------------------------------------------------------


class DayCloseViewSet(_ActionScopedViewSet):
    """Closes the caller may see (finance: everyone's; a cashier: their own); ``today`` previews
    (GET: totals by channel and the day's receipts as ``results``) or closes (POST) the caller's day."""

    queryset = CashierDayClose.objects.select_related("project", "cashier", "reviewed_by")
    serializer_class = DayCloseSerializer
    filterset_class = CashierDayCloseFilterSet
    action_permissions = {"today": "close_day", "review": "review_day"}

    def get_queryset(self):
        qs = super().get_queryset()
        return qs if self.action == "review" else _closes_for(self.request.user, qs)

    def _project(self, wanted):
        scope = user_scope(self.request.user, "billing.close_day")
        projects = Project.objects.all() if scope is ALL else Project.objects.filter(pk__in=sorted(scope))
        if wanted:
            return get_object_or_404(projects, pk=wanted)
        current = getattr(self.request, "project", None)
        if current is not None and projects.filter(pk=current.pk).exists():
            return current
        only = list(projects[:2])
        if len(only) != 1:
            raise serializers.ValidationError({"project": "Say which project."})
        return only[0]

    @extend_schema(request=CloseDaySerializer, responses=DayCloseSerializer)
    @action(detail=False, methods=["get", "post"])
    def today(self, request):
        payload = CloseDaySerializer(data=request.data if request.method == "POST" else request.query_params)
        payload.is_valid(raise_exception=True)
        project = self._project(payload.validated_data.get("project"))
        day = payload.validated_data.get("business_date") or timezone.localdate()
        if request.method == "POST":
            close = _run(lambda: do_close_day(actor=request.user, project=project, business_date=day))
            return Response(DayCloseSerializer(close).data, status=status.HTTP_201_CREATED)
        totals = day_totals(project=project, cashier=request.user, business_date=day)
        close = CashierDayClose.objects.filter(
            project=project, cashier=request.user, business_date=day
        ).first()
        receipts = (
            Payment.objects.restrict(request.user, "view")
            .filter(project=project, cashier=request.user, business_date=day)
            .select_related("unit", "cashier")
            .prefetch_related(Prefetch("tenders", queryset=PaymentTender.objects.order_by("pk")))
            .order_by("received_at", "pk")
        )
        return Response(
            {
                "project": project.pk,
                "business_date": day,
                "closed": close is not None,
                "close": close.pk if close else None,
                "payment_count": totals.payment_count,
                "amount_total": f"{totals.amount_total:.2f}",
                "totals": totals.totals_json(),
                "reversal_count": totals.reversal_count,
                "reversal_total": f"{totals.reversal_total:.2f}",
                "results": PaymentSerializer(receipts, many=True).data,
            }
        )

    @extend_schema(request=None, responses=DayCloseSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        close = self.get_object()
        close = _run(
            lambda: do_review_day(actor=request.user, close=close, note=request.data.get("note", ""))
        )
        return Response(DayCloseSerializer(close).data)


routes = [
    ("billing/cashier/units", CashierUnitViewSet, "billing-cashier-unit"),
    ("billing/payments", PaymentViewSet, "billing-payment"),
    ("billing/prepaid-accounts", PrepaidAccountViewSet, "billing-prepaidaccount"),
    ("billing/day-closes", DayCloseViewSet, "billing-dayclose"),
]
