"""Corrections without deletion: voids, reductions, late-fee waivers, payment reversals."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import (
    AdjustmentKindChoices,
    AllocationKindChoices,
    BillStatusChoices,
    PaymentChannelChoices,
    PaymentStatusChoices,
    PrepaidMovementKindChoices,
)
from wuye.billing.models import Bill, BillAdjustment, Payment, PaymentAllocation, PaymentTender
from wuye.billing.services.latefees import late_fee_for
from wuye.billing.services.payments import _check_day_open, _move, general_account
from wuye.core import approvals, audit
from wuye.core.money import ZERO, fen
from wuye.core.numbering import next_number
from wuye.core.scoping import user_scope


def _require(actor, perm, project):
    if actor is not None and project.pk not in user_scope(actor, perm):
        raise PermissionDenied(_("You do not have permission for this."))


def limit(name: str, default: str) -> Decimal:
    return Decimal(str(getattr(settings, name, default)))


def do_void_bill(*, actor, bill: Bill, reason: str) -> Bill:
    """Void an unpaid bill (wrong amount, wrong unit...). The bill stays, marked voided."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for voiding the bill.")})
    _require(actor, "billing.void_bill", bill.project)
    with transaction.atomic():
        bill = Bill.objects.select_for_update(of=("self",)).get(pk=bill.pk)
        if bill.status == BillStatusChoices.VOIDED:
            raise ValidationError(_("The bill is already voided."))
        if bill.paid_amount != 0 or bill.late_fee_paid != 0 or bill.allocations.exists():
            raise ValidationError(_("Only unpaid bills can be voided; reverse the payment first."))
        bill.status = BillStatusChoices.VOIDED
        bill.voided_at = timezone.now()
        bill.voided_by = actor
        bill.void_reason = reason.strip()[:200]
        bill.save(update_fields=["status", "voided_at", "voided_by", "void_reason", "updated_at"])
        audit.record(actor=actor, action="billing.bill.void", obj=bill, amount=bill.amount, message=reason)
    return bill


def _apply_reduction(bill_id, kind, amount, reason, actor, approval=None):
    bill = Bill.objects.select_for_update(of=("self",)).get(pk=bill_id)
    if kind == AdjustmentKindChoices.LATE_FEE_WAIVER:
        if amount > late_fee_for(bill):
            raise ValidationError({"amount": _("The waiver is more than the late fee due.")})
        bill.late_fee_waived += amount
    else:
        if amount > bill.outstanding:
            raise ValidationError({"amount": _("The reduction is more than the amount still due.")})
        bill.discount_amount += amount
        bill.refresh_status()
    bill.save(update_fields=["discount_amount", "late_fee_waived", "status", "updated_at"])
    adjustment = BillAdjustment.objects.create(
        project_id=bill.project_id,
        bill=bill,
        kind=kind,
        amount=amount,
        reason=reason,
        approval=approval,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action=f"billing.bill.{kind}",
        obj=bill,
        amount=amount,
        message=reason,
        data={"approval": getattr(approval, "pk", None)},
    )
    return adjustment


def _on_reduction_approved(request, actor):
    payload = request.payload
    _apply_reduction(
        payload["bill_id"],
        payload["kind"],
        Decimal(payload["amount"]),
        request.reason,
        request.created_by,
        approval=request,
    )


approvals.register("billing.reduction", label="Bill reduction", on_approved=_on_reduction_approved)


