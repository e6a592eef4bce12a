"""Reporting an order and carrying it out: accept, arrive, start, pause/resume, complete, cancel."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.core import audit
from wuye.core.numbering import next_number, register_kind
from wuye.service.choices import (
    DeadlineChoices,
    PhotoStageChoices,
    WorkOrderKindChoices,
)
from wuye.service.choices import WorkOrderStatusChoices as S
from wuye.service.models import WorkOrder, WorkOrderComment, WorkOrderPhoto
from wuye.service.services import sla
from wuye.service.services.common import (
    apply,
    elapsed_seconds,
    locked,
    on_commit_notify,
    require,
    require_handler,
)
from wuye.service.services.dispatch import auto_dispatch
from wuye.service.services.setup import ensure_service_setup

register_kind("workorder", "GD")
D = DeadlineChoices


def find_repeat(order: WorkOrder, window_days: int):
    """An earlier order of the same category at the same unit (or the same place) within the window."""
    if order.kind not in (WorkOrderKindChoices.COMPLAINT, WorkOrderKindChoices.REPAIR):
        return None
    since = order.reported_at - datetime.timedelta(days=window_days)
    qs = WorkOrder.objects.filter(
        project_id=order.project_id, category_id=order.category_id, kind=order.kind, reported_at__gte=since
    ).exclude(status=S.CANCELLED)
    if order.pk:
        qs = qs.exclude(pk=order.pk)
    if order.unit_id:
        qs = qs.filter(unit_id=order.unit_id)
    elif order.location:
        qs = qs.filter(unit__isnull=True, location=order.location, building_id=order.building_id)
    else:
        return None
    return qs.order_by("-reported_at").first()


def do_create_workorder(*, actor, order: WorkOrder, photos=(), dispatch: bool = True) -> WorkOrder:
    """Register a new order (validated, unsaved): number, team, SLA clocks, repeat check, dispatch."""
    with transaction.atomic():
        settings = ensure_service_setup(order.project)
        now = timezone.now()
        order.reported_at = now
        if not order.priority:
            cat = order.category
            order.priority = (
                cat.default_priority or (cat.parent.default_priority if cat.parent_id else "") or "normal"
            )
        if order.team_id is None:
            order.team = order.category.team
        order.return_visit_required = order.kind == WorkOrderKindChoices.COMPLAINT or (
            order.kind == WorkOrderKindChoices.REPAIR and settings.repair_return_visit
        )
        order.full_clean(exclude=["number", "category", "unit", "building", "reporter", "team"])
        order.number = next_number(order.project, "workorder")
        if actor is not None and actor.is_authenticated:
            order.created_by = actor
        repeat = find_repeat(order, settings.repeat_window_days)
        if repeat is not None:
            order.is_repeat = True
            order.repeat_of = repeat
        order.save()
        for upload in photos:
            do_add_photo(actor=actor, order=order, file=upload, stage=PhotoStageChoices.REPORT)
        sla.start_clocks(order, settings)
        audit.record(
            actor=actor,
            action="service.workorder_created",
            obj=order,
            data={"kind": order.kind, "source": order.source, "repeat_of": repeat.pk if repeat else None},
        )
        if dispatch:
            auto_dispatch(order)
    return order


def do_accept_workorder(*, actor, order: WorkOrder, note: str = "") -> WorkOrder:
    with transaction.atomic():
        order = locked(order)
        require_handler(actor, order)
        now = timezone.now()
        order.accepted_at = now
        order.response_seconds = elapsed_seconds(order, now)
        apply(order, "accept", actor=actor, note=note, fields=["accepted_at", "response_seconds"])
        sla.stop_clocks(order, [D.ACCEPT], now)
    return order


def do_arrive_workorder(*, actor, order: WorkOrder, note: str = "") -> WorkOrder:
    with transaction.atomic():
        order = locked(order)
        require_handler(actor, order)
        now = timezone.now()
        order.arrived_at = now
        order.arrival_seconds = elapsed_seconds(order, now)
        apply(order, "arrive", actor=actor, note=note, fields=["arrived_at", "arrival_seconds"])
        sla.stop_clocks(order, [D.ARRIVE], now)
    return order


def do_start_workorder(*, actor, order: WorkOrder, note: str = "") -> WorkOrder:
    with transaction.atomic():
        order = locked(order)
        require_handler(actor, order)
        apply(order, "start", actor=actor, note=note)
    return order


def do_pause_workorder(*, actor, order: WorkOrder, reason: str, note: str = "") -> WorkOrder:
    """Stop the clocks (waiting for parts, for the owner...); resume moves every deadline on."""
    from wuye.service.choices import PauseReasonChoices

    with transaction.atomic():
        order = locked(order)
        require_handler(actor, order)
        require(reason in PauseReasonChoices.values, _("Choose why the work is paused."), "reason")
        order.paused_from = order.status
        order.paused_at = timezone.now()
        order.pause_reason = reason
        order.pause_note = note[:200]
        apply(
            order,
            "pause",
            actor=actor,
            note=note,
            data={"reason": reason},
            fields=["paused_from", "paused_at", "pause_reason", "pause_note"],
        )
    return order


def do_resume_workorder(*, actor, order: WorkOrder, note: str = "") -> WorkOrder:
    with transaction.atomic():
        order = locked(order)
        require_handler(actor, order)
        require(order.status == S.PAUSED, _("The order is not paused."))
        delta = timezone.now() - order.paused_at
        seconds = int(delta.total_seconds())
        order.paused_seconds += seconds
        name = f"resume_{order.paused_from}"
        order.paused_at = None
        apply(
            order,
            name,
            actor=actor,
            note=note,
            data={"paused_seconds": seconds},
            fields=["paused_seconds", "paused_at"],
        )
        sla.shift_clocks(order, delta)
    return order


def _finish(order, now):
    """Stop the accept/arrive/complete clocks and record the completion time."""
    order.completed_at = now
    order.completion_seconds = elapsed_seconds(order, now)
    if order.response_seconds is None:
        order.response_seconds = order.completion_seconds
    sla.stop_clocks(order, [D.ACCEPT, D.ARRIVE, D.COMPLETE], now)


def do_complete_workorder(
    *, actor, order: WorkOrder, resolution: str, materials: str = "", photos=(), note: str = ""
) -> WorkOrder:
    """Work done: what was done, materials, photos; a paid repair's accepted quote becomes a bill."""
    from wuye.service.choices import QuoteStatusChoices
    from wuye.service.services.paid import charge_quote

    with transaction.atomic():
        order = locked(order)
        require_handler(actor, order)
        require(bool(resolution.strip()), _("Describe the work done."), "resolution")
        if order.is_paid:
            require(
                order.quote_status == QuoteStatusChoices.ACCEPTED,
                _("This is a paid repair: the reporter must accept the quote first."),
            )
        now = timezone.now()
        order.resolution = resolution
        order.materials = materials
        _finish(order, now)
        apply(
            order,
            "complete",
            actor=actor,
            note=note,
            fields=["completed_at", "completion_seconds", "response_seconds", "resolution", "materials"],
        )
        for upload in photos:
            do_add_photo(actor=actor, order=order, file=upload, stage=PhotoStageChoices.AFTER)
        if order.is_paid and order.quote_total > 0 and not order.bill_id:
            charge_quote(actor=actor, order=order)
        audit.record(
            actor=actor,
            action="service.completed",
            obj=order,
            amount=order.quote_total if order.is_paid else None,
        )
        _tell_reporter_side(order, _("%(number)s is done: please confirm") % {"number": order.number})
    return order


