"""A reusable approval flow: request, approve/reject step by step by permission, history.

A module registers a kind once with its handlers, then asks for approval from its service:

    approvals.register("billing.waive_late_fee", on_approved=apply_waiver, on_rejected=None,
                       label=_("Late-fee waiver"))
    approvals.request(kind="billing.waive_late_fee", project=p, title=..., target=bill,
                      steps=[{"permission": "billing.approve_waiver", "label": "Finance"}],
                      actor=cashier, amount=..., reason=..., payload={...})

``on_approved(request, actor)`` runs in the transaction of the final approval.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core import audit
from wuye.core.models import ApprovalEvent, ApprovalRequest, ApprovalStatus
from wuye.core.scoping import user_scope


@dataclass
class ApprovalKind:
    kind: str
    label: str
    on_approved: object = None
    on_rejected: object = None


REGISTRY: dict[str, ApprovalKind] = {}


def register(kind: str, *, label: str = "", on_approved=None, on_rejected=None) -> None:
    REGISTRY[kind] = ApprovalKind(kind, label or kind, on_approved, on_rejected)


def can_decide(request: ApprovalRequest, user) -> bool:
    step = request.current_step_info
    if step is None:
        return False
    return request.project_id in user_scope(user, step["permission"])


def do_request_approval(
    *, actor, kind, project, title, steps, target=None, amount=None, reason="", payload=None
) -> ApprovalRequest:
    if kind not in REGISTRY:
        raise ValueError(f"approval kind {kind!r} is not registered")
    if not steps:
        raise ValueError("an approval needs at least one step")
    for step in steps:
        if "permission" not in step:
            raise ValueError("each approval step names a permission")
    with transaction.atomic():
        req = ApprovalRequest.objects.create(
            project=project,
            kind=kind,
            title=title,
            reason=reason,
            amount=amount,
            content_type=ContentType.objects.get_for_model(target) if target is not None else None,
            object_id=str(target.pk) if target is not None else "",
            payload=payload or {},
            steps=list(steps),
            created_by=actor,
        )
        ApprovalEvent.objects.create(request=req, actor=actor, action="requested", comment=reason)
        audit.record(actor=actor, action="approval.requested", obj=req, amount=amount, message=reason)
    return req


def do_decide_approval(
    *, actor, request: ApprovalRequest, approve: bool, comment: str = ""
) -> ApprovalRequest:
    with transaction.atomic():
        req = ApprovalRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        if req.status != ApprovalStatus.PENDING:
            raise ValidationError(_("This request has already been decided."))
        if not can_decide(req, actor):
            raise PermissionDenied(_("You may not decide this step of the request."))
        if not approve and not comment.strip():
            raise ValidationError({"comment": _("Give a reason for the rejection.")})
        step = req.current_step
        ApprovalEvent.objects.create(
            request=req, actor=actor, step=step, action="approved" if approve else "rejected", comment=comment
        )
        handler = REGISTRY.get(req.kind)
        if not approve:
            req.status = ApprovalStatus.REJECTED
            req.decided_at = timezone.now()
            req.save(update_fields=["status", "decided_at", "updated_at"])
            if handler and handler.on_rejected:
                handler.on_rejected(req, actor)
        elif step + 1 < len(req.steps):
            req.current_step = step + 1
            req.save(update_fields=["current_step", "updated_at"])
        else:
            req.current_step = step + 1
            req.status = ApprovalStatus.APPROVED
            req.decided_at = timezone.now()
            req.save(update_fields=["current_step", "status", "decided_at", "updated_at"])
            if handler and handler.on_approved:
                handler.on_approved(req, actor)
        audit.record(
            actor=actor,
            action="approval.approved" if approve else "approval.rejected",
            obj=req,
            amount=req.amount,
            message=comment,
            data={"step": step},
        )
    return req


def do_cancel_approval(*, actor, request: ApprovalRequest, comment: str = "") -> ApprovalRequest:
    with transaction.atomic():
        req = ApprovalRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        if req.status != ApprovalStatus.PENDING:
            raise ValidationError(_("This request has already been decided."))
        if req.created_by_id != actor.pk and not actor.is_superuser:
            raise PermissionDenied(_("Only the requester can cancel a request."))
        req.status = ApprovalStatus.CANCELLED
        req.decided_at = timezone.now()
        req.save(update_fields=["status", "decided_at", "updated_at"])
        ApprovalEvent.objects.create(request=req, actor=actor, action="cancelled", comment=comment)
        audit.record(actor=actor, action="approval.cancelled", obj=req, message=comment)
    return req


def pending_for(user, queryset=None):
    """Pending requests whose current step this user may decide."""
    qs = queryset if queryset is not None else ApprovalRequest.objects.all()
    qs = qs.filter(status=ApprovalStatus.PENDING)
    # Steps are JSON; filter candidates by project scope in SQL, then the step permission in Python.
    return [r for r in qs.select_related("project", "created_by") if can_decide(r, user)]