def _reduce(*, actor, bill, amount, reason, kind, perm, limit_setting, default_limit):
    amount = fen(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    _require(actor, perm, bill.project)
    with transaction.atomic():
        if amount > limit(limit_setting, default_limit):
            return approvals.do_request_approval(
                actor=actor,
                kind="billing.reduction",
                project=bill.project,
                title=_("%(kind)s of %(amount)s on bill %(bill)s")
                % {"kind": AdjustmentKindChoices(kind).label, "amount": amount, "bill": bill.number},
                steps=[{"permission": "billing.approve_reduction", "label": str(_("Finance"))}],
                target=bill,
                amount=amount,
                reason=reason,
                payload={"bill_id": bill.pk, "kind": kind, "amount": str(amount)},
            )
        return _apply_reduction(bill.pk, kind, amount, reason, actor)


def do_reduce_bill(*, actor, bill, amount, reason, kind=AdjustmentKindChoices.REDUCTION):
    """A reduction or discount; above WUYE_REDUCTION_APPROVAL_LIMIT it becomes an approval request.

    Returns the BillAdjustment, or the ApprovalRequest when approval is needed.
    """
    return _reduce(
        actor=actor,
        bill=bill,
        amount=amount,
        reason=reason,
        kind=kind,
        perm="billing.reduce_bill",
        limit_setting="WUYE_REDUCTION_APPROVAL_LIMIT",
        default_limit="200",
    )


def do_apply_rule_discount(*, actor, bill, amount, reason):
    """A discount that a configured rule grants (e.g. prepay N months, X% off): no approval needed.

    The caller computes the amount from the rule; it may not exceed what is still due.
    """
    amount = fen(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    with transaction.atomic():
        return _apply_reduction(bill.pk, AdjustmentKindChoices.DISCOUNT, amount, reason, actor)


def do_waive_late_fee(*, actor, bill, amount, reason):
    """Waive (part of) a bill's late fee; above WUYE_WAIVER_APPROVAL_LIMIT it needs approval."""
    return _reduce(
        actor=actor,
        bill=bill,
        amount=amount,
        reason=reason,
        kind=AdjustmentKindChoices.LATE_FEE_WAIVER,
        perm="billing.waive_late_fee",
        limit_setting="WUYE_WAIVER_APPROVAL_LIMIT",
        default_limit="100",
    )


def _reverse(payment_id, reason, actor, approval=None) -> Payment:
    day = timezone.localdate()
    # The cashier's day lock first, then the payment: the same order as a day close takes them.
    project_id = Payment.objects.values_list("project_id", flat=True).get(pk=payment_id)
    _check_day_open(project_id, actor, day)
    original = Payment.objects.select_for_update(of=("self",)).get(pk=payment_id)
    if original.status != PaymentStatusChoices.POSTED:
        raise ValidationError(_("This payment is already reversed."))
    allocations = list(original.allocations.select_related("bill"))
    bills = {
        b.pk: b
        for b in Bill.objects.select_for_update(of=("self",)).filter(pk__in={a.bill_id for a in allocations})
    }
    reversal = Payment.objects.create(
        project=original.project,
        number=next_number(original.project, "reversal", day.year),
        unit=original.unit,
        payer=original.payer,
        payer_name=original.payer_name,
        received_at=timezone.now(),
        business_date=day,
        cashier=actor,
        amount=-original.amount,
        to_prepaid=-original.to_prepaid,
        status=PaymentStatusChoices.REVERSAL,
        reversal_of=original,
        reason=reason,
        created_by=actor,
    )
    PaymentTender.objects.bulk_create(
        [
            PaymentTender(payment=reversal, channel=t.channel, amount=-t.amount, reference=t.reference)
            for t in original.tenders.all()
        ]
    )
    PaymentAllocation.objects.bulk_create(
        [
            PaymentAllocation(payment=reversal, bill_id=a.bill_id, kind=a.kind, amount=-a.amount)
            for a in allocations
        ]
    )
    for a in allocations:
        bill = bills[a.bill_id]
        if a.kind == AllocationKindChoices.PRINCIPAL:
            bill.paid_amount -= a.amount
        else:
            bill.late_fee_paid -= a.amount
    for bill in bills.values():
        bill.refresh_status()
        if bill.status != BillStatusChoices.PAID:
            bill.paid_at = None
        bill.save(update_fields=["paid_amount", "late_fee_paid", "status", "paid_at", "updated_at"])
    prepaid_used = sum(
        (t.amount for t in original.tenders.all() if t.channel == PaymentChannelChoices.PREPAID), ZERO
    )
    if original.unit_id and (prepaid_used or original.to_prepaid):
        account = general_account(original.project, original.unit, lock=True)
        if original.to_prepaid:
            if account.balance < original.to_prepaid:
                raise ValidationError(
                    _("The overpayment kept as prepaid balance has been used since; it cannot be reversed.")
                )
            _move(
                account,
                PrepaidMovementKindChoices.REVERSAL,
                -original.to_prepaid,
                actor=actor,
                payment=reversal,
                note=reason,
            )
        if prepaid_used:
            _move(
                account,
                PrepaidMovementKindChoices.REVERSAL,
                prepaid_used,
                actor=actor,
                payment=reversal,
                note=reason,
            )
    original.status = PaymentStatusChoices.REVERSED
    original.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="billing.payment.reverse",
        obj=original,
        amount=original.amount,
        message=reason,
        data={"reversal": reversal.number, "approval": getattr(approval, "pk", None)},
    )
    return reversal


def _on_reversal_approved(request, actor):
    _reverse(int(request.payload["payment_id"]), request.reason, request.created_by, approval=request)


approvals.register("billing.reverse_payment", label="Payment reversal", on_approved=_on_reversal_approved)


def do_reverse_payment(*, actor, payment: Payment, reason: str):
    """Refund or reverse a payment with a new, negative payment; bills reopen, balances restore.

    Above WUYE_REFUND_APPROVAL_LIMIT the reversal waits for approval (returns the ApprovalRequest).
    """
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the reversal.")})
    _require(actor, "billing.refund_payment", payment.project)
    with transaction.atomic():
        if payment.amount > limit("WUYE_REFUND_APPROVAL_LIMIT", "1000"):
            return approvals.do_request_approval(
                actor=actor,
                kind="billing.reverse_payment",
                project=payment.project,
                title=_("Reverse payment %(n)s (%(a)s)") % {"n": payment.number, "a": payment.amount},
                steps=[{"permission": "billing.approve_reduction", "label": str(_("Finance"))}],
                target=payment,
                amount=payment.amount,
                reason=reason,
                payload={"payment_id": payment.pk},
            )
        return _reverse(payment.pk, reason, actor)