def do_resolve_workorder(*, actor, order: WorkOrder, resolution: str, note: str = "") -> WorkOrder:
    """Customer service answers a consultation, complaint, suggestion or praise directly."""
    with transaction.atomic():
        order = locked(order)
        require(bool(resolution.strip()), _("Write the answer or the resolution."), "resolution")
        now = timezone.now()
        if order.assignee_id is None:
            order.assignee = actor
            order.assigned_at = now
        if order.accepted_at is None:
            order.accepted_at = now
            order.response_seconds = elapsed_seconds(order, now)
        order.resolution = resolution
        _finish(order, now)
        apply(
            order,
            "resolve",
            actor=actor,
            note=note,
            fields=[
                "assignee",
                "assigned_at",
                "accepted_at",
                "response_seconds",
                "completed_at",
                "completion_seconds",
                "resolution",
            ],
        )
        audit.record(actor=actor, action="service.resolved", obj=order)
    return order


def do_cancel_workorder(*, actor, order: WorkOrder, reason: str) -> WorkOrder:
    with transaction.atomic():
        order = locked(order)
        require(bool(reason.strip()), _("Give a reason for cancelling."), "reason")
        now = timezone.now()
        order.cancel_reason = reason
        order.cancelled_at = now
        apply(order, "cancel", actor=actor, note=reason, fields=["cancel_reason", "cancelled_at"])
        sla.stop_clocks(order, [D.ACCEPT, D.ARRIVE, D.COMPLETE], now, counted=False)
        audit.record(actor=actor, action="service.cancelled", obj=order, message=reason)
        if order.assignee_id and order.assignee_id != getattr(actor, "pk", None):
            on_commit_notify(
                recipients=[order.assignee],
                title=_("%(number)s was cancelled") % {"number": order.number},
                body=reason,
                link=order.get_absolute_url(),
                channels=("inbox",),
                project=order.project,
                kind="service.cancelled",
            )
    return order


def do_add_comment(*, actor, order: WorkOrder, body: str) -> WorkOrderComment:
    require(bool(body.strip()), _("Write a comment."), "body")
    with transaction.atomic():
        return WorkOrderComment.objects.create(
            project_id=order.project_id, order=order, body=body, created_by=actor
        )


def do_add_photo(*, actor, order: WorkOrder, file, stage=PhotoStageChoices.REPORT) -> WorkOrderPhoto:
    photo = WorkOrderPhoto(project_id=order.project_id, order=order, stage=stage, file=file)
    if actor is not None and actor.is_authenticated:
        photo.created_by = actor
    try:
        photo.full_clean(exclude=["order"])
    except ValidationError as exc:
        errors = exc.message_dict
        raise ValidationError(
            {"photos": [f"{getattr(file, 'name', '')}: {m}" for m in errors.get("file", exc.messages)]}
        )
    with transaction.atomic():
        photo.save()
    return photo


def _tell_reporter_side(order, title):
    """Reporters are not users yet (the owner portal comes later); the creator hears about it."""
    if order.created_by_id and order.created_by_id != order.assignee_id:
        on_commit_notify(
            recipients=[order.created_by],
            title=title,
            link=order.get_absolute_url(),
            channels=("inbox",),
            project=order.project,
            kind="service.completed",
        )
